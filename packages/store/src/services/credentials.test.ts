import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../errors.js';
import { type MigratedTestDb, migratedTestDb } from '../test-support/db.js';
import * as credentials from './credentials.js';
import * as users from './users.js';

let t: MigratedTestDb;
beforeAll(async () => {
  t = await migratedTestDb();
  await users.add(t.knex, { name: 'ada', roles: ['user'] });
  await users.add(t.knex, { name: 'bob', roles: ['user'] });
});
afterAll(async () => {
  await t?.close();
});

const inAnHour = () => new Date(Date.now() + 3_600_000);

describe('credentials', () => {
  it('issues a secret that authenticates its user and stores only its hash', async () => {
    const { credential, secret } = await credentials.issue(t.knex, {
      kind: 'token',
      user: 'ada',
      name: 'billing',
    });
    expect(secret).toMatch(/^fgt_[A-Za-z0-9_-]{43}$/);
    const auth = await credentials.authenticate(t.knex, secret);
    expect(auth?.user.name).toBe('ada');
    expect(auth?.credential.id).toBe(credential.id);
    const row = await t.knex('credentials').where({ id: credential.id }).first();
    expect(JSON.stringify(row)).not.toContain(secret.slice(4));
    expect(row.secret_hash).toBe(credentials.hashSecret(secret));
  });

  it('refuses unknown, malformed, revoked and expired secrets', async () => {
    expect(await credentials.authenticate(t.knex, 'fgt_' + 'A'.repeat(43))).toBeNull();
    expect(await credentials.authenticate(t.knex, "' OR 1=1 --")).toBeNull();
    const s = await credentials.issue(t.knex, { kind: 'session', user: 'ada', expiresAt: inAnHour() });
    expect(s.secret.startsWith('fgs_')).toBe(true);
    expect(await credentials.authenticate(t.knex, s.secret)).not.toBeNull();
    expect(await credentials.revoke(t.knex, s.credential.id)).toBe(true);
    expect(await credentials.revoke(t.knex, s.credential.id)).toBe(false);
    expect(await credentials.authenticate(t.knex, s.secret)).toBeNull();

    const e = await credentials.issue(t.knex, { kind: 'session', user: 'ada', expiresAt: inAnHour() });
    const later = new Date(Date.now() + 2 * 3_600_000);
    expect(await credentials.authenticate(t.knex, e.secret, { now: later })).toBeNull();
  });

  it('expires idle sessions but not tokens', async () => {
    const s = await credentials.issue(t.knex, {
      kind: 'session',
      user: 'bob',
      expiresAt: new Date(Date.now() + 86_400_000),
    });
    const tok = await credentials.issue(t.knex, { kind: 'token', user: 'bob' });
    const idle = { sessionIdleMs: 60_000, now: new Date(Date.now() + 120_000) };
    expect(await credentials.authenticate(t.knex, s.secret, idle)).toBeNull();
    expect(await credentials.authenticate(t.knex, tok.secret, idle)).not.toBeNull();
  });

  it('stops authenticating a disabled user and revokes all of a user', async () => {
    await users.add(t.knex, { name: 'carl', roles: ['user'] });
    const a = await credentials.issue(t.knex, { kind: 'token', user: 'carl' });
    const b = await credentials.issue(t.knex, { kind: 'session', user: 'carl', expiresAt: inAnHour() });
    await users.disable(t.knex, 'carl');
    expect(await credentials.authenticate(t.knex, a.secret)).toBeNull();
    await users.enable(t.knex, 'carl');
    expect(await credentials.authenticate(t.knex, a.secret)).not.toBeNull();
    expect(await credentials.revokeAllOf(t.knex, 'carl')).toBe(2);
    expect(await credentials.authenticate(t.knex, b.secret)).toBeNull();
    expect(await credentials.list(t.knex, { user: 'carl' })).toEqual([]);
    expect(await credentials.list(t.knex, { user: 'carl', includeRevoked: true })).toHaveLength(2);
  });

  it('rejects sessions without expiry, past expiries and long names', async () => {
    await expect(credentials.issue(t.knex, { kind: 'session', user: 'ada' })).rejects.toThrow(
      InvalidInputError,
    );
    await expect(
      credentials.issue(t.knex, { kind: 'token', user: 'ada', expiresAt: new Date(Date.now() - 1000) }),
    ).rejects.toThrow(/future/);
    await expect(
      credentials.issue(t.knex, { kind: 'token', user: 'ada', name: 'x'.repeat(129) }),
    ).rejects.toThrow(/128/);
  });
});
