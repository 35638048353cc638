// Secrets never leave the process: not in logs, not in status, not in recorded config versions.
// One rule for every URL (database, Redis, webhooks, whatever comes): the userinfo password
// and every query parameter whose name looks secret are replaced by <redacted>.
import { stringify } from 'yaml';
import type { FaxgateConfig } from './schema.js';

export const REDACTED = '<redacted>';

/**
 * Query parameter names that carry credentials (case-insensitive, `-` and `_` ignored):
 * token, key, secret, password, sig, signature, auth, access_token, api_key, … and any name
 * containing token, secret, passw, apikey, signature or credential.
 */
const SECRET_PARAM_EXACT = new Set([
  'key',
  'sig',
  'auth',
  'pass',
  'pwd',
  'code',
  'hash',
  'hmac',
  'session',
  'sid',
  'jwt',
  'bearer',
  'authorization',
  'xamzsignature',
  'xamzcredential',
  'xamzsecuritytoken',
]);
const SECRET_PARAM_PART = /token|secret|passw|apikey|accesskey|privatekey|signature|credential|authkey|auth$/;

export function isSecretParam(name: string): boolean {
  const n = name.toLowerCase().replace(/[-_.\s]/g, '');
  return SECRET_PARAM_EXACT.has(n) || SECRET_PARAM_PART.test(n);
}

/** The query string with the values of secret-looking parameters replaced; order and others kept. */
function redactQuery(search: string): string {
  if (search.length <= 1) return search;
  const parts = search.slice(1).split(/([&;])/);
  return `?${parts
    .map((part) => {
      if (part === '&' || part === ';') return part;
      const eq = part.indexOf('=');
      const rawName = eq < 0 ? part : part.slice(0, eq);
      let name = rawName;
      try {
        name = decodeURIComponent(rawName.replace(/\+/g, ' '));
      } catch {
        // undecodable: judge the raw name
      }
      return isSecretParam(name) && eq >= 0 ? `${rawName}=${REDACTED}` : part;
    })
    .join('')}`;
}

/**
 * The URL without its password and without the values of secret query parameters (user
 * name kept: it says which role is used). Not a URL at all: <redacted>, whole.
 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = REDACTED;
    const base = u.toString().replace(encodeURIComponent(REDACTED), REDACTED);
    if (!u.search && !u.hash) return base;
    if (!u.search) return `${base.slice(0, base.length - u.hash.length)}#${REDACTED}`;
    const cut = base.indexOf('?');
    const hash = u.hash;
    const search = base.slice(cut, hash ? base.length - hash.length : undefined);
    return `${base.slice(0, cut)}${redactQuery(search)}${hash ? `#${REDACTED}` : ''}`;
  } catch {
    return REDACTED;
  }
}

/** A request target (`/path?query`) with the values of secret query parameters redacted: for access logs. */
export function redactRequestTarget(target: string): string {
  const q = target.indexOf('?');
  return q < 0 ? target : `${target.slice(0, q)}${redactQuery(target.slice(q))}`;
}

/** A URL inside free text (a log line, an error message) redacted in place. */
export function redactUrlsIn(text: string): string {
  return text.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi, (m) => redactUrl(m));
}

const LOOKS_LIKE_URL = /^[a-z][a-z0-9+.-]*:\/\//i;

/** Every string value that is a URL (any key, any depth) redacted: the net under the named keys. */
function redactUrlsDeep<T>(value: T): T {
  if (typeof value === 'string') return (LOOKS_LIKE_URL.test(value) ? redactUrl(value) : value) as T;
  if (Array.isArray(value)) return value.map(redactUrlsDeep) as T;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactUrlsDeep(v)])) as T;
  }
  return value;
}

/** A copy of the configuration that is safe to print, log and store. */
export function redactConfig(config: FaxgateConfig): FaxgateConfig {
  return redactUrlsDeep({
    ...config,
    database: {
      ...config.database,
      url: redactUrl(config.database.url),
      ...(config.database.ownerUrl === undefined ? {} : { ownerUrl: redactUrl(config.database.ownerUrl) }),
    },
    redis: { ...config.redis, url: redactUrl(config.redis.url) },
    api: {
      ...config.api,
      ...(config.api.sessionSecret === undefined ? {} : { sessionSecret: REDACTED }),
    },
    notifications: {
      ...config.notifications,
      webhooks: config.notifications.webhooks.map((w) => ({
        ...w,
        url: redactUrl(w.url),
        ...(w.secret === undefined ? {} : { secret: REDACTED }),
      })),
    },
  });
}

/** Sorts keys recursively so equal configurations serialise to equal text. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** The redacted, key-sorted configuration as YAML: what a config version stores. */
export function configDocument(config: FaxgateConfig): string {
  return stringify(canonical(redactConfig(config)));
}
