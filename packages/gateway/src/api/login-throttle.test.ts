// The login throttle against real PostgreSQL: counted before verifying (concurrent attempts
// cannot slip through), per name across addresses and per address, never evicted by a
// flood of other names, expiring, and auditing failures aggregated per key and window.
import { auditMigrations } from '@faxgate/audit';
import { type MigratedTestDb, migratedTestDb } from '@faxgate/store/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { addressKey, createLoginThrottle, DEFAULT_THROTTLE_LIMITS, nameKey } from './login-throttle.js';

let t: MigratedTestDb;

beforeAll(async () => {
  t = await migratedTestDb({ extra: [...auditMigrations], poolMax: 8 });
}, 60_000);
afterAll(async () => {
  await t?.close();
});
beforeEach(async () => {
  await t.knex('login_throttle').delete();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function failedEvents(actor: string) {
  return t.knex('audit_events').where({ type: 'auth.failed', actor }).orderBy('id').select('details');
}

describe('login throttle in PostgreSQL', () => {
  it('lets exactly the limit of 25 concurrent attempts through, the rest are refused before any check', async () => {
    const throttle = createLoginThrottle(t.knex);
    const verdicts = await Promise.all(
      Array.from({ length: 25 }, () => throttle.begin('carol', '127.0.0.1')),
    );
    expect(verdicts.filter((v) => v.allowed)).toHaveLength(DEFAULT_THROTTLE_LIMITS.perName);
    const refused = verdicts.filter((v) => !v.allowed);
    expect(refused).toHaveLength(25 - DEFAULT_THROTTLE_LIMITS.perName);
    for (const v of refused) {
      expect(v).toMatchObject({ allowed: false, by: 'name' });
      if (!v.allowed) expect(v.retryAfter).toBeGreaterThan(DEFAULT_THROTTLE_LIMITS.windowSeconds - 60);
    }
  });

  it('counts a name across addresses: other loopback addresses are throttled too', async () => {
    const throttle = createLoginThrottle(t.knex);
    for (let i = 1; i <= 5; i++) expect((await throttle.begin('Dave', `127.0.0.${i}`)).allowed).toBe(true);
    expect(await throttle.begin('dave', '127.0.0.77')).toMatchObject({ allowed: false, by: 'name' });
    expect(await throttle.begin('DAVE', '::1')).toMatchObject({ allowed: false, by: 'name' });
    // Another name from the same addresses is not affected.
    expect((await throttle.begin('erin', '127.0.0.1')).allowed).toBe(true);
  });

  it('counts an address across names', async () => {
    const throttle = createLoginThrottle(t.knex, { ...DEFAULT_THROTTLE_LIMITS, perAddress: 10 });
    for (let i = 0; i < 10; i++) expect((await throttle.begin(`name${i}`, '192.0.2.9')).allowed).toBe(true);
    expect(await throttle.begin('fresh-name', '192.0.2.9')).toMatchObject({ allowed: false, by: 'address' });
    expect((await throttle.begin('fresh-name', '192.0.2.10')).allowed).toBe(true);
  });

  it('a flood of 10,000 other failing names does not lift a block', async () => {
    const throttle = createLoginThrottle(t.knex);
    for (let i = 0; i < 6; i++) await throttle.begin('victim', '127.0.0.1');
    expect((await throttle.begin('victim', '127.0.0.1')).allowed).toBe(false);
    const names = Array.from({ length: 10_000 }, (_, i) => i);
    for (let i = 0; i < names.length; i += 50) {
      await Promise.all(
        names.slice(i, i + 50).map(async (n) => {
          const addr = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
          await throttle.begin(`flood${n}`, addr);
          // Every hundredth also through the failure path (each an audit event: slow).
          if (n % 100 === 0) await throttle.failed(`flood${n}`, addr, 'unknown_user');
        }),
      );
    }
    expect(Number((await t.knex('login_throttle').count('* as n').first())?.n)).toBeGreaterThan(20_000);
    expect(await throttle.begin('victim', '127.0.0.1')).toMatchObject({ allowed: false, by: 'name' });
    expect(await throttle.begin('victim', '127.0.0.200')).toMatchObject({ allowed: false, by: 'name' });
  }, 120_000);

  it('a success clears its name and refunds its own address attempt', async () => {
    const throttle = createLoginThrottle(t.knex, { ...DEFAULT_THROTTLE_LIMITS, perName: 3, perAddress: 4 });
    await throttle.begin('frank', '192.0.2.1');
    await throttle.begin('frank', '192.0.2.1');
    await throttle.begin('frank', '192.0.2.1');
    await throttle.succeeded('frank', '192.0.2.1');
    const rows = await t.knex('login_throttle').orderBy('key').select('key', 'attempts');
    expect(rows).toEqual([
      { key: 'addr:192.0.2.1', attempts: 2 },
      { key: 'name:frank', attempts: 0 },
    ]);
    expect((await throttle.begin('frank', '192.0.2.1')).allowed).toBe(true);
  });

  it('expires with its window, and flush deletes expired rows', async () => {
    const throttle = createLoginThrottle(t.knex, {
      ...DEFAULT_THROTTLE_LIMITS,
      perName: 1,
      windowSeconds: 1,
    });
    expect((await throttle.begin('gina', '192.0.2.2')).allowed).toBe(true);
    expect(await throttle.begin('gina', '192.0.2.2')).toMatchObject({ allowed: false, retryAfter: 1 });
    await sleep(1_100);
    expect((await throttle.begin('gina', '192.0.2.2')).allowed).toBe(true);
    await sleep(1_100);
    await throttle.flush();
    expect(await t.knex('login_throttle').where({ key: nameKey('gina') })).toEqual([]);
  });

  it('audits failures aggregated: one event per name and window, the count carried to the next', async () => {
    const throttle = createLoginThrottle(t.knex, { ...DEFAULT_THROTTLE_LIMITS, reportSeconds: 1 });
    for (let i = 0; i < 10; i++) {
      await throttle.begin('hank', '192.0.2.3');
      await throttle.failed('hank', '192.0.2.3', 'bad_password');
    }
    let events = await failedEvents('hank');
    expect(events).toHaveLength(1);
    expect(events[0].details).toMatchObject({ reason: 'bad_password', failures: 1, remote: '192.0.2.3' });
    expect(await throttle.flush()).toBe(0); // not due yet
    await sleep(1_100);
    expect(await throttle.flush()).toBeGreaterThanOrEqual(1);
    events = await failedEvents('hank');
    expect(events).toHaveLength(2);
    expect(events[1].details).toMatchObject({ failures: 9 });
    expect(events.reduce((n, e) => n + Number(e.details.failures), 0)).toBe(10);
  });

  it('aggregates attempts refused by the address limit under the address', async () => {
    const throttle = createLoginThrottle(t.knex, { ...DEFAULT_THROTTLE_LIMITS, perAddress: 2 });
    for (let i = 0; i < 50; i++) {
      const v = await throttle.begin(`spray${i}`, '198.51.100.1');
      await throttle.failed(
        `spray${i}`,
        '198.51.100.1',
        v.allowed ? 'unknown_user' : 'throttled',
        v.allowed ? undefined : v.by,
      );
    }
    const byAddress = await failedEvents('address:198.51.100.1');
    expect(byAddress).toHaveLength(1);
    expect(byAddress[0].details).toMatchObject({ reason: 'throttled', failures: 1 });
    const all = await t.knex('audit_events').where({ type: 'auth.failed' }).where('actor', 'like', 'spray%');
    expect(all).toHaveLength(2);
  });

  it('keys IPv6 clients by /64 and IPv4-mapped addresses as IPv4; any name is a safe key', () => {
    expect(addressKey('2001:db8:1:2:3:4:5:6')).toBe('addr:2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2::9')).toBe('addr:2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('addr:2001:db8:0:0::/64');
    expect(addressKey('::ffff:192.0.2.1')).toBe('addr:192.0.2.1');
    expect(addressKey('192.0.2.1')).toBe('addr:192.0.2.1');
    expect(nameKey('Bob\u0000x')).toBe('name:bob%00x');
  });
});
