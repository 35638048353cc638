// The CLI as a client of the gateway's HTTP API: every user-level command goes through the
// API with the caller's own token, so the API's rights checks and audit events apply to the
// CLI exactly as to any other client. No database credentials are needed or used here.
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import { cliConfig, globalOptions } from './context.js';
import { readStoredToken } from './credentials-file.js';
import { ApiCallError, CliError } from './errors.js';

export const API_V1 = '/api/v1';

/** The gateway's base URL: --api, $FAXGATE_API_URL (both via the option), else api.host/api.port of the configuration. */
export function apiBaseUrl(cmd: Command): string {
  const given = globalOptions(cmd).api;
  if (given !== undefined) return normaliseUrl(given);
  const { api } = cliConfig(cmd).config;
  let host = api.host;
  if (host === '0.0.0.0' || host === '') host = '127.0.0.1';
  else if (host === '::') host = '::1';
  if (host.includes(':') && !host.startsWith('[')) host = `[${host}]`;
  // The gateway's own configured address: this machine (an address bound here).
  return `http://${host}:${api.port}`;
}

export function normaliseUrl(text: string): string {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new CliError(`--api: not a URL: ${JSON.stringify(text)} (e.g. http://127.0.0.1:8025)`, 2);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new CliError(`--api: expected an http:// or https:// URL, got ${JSON.stringify(text)}`, 2);
  if (u.username || u.password || u.search || u.hash)
    throw new CliError('--api: give only scheme, host, port (and path) of the gateway', 2);
  // A token travels in every request: in clear text only to this machine.
  if (u.protocol === 'http:' && !isLoopback(u.hostname))
    throw new CliError(
      `--api: ${u.hostname} is another host; use https:// (a token is not sent in clear text over the network)`,
      2,
    );
  return `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
}

function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** Where the token came from, for the messages. */
export type TokenSource = 'env' | 'file';

export interface ApiErrorBody {
  error?: { code?: string; message?: string; details?: Record<string, unknown> };
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  json?: unknown;
  form?: FormData;
  headers?: Record<string, string>;
}

export class ApiClient {
  constructor(
    readonly base: string,
    readonly token: string | null,
    readonly tokenSource: TokenSource | null,
  ) {}

  url(path: string, query?: RequestOptions['query']): string {
    const u = new URL(`${this.base}${API_V1}${path}`);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) u.searchParams.set(k, String(v));
    return u.toString();
  }

  /** One request; the answer's JSON body (undefined for 204), or a CliError with the API's message. */
  async call<T>(method: string, path: string, o: RequestOptions = {}): Promise<T> {
    const res = await this.send(method, path, o);
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    try {
      return (text === '' ? undefined : JSON.parse(text)) as T;
    } catch {
      throw new CliError(
        `the gateway at ${this.base} answered ${method} ${path} with something that is not JSON`,
        1,
      );
    }
  }

  /** A GET whose body is copied to `out` as it arrives (exports). */
  async stream(path: string, query: RequestOptions['query'], out: Writable): Promise<void> {
    const res = await this.send('GET', path, { query });
    if (!res.body) return;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      if (!out.write(chunk)) await new Promise((r) => out.once('drain', r));
    }
  }

  private async send(method: string, path: string, o: RequestOptions): Promise<Response> {
    const headers = new Headers(o.headers);
    if (this.token === null) throw notLoggedIn(this.base, null);
    headers.set('authorization', `Bearer ${this.token}`);
    headers.set('user-agent', 'faxgate-cli');
    let body: string | FormData | undefined;
    if (o.json !== undefined) {
      headers.set('content-type', 'application/json');
      body = JSON.stringify(o.json);
    } else if (o.form) body = o.form;
    let res: Response;
    try {
      // Never follow a redirect: the token would go along to wherever it points.
      res = await fetch(this.url(path, o.query), { method, headers, body, redirect: 'error' });
    } catch (e) {
      throw unreachable(this.base, e);
    }
    if (res.ok) return res;
    throw await errorOf(res, this.base, this.tokenSource);
  }
}

/** The message when there is no token, or the API does not accept it. */
export function notLoggedIn(base: string, source: TokenSource | null, why?: string): CliError {
  const tail = why ? `: ${why}` : '';
  if (source === 'env')
    return new ApiCallError(
      `the token in $FAXGATE_TOKEN is not accepted by ${base}${tail}`,
      2,
      401,
      'unauthenticated',
    );
  if (source === 'file')
    return new ApiCallError(`not logged in to ${base}${tail} (run faxgate login)`, 2, 401, 'unauthenticated');
  return new ApiCallError(
    `not logged in to ${base} (run faxgate login, or set $FAXGATE_TOKEN)`,
    2,
    401,
    'unauthenticated',
  );
}

/** A fetch that did not get an answer: the gateway is down, or elsewhere. */
export function unreachable(base: string, e: unknown): CliError {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code ?? '';
  if (code === 'ECONNREFUSED')
    return new CliError(`the gateway at ${base} is not running (connection refused)`, 1);
  return new CliError(`cannot reach the gateway at ${base}: ${cause?.message ?? (e as Error).message}`, 1);
}

/** Exit code of a refusal that passes by itself (the gateway's disk is full): retry later. */
export const EXIT_TEMPFAIL = 75;

/** The API's `{"error": {code, message}}` as a CliError: client errors exit 2, server errors 1. */
export async function errorOf(res: Response, base: string, source: TokenSource | null): Promise<CliError> {
  let body: ApiErrorBody = {};
  try {
    body = (await res.json()) as ApiErrorBody;
  } catch {
    // not JSON: the status line is all there is
  }
  let message = body.error?.message ?? `${res.status} ${res.statusText}`;
  const code = body.error?.code ?? 'unknown';
  const details = body.error?.details;
  if (res.status === 401 && code !== 'invalid_credentials') return notLoggedIn(base, source, message);
  // A refused destination names the policy rule.
  if (code === 'destination_refused' && typeof details?.rule === 'string') {
    message = `${message} (rule ${details.rule})`;
  }
  // Disk space critical on the gateway: EX_TEMPFAIL (75, sysexits.h), so scripts retry later.
  if (res.status === 507) return new ApiCallError(message, EXIT_TEMPFAIL, res.status, code, details);
  return new ApiCallError(message, res.status >= 500 ? 1 : 2, res.status, code, details);
}

/** The client for this command: base URL and the caller's token ($FAXGATE_TOKEN, else the token file). */
export function apiClient(cmd: Command): ApiClient {
  const base = apiBaseUrl(cmd);
  const env = process.env.FAXGATE_TOKEN;
  if (env !== undefined && env !== '') return new ApiClient(base, env.trim(), 'env');
  const stored = readStoredToken(base);
  return stored ? new ApiClient(base, stored.token, 'file') : new ApiClient(base, null, null);
}

/** A client that must have a token: refuses before any request when there is none. */
export function loggedIn(cmd: Command): ApiClient {
  const c = apiClient(cmd);
  if (c.token === null) throw notLoggedIn(c.base, null);
  return c;
}

/** JSON dates (ISO strings) back to Date for the named keys; other keys untouched. */
export function withDates<T>(obj: Record<string, unknown>, keys: readonly string[]): T {
  const out: Record<string, unknown> = { ...obj };
  for (const k of keys) {
    const v = out[k];
    if (typeof v === 'string') out[k] = new Date(v);
  }
  return out as T;
}

/** Adds what did not happen to a refused destination's message (the API stored nothing). */
export function refusedDestination(tail: string): (e: unknown) => never {
  return (e) => {
    if (e instanceof ApiCallError && e.code === 'destination_refused')
      throw new ApiCallError(`${e.message}; ${tail}`, e.exitCode, e.status, e.code, e.details);
    throw e;
  };
}
