// Input bounds for every route, applied once when a route is added rather than remembered in
// each route file: integers in params, query and body never leave the safe-integer range (a
// bigint column or JavaScript would otherwise overflow into a 500), path and query strings
// carry no control characters and are at most 1024 characters, and no body string holds a
// NUL byte (PostgreSQL text cannot). A route's own tighter bounds stay as they are. The
// bounds are part of the JSON schema, so the OpenAPI document shows them and a violation
// is an ordinary 400 validation error.

/** Largest and smallest integers accepted anywhere (ids are PostgreSQL bigint, used as JS numbers). */
export const MAX_INT = Number.MAX_SAFE_INTEGER;
export const MIN_INT = -Number.MAX_SAFE_INTEGER;
/** Longest path or query string value accepted when a route says nothing tighter. */
export const MAX_PARAM_LENGTH = 1024;

/** No C0 control character, DEL or C1 control character (names, ids, query values). */
export const NO_CONTROL_CHARS = '^[^\\u0000-\\u001f\\u007f-\\u009f]*$';
/** No NUL (free text in bodies: descriptions and subjects may hold line breaks). */
export const NO_NUL = '^[^\\u0000]*$';

type Json = Record<string, unknown>;

function types(s: Json): string[] {
  const t = s.type;
  return Array.isArray(t) ? (t as string[]) : typeof t === 'string' ? [t] : [];
}

function addPattern(s: Json, pattern: string): void {
  if (s.pattern === undefined) {
    s.pattern = pattern;
  } else if (s.pattern !== pattern) {
    const all = Array.isArray(s.allOf) ? (s.allOf as Json[]) : [];
    if (!all.some((a) => a.pattern === pattern)) s.allOf = [...all, { pattern }];
  }
}

/** Bounds one schema node and its children in place. `strict`: params and query (no control chars). */
function bound(node: unknown, strict: boolean): void {
  if (!node || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const n of node) bound(n, strict);
    return;
  }
  const s = node as Json;
  if (typeof s.$ref === 'string') return; // shared components are bounded where they are defined
  const t = types(s);
  if (t.includes('integer') || t.includes('number')) {
    if (typeof s.maximum !== 'number' || s.maximum > MAX_INT) s.maximum = MAX_INT;
    if (typeof s.minimum !== 'number' || s.minimum < MIN_INT) s.minimum = MIN_INT;
  }
  if (t.includes('string') && s.enum === undefined && s.const === undefined && s.format !== 'binary') {
    if (strict) {
      addPattern(s, NO_CONTROL_CHARS);
      if (typeof s.maxLength !== 'number' || s.maxLength > MAX_PARAM_LENGTH) s.maxLength = MAX_PARAM_LENGTH;
    } else {
      addPattern(s, NO_NUL);
    }
  }
  for (const key of ['properties', 'patternProperties', 'definitions', '$defs']) {
    const m = s[key];
    if (m && typeof m === 'object') for (const v of Object.values(m)) bound(v, strict);
  }
  for (const key of ['items', 'additionalProperties', 'not', 'if', 'then', 'else', 'contains'])
    bound(s[key], strict);
  for (const key of ['allOf', 'anyOf', 'oneOf', 'prefixItems']) bound(s[key], strict);
}

/** A copy of plain objects and arrays (route files share schema pieces; they stay untouched). */
function copy<T>(v: T): T {
  if (Array.isArray(v)) return v.map(copy) as T;
  if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, copy(x)])) as T;
  }
  return v;
}

/**
 * Applies the bounds to a route schema (params, querystring, body; the multipart body too),
 * on copies of those parts: what a route file shares between routes is not changed.
 */
export function boundRouteSchema(schema: Json | undefined): void {
  if (!schema) return;
  for (const [key, strict] of [
    ['params', true],
    ['querystring', true],
    ['body', false],
    ['x-multipart-body', false],
  ] as const) {
    if (schema[key] === undefined) continue;
    schema[key] = copy(schema[key]);
    bound(schema[key], strict);
  }
}

/**
 * The path of a number that is not finite (`1e400` in a query or JSON body becomes
 * Infinity, and ajv lets a coerced Infinity past `maximum`), or null when there is none.
 */
export function nonFinitePath(value: unknown, path = '', depth = 0): string | null {
  if (typeof value === 'number') return Number.isFinite(value) ? null : path || '/';
  if (depth > 32 || !value || typeof value !== 'object' || Buffer.isBuffer(value)) return null;
  for (const [k, v] of Object.entries(value)) {
    const found = nonFinitePath(v, `${path}/${k}`, depth + 1);
    if (found) return found;
  }
  return null;
}
