// api.trustedProxies: X-Forwarded-For is believed only from the configured proxies, so the
// login throttle keys on the real client behind a proxy — and a client that talks to the
// gateway directly cannot choose its address with the header.
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../config/load.js';
import { PASSWORD, useApiFixture } from '../test-support/api-fixture.js';

const f = useApiFixture({
  api: { port: 0, uploadMaxMegabytes: 1, uploadMaxFiles: 3, trustedProxies: ['127.0.0.0/8'] },
});

const attempt = (remoteAddress: string, forwardedFor?: string) =>
  f.app.inject({
    method: 'POST',
    url: '/api/v1/sessions',
    payload: { username: 'nobody', password: 'not a password' },
    remoteAddress,
    headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {},
  });

describe('api.trustedProxies', () => {
  it('keys the throttle on the forwarded client when the peer is a trusted proxy', async () => {
    // (The fixture's own logins came from 127.0.0.1 and succeeded: refunded to 0, and this attempt is not counted there.)
    expect((await attempt('127.0.0.1', '203.0.113.7')).statusCode).toBe(401);
    expect(await f.db('login_throttle').where({ key: 'addr:203.0.113.7' }).first()).toMatchObject({
      attempts: 1,
    });
    expect(await f.db('login_throttle').where({ key: 'addr:127.0.0.1' }).first()).toMatchObject({
      attempts: 0,
    });
  });

  it('ignores the header from a peer that is not a trusted proxy', async () => {
    expect((await attempt('192.0.2.50', '198.51.100.1')).statusCode).toBe(401);
    expect(await f.db('login_throttle').where({ key: 'addr:198.51.100.1' })).toEqual([]);
    expect(await f.db('login_throttle').where({ key: 'addr:192.0.2.50' }).first()).toMatchObject({
      attempts: 1,
    });
  });

  it('logs in normally through the proxy', async () => {
    const r = await f.app.inject({
      method: 'POST',
      url: '/api/v1/sessions',
      payload: { username: 'alice', password: PASSWORD },
      remoteAddress: '127.0.0.1',
      headers: { 'x-forwarded-for': '203.0.113.8' },
    });
    expect(r.statusCode).toBe(201);
  });

  it('refuses a malformed entry in the configuration', () => {
    for (const bad of ['10.0.0.0/33', 'not-an-ip', '10.0.0.0/8/1', '::1/129']) {
      expect(() => validateConfig({ api: { trustedProxies: [bad] } }, {})).toThrow(/trustedProxies/);
    }
    expect(
      validateConfig({ api: { trustedProxies: ['10.0.0.0/8', '::1', 'fd00::/8'] } }, {}).config.api
        .trustedProxies,
    ).toHaveLength(3);
  });
});
