// The CLI's HTTP client against a small local server: the base URL rules, the token sent as
// a bearer, and every kind of answer turned into one clear line and an exit code.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, normaliseUrl } from './api-client.js';
import type { ApiCallError } from './errors.js';
import { CliError } from './errors.js';

let server: http.Server;
let base: string;
const seen: Array<{ method?: string; url?: string; auth?: string }> = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push({ method: req.method, url: req.url, auth: req.headers.authorization });
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const err = (status: number, code: string, message: string, details?: unknown) =>
      send(status, { error: { code, message, details } });
    switch (req.url?.split('?')[0]) {
      case '/api/v1/ok':
        return send(200, { hello: 'world' });
      case '/api/v1/gone':
        res.writeHead(204);
        return res.end();
      case '/api/v1/401':
        return err(401, 'unauthenticated', 'the token or session is unknown, expired or revoked');
      case '/api/v1/403':
        return err(403, 'forbidden', 'olga may not create user mallory');
      case '/api/v1/422':
        return err(422, 'destination_refused', 'fax to +49900 refused: premium', { rule: 'premium' });
      case '/api/v1/500':
        return err(500, 'internal', 'internal error (logged)');
      case '/api/v1/redirect':
        res.writeHead(302, { location: 'http://127.0.0.1:1/elsewhere' });
        return res.end();
      case '/api/v1/stream':
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('line 1\n');
        return res.end('line 2\n');
      default:
        return err(404, 'not_found', 'no route');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function failure(p: Promise<unknown>): Promise<CliError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof CliError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('normaliseUrl (--api, $FAXGATE_API_URL)', () => {
  it('keeps scheme, host, port and path, without a trailing slash', () => {
    expect(normaliseUrl('http://127.0.0.1:8025/')).toBe('http://127.0.0.1:8025');
    expect(normaliseUrl('https://fax.example.org/gw/')).toBe('https://fax.example.org/gw');
    expect(normaliseUrl('http://[::1]:8025')).toBe('http://[::1]:8025');
    expect(normaliseUrl('http://localhost:8025')).toBe('http://localhost:8025');
  });

  it('refuses what is no gateway URL, and plain http to another host (the token would travel in clear)', () => {
    for (const bad of ['fax.example.org', 'ftp://x', 'http://u:p@127.0.0.1', 'http://127.0.0.1/?a=1']) {
      expect(() => normaliseUrl(bad)).toThrow(CliError);
    }
    expect(() => normaliseUrl('http://fax.example.org:8025')).toThrow(/use https:\/\//);
    expect(() => normaliseUrl('http://10.0.0.5:8025')).toThrow(/use https:\/\//);
  });
});

describe('ApiClient', () => {
  it('sends the token as a bearer and answers the JSON body (undefined for 204)', async () => {
    const c = new ApiClient(base, 'fgt_secret', 'env');
    expect(await c.call('GET', '/ok', { query: { a: 1, b: undefined } })).toEqual({ hello: 'world' });
    expect(seen.at(-1)).toEqual({ method: 'GET', url: '/api/v1/ok?a=1', auth: 'Bearer fgt_secret' });
    expect(await c.call('DELETE', '/gone')).toBeUndefined();
  });

  it('refuses before any request without a token', async () => {
    const before = seen.length;
    const e = await failure(new ApiClient(base, null, null).call('GET', '/ok'));
    expect(e.exitCode).toBe(2);
    expect(e.message).toBe(`not logged in to ${base} (run faxgate login, or set $FAXGATE_TOKEN)`);
    expect(seen.length).toBe(before);
  });

  it('turns the API errors into one line: 401 not logged in, 4xx exit 2, 5xx exit 1', async () => {
    const file = new ApiClient(base, 'fgs_old', 'file');
    const e401 = await failure(file.call('GET', '/401'));
    expect([e401.exitCode, e401.message]).toEqual([
      2,
      `not logged in to ${base}: the token or session is unknown, expired or revoked (run faxgate login)`,
    ]);
    const env = await failure(new ApiClient(base, 'x', 'env').call('GET', '/401'));
    expect(env.message).toMatch(/^the token in \$FAXGATE_TOKEN is not accepted by /);
    const e403 = await failure(file.call('POST', '/403', { json: {} }));
    expect([e403.exitCode, e403.message, (e403 as ApiCallError).status]).toEqual([
      2,
      'olga may not create user mallory',
      403,
    ]);
    const e422 = await failure(file.call('POST', '/422'));
    expect(e422.message).toBe('fax to +49900 refused: premium (rule premium)');
    expect((await failure(file.call('GET', '/nothing'))).exitCode).toBe(2);
    const e500 = await failure(file.call('GET', '/500'));
    expect([e500.exitCode, e500.message]).toEqual([1, 'internal error (logged)']);
  });

  it('never follows a redirect (the token would go along)', async () => {
    const e = await failure(new ApiClient(base, 'fgt_secret', 'env').call('GET', '/redirect'));
    expect(e.exitCode).toBe(1);
    expect(seen.some((s) => s.url === '/elsewhere')).toBe(false);
  });

  it('says the gateway is not running when nothing listens', async () => {
    const srv = http.createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const down = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
    await new Promise((r) => srv.close(r));
    const e = await failure(new ApiClient(down, 'x', 'env').call('GET', '/ok'));
    expect([e.exitCode, e.message]).toEqual([
      1,
      `the gateway at ${down} is not running (connection refused)`,
    ]);
  });

  it('streams a body to the output as it comes', async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c) => chunks.push(c));
    await new ApiClient(base, 'x', 'env').stream('/stream', {}, out);
    expect(Buffer.concat(chunks).toString()).toBe('line 1\nline 2\n');
  });
});
