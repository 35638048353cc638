import { credentials } from '@faxgate/store';
import { describe, expect, it } from 'vitest';
import { client, PASSWORD, useApiFixture } from '../test-support/api-fixture.js';
import { DEFAULT_THROTTLE_LIMITS } from './login-throttle.js';

const f = useApiFixture();

const login = (username: string, password: string) =>
  fetch(`${f.base}/api/v1/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });

/** A login from another client address (the per-address throttle counts each apart). */
const loginFrom = (remoteAddress: string, username: string, password: string) =>
  f.app.inject({ method: 'POST', url: '/api/v1/sessions', payload: { username, password }, remoteAddress });

async function auditTypes(type: string): Promise<Array<{ actor: string; details: Record<string, unknown> }>> {
  return f.db('audit_events').where({ type }).orderBy('id').select('actor', 'details');
}

describe('REST API authentication', () => {
  it('refuses a wrong password with one answer for every reason, records it, and throttles', async () => {
    for (const [u, p] of [
      ['alice', 'wrong password'],
      ['nobody', PASSWORD],
    ]) {
      const r = await login(u, p);
      expect(r.status).toBe(401);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe('invalid_credentials');
    }
    const failed = await auditTypes('auth.failed');
    expect(failed.map((e) => [e.actor, e.details.reason])).toEqual([
      ['alice', 'bad_password'],
      ['nobody', 'unknown_user'],
    ]);
    for (let i = 0; i < 5; i++) expect((await login('bob', 'nope nope')).status).toBe(401);
    const blocked = await login('bob', 'nope nope');
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    // The right password does not get through while blocked either.
    expect((await login('bob', PASSWORD)).status).toBe(429);
  });

  it('logs in with a session token and a cookie, and logs out', async () => {
    const r = await login('alice', PASSWORD);
    expect(r.status).toBe(201);
    const body = (await r.json()) as { token: string; user: { name: string; roles: string[] } };
    expect(body.user).toMatchObject({ name: 'alice', roles: ['user'] });
    expect(JSON.stringify(body)).not.toMatch(/hash/i);
    const cookie = r.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^faxgate_session=fgs_/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);

    const me = await fetch(`${f.base}/api/v1/me`, { headers: { authorization: `Bearer ${body.token}` } });
    expect(me.status).toBe(200);
    const mine = (await me.json()) as {
      mailboxes: Array<{ mailbox: { name: string }; rights: string[] }>;
      capabilities: string[];
    };
    expect(mine.mailboxes.map((m) => [m.mailbox.name, m.rights.sort()])).toEqual([
      ['alice-out', ['out.delete', 'out.modify', 'out.send', 'out.stop']],
    ]);
    expect(mine.capabilities).toEqual([]);

    const sessionCookie = cookie.split(';')[0];
    expect((await fetch(`${f.base}/api/v1/me`, { headers: { cookie: sessionCookie } })).status).toBe(200);
    // A change on the cookie alone needs the CSRF header.
    const noHeader = await fetch(`${f.base}/api/v1/sessions/current`, {
      method: 'DELETE',
      headers: { cookie: sessionCookie },
    });
    expect(noHeader.status).toBe(403);
    const out = await fetch(`${f.base}/api/v1/sessions/current`, {
      method: 'DELETE',
      headers: { cookie: sessionCookie, 'x-faxgate-request': '1' },
    });
    expect(out.status).toBe(204);
    expect(
      (await fetch(`${f.base}/api/v1/me`, { headers: { authorization: `Bearer ${body.token}` } })).status,
    ).toBe(401);
    expect((await auditTypes('auth.logout')).length).toBe(1);
  });

  it('answers 401 in the one error format without or with a bad token', async () => {
    const cases: Record<string, string>[] = [
      {},
      { authorization: 'Bearer fgt_nonsense' },
      { authorization: 'Basic YTpi' },
    ];
    for (const headers of cases) {
      const r = await fetch(`${f.base}/api/v1/faxes`, { headers });
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toMatch(/^Bearer/);
      const e = (await r.json()) as { error: { code: string; message: string } };
      expect(e.error.code).toBe('unauthenticated');
      expect(e.error.message.length).toBeGreaterThan(5);
    }
  });

  it('creates, uses and revokes API tokens; only user.manage acts for others', async () => {
    const alice = client(f, 'alice');
    const created = await alice('/api/v1/tokens', { method: 'POST', json: { name: 'scanner' } });
    expect(created.status).toBe(201);
    const { token, credential } = (await created.json()) as {
      token: string;
      credential: { id: number; kind: string };
    };
    expect(token).toMatch(/^fgt_/);
    expect(credential.kind).toBe('token');
    const useIt = await fetch(`${f.base}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(((await useIt.json()) as { user: { name: string } }).user.name).toBe('alice');

    expect((await alice('/api/v1/tokens', { method: 'POST', json: { name: 'x', user: 'bob' } })).status).toBe(
      403,
    );
    expect((await alice('/api/v1/tokens?user=bob')).status).toBe(403);
    const forBob = await client(f, 'admin')('/api/v1/tokens', {
      method: 'POST',
      json: { name: 'bob-app', user: 'bob' },
    });
    expect(forBob.status).toBe(201);

    const listed = (await (await alice('/api/v1/tokens')).json()) as Array<{ id: number; name: string }>;
    expect(listed.map((t) => t.name)).toEqual(['scanner']);
    expect(JSON.stringify(listed)).not.toContain('secret');
    expect((await client(f, 'bob')(`/api/v1/tokens/${credential.id}`, { method: 'DELETE' })).status).toBe(
      403,
    );
    expect((await alice(`/api/v1/tokens/${credential.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await alice(`/api/v1/tokens/${credential.id}`, { method: 'DELETE' })).status).toBe(409);
    expect(
      (await fetch(`${f.base}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } })).status,
    ).toBe(401);
    expect((await auditTypes('auth.token_create')).length).toBe(2);
    expect((await auditTypes('auth.token_revoke')).length).toBe(1);
    expect((await auditTypes('access.denied')).length).toBeGreaterThanOrEqual(3);
  });

  it('ends sessions when the account is disabled', async () => {
    const r = await login('op', PASSWORD);
    const { token } = (await r.json()) as { token: string };
    const patch = await client(f, 'admin')('/api/v1/users/op', { method: 'PATCH', json: { disabled: true } });
    expect(patch.status).toBe(200);
    expect(
      (await fetch(`${f.base}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } })).status,
    ).toBe(401);
    expect(await credentials.list(f.db, { user: 'op' })).toEqual([]);
  });
  it('counts 25 concurrent wrong passwords before checking any: the limit is checked, the rest 429, one audit event', async () => {
    // Each from another address: the per-address limit stays out of it.
    const answers = await Promise.all(
      Array.from({ length: 25 }, (_, i) => loginFrom(`127.0.1.${i + 1}`, 'audi', 'wrong wrong')),
    );
    const codes = answers.map((r) => r.statusCode);
    expect(codes.filter((c) => c === 401)).toHaveLength(DEFAULT_THROTTLE_LIMITS.perName);
    expect(codes.filter((c) => c === 429)).toHaveLength(25 - DEFAULT_THROTTLE_LIMITS.perName);
    const events = (await auditTypes('auth.failed')).filter((e) => e.actor === 'audi');
    expect(events).toHaveLength(1);
    expect(events[0].details).toMatchObject({ failures: 1, aggregatedSeconds: 60 });
    const pending = await f.db('login_throttle').where({ key: 'name:audi' }).first();
    expect(pending.unreported).toBe(24);
  });

  it('throttles a name from every other loopback address too, and ignores X-Forwarded-For without trusted proxies', async () => {
    const body = { username: 'audi', password: PASSWORD };
    for (const remoteAddress of ['127.0.0.2', '127.0.0.99', '127.1.2.3']) {
      const r = await f.app.inject({ method: 'POST', url: '/api/v1/sessions', payload: body, remoteAddress });
      expect(r.statusCode).toBe(429);
      expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
    }
    const spoof = await f.app.inject({
      method: 'POST',
      url: '/api/v1/sessions',
      payload: { username: 'nobody-here', password: 'whatever it is' },
      remoteAddress: '127.0.0.5',
      headers: { 'x-forwarded-for': '203.0.113.5' },
    });
    expect(spoof.statusCode).toBe(401);
    expect(await f.db('login_throttle').where({ key: 'addr:203.0.113.5' })).toEqual([]);
    expect(await f.db('login_throttle').where({ key: 'addr:127.0.0.5' }).first()).toMatchObject({
      attempts: 1,
    });
  });

  it('answers 400, not 500, for a NUL in the user name', async () => {
    const r = await login('ali\u0000ce', PASSWORD);
    expect(r.status).toBe(400);
  });

  it('tells a caller which credential it uses', async () => {
    const r = await client(f, 'bob')('/api/v1/sessions/current');
    expect(r.status).toBe(200);
    // Without credentials both new routes answer 401, and nothing changes.
    expect((await fetch(`${f.base}/api/v1/sessions/current`)).status).toBe(401);
    const anon = await fetch(`${f.base}/api/v1/sessions/current/password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ oldPassword: PASSWORD, newPassword: 'whatever it is' }),
    });
    expect(anon.status).toBe(401);
    expect(await r.json()).toMatchObject({ user: { name: 'bob' }, credential: { kind: 'session' } });
  });

  it("changes one's own password with the old one: other sessions and tokens end, this one stays", async () => {
    const admin = client(f, 'admin');
    expect(
      (await admin('/api/v1/users', { method: 'POST', json: { name: 'pat', password: PASSWORD } })).status,
    ).toBe(201);
    const sessionA = (await loginFrom('127.0.2.1', 'pat', PASSWORD)).json().token as string;
    const sessionB = (await loginFrom('127.0.2.2', 'pat', PASSWORD)).json().token as string;
    const as =
      (secret: string) =>
      (path: string, init: RequestInit & { json?: unknown } = {}) =>
        fetch(f.base + path, {
          ...init,
          headers: {
            authorization: `Bearer ${secret}`,
            ...(init.json === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: init.json === undefined ? undefined : JSON.stringify(init.json),
        });
    const tok = (
      (await (await as(sessionA)('/api/v1/tokens', { method: 'POST', json: { name: 'cron' } })).json()) as {
        token: string;
      }
    ).token;
    const change = (json: unknown) =>
      as(sessionA)('/api/v1/sessions/current/password', { method: 'POST', json });
    expect((await change({ newPassword: 'the next password' })).status).toBe(400);
    const wrong = await change({ oldPassword: 'not it at all', newPassword: 'the next password' });
    expect(wrong.status).toBe(403);
    const denied = await f
      .db('audit_events')
      .where({ type: 'access.denied', actor: 'pat' })
      .select('details');
    expect(denied.map((e) => e.details.reason)).toEqual(['the old password is wrong']);
    expect((await as(tok)('/api/v1/me')).status).toBe(200);
    const ok = await change({ oldPassword: PASSWORD, newPassword: 'the next password' });
    expect(ok.status).toBe(200);
    expect((await as(sessionA)('/api/v1/me')).status).toBe(200);
    expect((await as(sessionB)('/api/v1/me')).status).toBe(401);
    expect((await as(tok)('/api/v1/me')).status).toBe(401);
    const set = await f
      .db('audit_events')
      .where({ type: 'admin.password_set', actor: 'pat' })
      .select('details');
    expect(set.map((e) => e.details)).toEqual([expect.objectContaining({ self: true, credentialsEnded: 2 })]);
    // An admin's reset ends every credential, the current one included.
    expect(
      (await admin('/api/v1/users/pat', { method: 'PATCH', json: { password: 'reset by admin' } })).status,
    ).toBe(200);
    expect((await as(sessionA)('/api/v1/me')).status).toBe(401);
    expect((await loginFrom('127.0.2.3', 'pat', 'reset by admin')).statusCode).toBe(201);
  });

  it('throttles guessing the old password through a stolen session like a login', async () => {
    const admin = client(f, 'admin');
    expect(
      (await admin('/api/v1/users', { method: 'POST', json: { name: 'quinn', password: PASSWORD } })).status,
    ).toBe(201);
    const session = (await loginFrom('127.0.3.1', 'quinn', PASSWORD)).json().token as string;
    const patch = (oldPassword: string) =>
      f.app.inject({
        method: 'PATCH',
        url: '/api/v1/users/quinn',
        headers: { authorization: `Bearer ${session}` },
        payload: { password: 'a guessed new one', oldPassword },
        remoteAddress: '127.0.3.2',
      });
    const codes: number[] = [];
    for (let i = 0; i < DEFAULT_THROTTLE_LIMITS.perName; i++)
      codes.push((await patch(`guess ${i}`)).statusCode);
    expect(codes.every((c) => c === 403)).toBe(true);
    const blocked = await patch(PASSWORD); // the right one, but the name is blocked now
    expect(blocked.statusCode).toBe(429);
    const failed = (await auditTypes('auth.failed')).filter((e) => e.actor === 'quinn');
    expect(failed[0].details).toMatchObject({ reason: 'bad_old_password', failures: 1 });
    expect((await loginFrom('127.0.3.3', 'quinn', PASSWORD)).statusCode).toBe(429);
  });
});
