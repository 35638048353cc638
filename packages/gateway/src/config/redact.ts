// Secrets never leave the process: not in logs, not in status, not in recorded config versions.
import { stringify } from 'yaml';
import type { FaxgateConfig } from './schema.js';

export const REDACTED = '<redacted>';

/** The URL without its password (user name kept: it says which role is used). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = REDACTED;
    return u.toString().replace(encodeURIComponent(REDACTED), REDACTED);
  } catch {
    return REDACTED;
  }
}

/** A copy of the configuration that is safe to print, log and store. */
export function redactConfig(config: FaxgateConfig): FaxgateConfig {
  return {
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
  };
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
