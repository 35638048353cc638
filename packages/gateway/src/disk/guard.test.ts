// The disk guard against real PostgreSQL: free space read through an injected probe (a full
// disk is hard to make in a test), the database size and statfs read for real.
import os from 'node:os';
import { auditMigrations } from '@faxgate/audit';
import type { Knex } from '@faxgate/store';
import { type MigratedTestDb, migratedTestDb } from '@faxgate/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAlerts } from '../alerts/alerts.js';
import type { Logger } from '../logger.js';
import { type DiskConfig, diskSchema } from './config.js';
import { type DiskGuard, startDiskGuard } from './guard.js';
import { directoryLevel } from './levels.js';
import { type SpaceReading, statfsProbe } from './probe.js';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
let t: MigratedTestDb;
let db: Knex;
const guards: DiskGuard[] = [];
const lines: string[] = [];
const log = Object.fromEntries(
  ['error', 'warn', 'info', 'http', 'debug'].map((l) => [l, (m: string) => void lines.push(`${l} ${m}`)]),
) as unknown as Logger;

beforeAll(async () => {
  t = await migratedTestDb({ extra: [...auditMigrations] });
  db = t.knex;
});
afterAll(async () => {
  for (const g of guards) await g.stop();
  await t?.close();
});

const config = (c: Partial<DiskConfig> = {}): DiskConfig => ({ ...diskSchema.parse({}), ...c });

/** Free space per path, changed by the test. */
function fakeDisks(initial: Record<string, SpaceReading>) {
  const disks = { ...initial };
  return { disks, probe: async (p: string) => disks[p] ?? Promise.reject(new Error(`no disk at ${p}`)) };
}

async function diskEvents() {
  return (await db('audit_events').where({ type: 'disk.state' }).orderBy('id').select('details')).map(
    (r) => r.details,
  );
}

describe('disk levels', () => {
  const c = config();
  it('trips by percent or by bytes, critical before warning', () => {
    expect(directoryLevel({ totalBytes: 100 * GiB, freeBytes: 50 * GiB }, c)).toBe('ok');
    expect(directoryLevel({ totalBytes: 100 * GiB, freeBytes: 9 * GiB }, c)).toBe('warning');
    expect(directoryLevel({ totalBytes: 100 * GiB, freeBytes: 2 * GiB }, c)).toBe('critical');
    // a huge filesystem: 1 % free is still many GiB — ok by bytes? no: percent trips
    expect(directoryLevel({ totalBytes: 100_000 * GiB, freeBytes: 1000 * GiB }, c)).toBe('critical');
    // a small filesystem: 50 % free but only 200 MiB
    expect(directoryLevel({ totalBytes: 400 * MiB, freeBytes: 200 * MiB }, c)).toBe('critical');
    expect(directoryLevel({ totalBytes: 4 * GiB, freeBytes: 1 * GiB }, c)).toBe('warning');
  });

  it('refuses thresholds the wrong way round', () => {
    expect(() => diskSchema.parse({ warningPercent: 2, criticalPercent: 5 })).toThrow(/criticalPercent/);
  });
});

describe('disk guard', () => {
  it('goes critical, refuses, and resumes by itself; audited and alerted once per change', async () => {
    const { disks, probe } = fakeDisks({
      '/spool': { totalBytes: 100 * GiB, freeBytes: 50 * GiB },
      '/tmp': { totalBytes: 100 * GiB, freeBytes: 50 * GiB },
    });
    const g = await startDiskGuard({
      db,
      log,
      actor: 'gateway:test',
      disk: config({ intervalSeconds: 3600 }),
      dirs: { spool: '/spool', tmp: '/tmp' },
      probe,
      node: 'node-a',
    });
    guards.push(g);
    expect(g.state().level).toBe('ok');
    expect(g.refusal()).toBeUndefined();
    // the database size is real
    const database = g.state().targets.find((x) => x.name === 'database');
    expect(database?.sizeBytes).toBeGreaterThan(1 * MiB);

    disks['/spool'] = { totalBytes: 100 * GiB, freeBytes: 1 * GiB };
    expect((await g.check()).level).toBe('critical');
    expect(g.refusal()).toMatch(
      /^disk space critical \(spool \/spool: 1\.0 GiB free, 1\.0 % \(critical below 3 %/,
    );
    expect(
      lines.some((l) =>
        /^error disk guard: ok → critical: .* submissions and incoming calls refused$/.test(l),
      ),
    ).toBe(true);
    await g.check(); // the same again: nothing new recorded
    expect((await openAlerts(db, 'disk.')).map((a) => [a.key, a.severity])).toEqual([
      ['disk.spool:node-a', 'critical'],
    ]);

    disks['/spool'] = { totalBytes: 100 * GiB, freeBytes: 8 * GiB };
    expect((await g.check()).level).toBe('warning');
    expect(g.refusal()).toBeUndefined();
    expect((await openAlerts(db, 'disk.')).map((a) => a.severity)).toEqual(['warning']);

    disks['/spool'] = { totalBytes: 100 * GiB, freeBytes: 40 * GiB };
    expect((await g.check()).level).toBe('ok');
    expect(await openAlerts(db, 'disk.')).toEqual([]);

    expect((await diskEvents()).map((d) => `${d.previous}→${d.level} ${d.refusing}`)).toEqual([
      'ok→critical true',
      'critical→warning false',
      'warning→ok false',
    ]);
    const alerts = await db('audit_events')
      .whereIn('type', ['alert.raised', 'alert.cleared'])
      .orderBy('id')
      .select('type', 'details');
    expect(alerts.map((a) => `${a.type} ${a.details.key} ${a.details.severity}`)).toEqual([
      'alert.raised disk.spool:node-a critical',
      'alert.raised disk.spool:node-a warning',
      'alert.cleared disk.spool:node-a warning',
    ]);
  });

  it('a database over its size limit is critical; an unreadable directory is a warning', async () => {
    const { probe } = fakeDisks({ '/spool': { totalBytes: 100 * GiB, freeBytes: 50 * GiB } });
    const g = await startDiskGuard({
      db,
      log,
      actor: 'gateway:test',
      disk: config({ intervalSeconds: 3600, databaseWarningBytes: 1024, databaseCriticalBytes: 2048 }),
      dirs: { spool: '/spool', tmp: '/nowhere' },
      probe,
      node: 'node-b',
    });
    guards.push(g);
    const s = g.state();
    expect(s.level).toBe('critical');
    expect(s.targets.map((x) => [x.name, x.level])).toEqual([
      ['spool', 'ok'],
      ['tmp', 'warning'],
      ['database', 'critical'],
    ]);
    expect(s.targets[1].error).toBe('no disk at /nowhere');
    expect(g.refusal()).toMatch(/database size .* \(critical above 2\.0 KiB\)/);
    await g.stop();
  });

  it('reads real free space with statfs (a directory not made yet: its parent)', async () => {
    const r = await statfsProbe(os.tmpdir());
    expect(r.totalBytes).toBeGreaterThan(0);
    expect(r.freeBytes).toBeGreaterThan(0);
    expect(r.freeBytes).toBeLessThanOrEqual(r.totalBytes);
    const missing = await statfsProbe(`${os.tmpdir()}/faxgate-not-made-${process.pid}/archive`);
    expect(missing.totalBytes).toBe(r.totalBytes);
    await expect(statfsProbe('/proc/self/fd/0/x')).rejects.toThrow();
  });
});
