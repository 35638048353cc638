// Alerts against real PostgreSQL: raised once per key until cleared, escalation raised
// again, several "nodes" (connections) raising at once append one event.
import { auditMigrations } from '@faxgate/audit';
import type { Knex } from '@faxgate/store';
import { type MigratedTestDb, migratedTestDb } from '@faxgate/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearAlert, openAlerts, raiseAlert, setAlert } from './alerts.js';

let t: MigratedTestDb;
let db: Knex;
const actor = 'gateway:test';

beforeAll(async () => {
  t = await migratedTestDb({ extra: [...auditMigrations], poolMax: 8 });
  db = t.knex;
});
afterAll(async () => {
  await t?.close();
});

async function events(key: string) {
  const rows = await db('audit_events')
    .whereIn('type', ['alert.raised', 'alert.cleared'])
    .andWhere('subject', `alert:${key}`)
    .orderBy('id')
    .select('type', 'details', 'actor');
  return rows.map((r) => ({ type: r.type, ...r.details, actor: r.actor }));
}

describe('alerts', () => {
  it('raises once per key until cleared, and clears once', async () => {
    const a = {
      key: 'disk.spool',
      severity: 'warning' as const,
      source: 'disk-guard',
      summary: 'spool: 9 % free',
    };
    expect(await raiseAlert(db, a, { actor })).toBe(true);
    expect(await raiseAlert(db, { ...a, summary: 'spool: 8 % free' }, { actor })).toBe(false);
    expect((await openAlerts(db)).map((x) => [x.key, x.severity, x.summary])).toEqual([
      ['disk.spool', 'warning', 'spool: 9 % free'],
    ]);
    expect(await clearAlert(db, 'disk.spool', 'spool: 40 % free', { actor })).toBe(true);
    expect(await clearAlert(db, 'disk.spool', 'spool: 40 % free', { actor })).toBe(false);
    expect(await openAlerts(db)).toEqual([]);
    expect(await events('disk.spool')).toEqual([
      {
        type: 'alert.raised',
        key: 'disk.spool',
        severity: 'warning',
        source: 'disk-guard',
        summary: 'spool: 9 % free',
        actor,
      },
      {
        type: 'alert.cleared',
        key: 'disk.spool',
        severity: 'warning',
        source: 'disk-guard',
        summary: 'spool: 40 % free',
        actor,
      },
    ]);
  });

  it('raises again when the severity changes', async () => {
    const a = { key: 'disk.tmp', severity: 'warning' as const, source: 'disk-guard', summary: 'tmp low' };
    expect(await raiseAlert(db, a, { actor })).toBe(true);
    expect(await raiseAlert(db, { ...a, severity: 'critical', summary: 'tmp full' }, { actor })).toBe(true);
    expect(await raiseAlert(db, { ...a, severity: 'critical', summary: 'tmp full' }, { actor })).toBe(false);
    expect((await events('disk.tmp')).map((e) => `${e.type} ${e.severity}`)).toEqual([
      'alert.raised warning',
      'alert.raised critical',
    ]);
    expect(await setAlert(db, false, a, 'tmp fine', { actor })).toBe(true);
  });

  it('appends one event when several nodes raise the same alert at once', async () => {
    const a = {
      key: 'check.redis',
      severity: 'critical' as const,
      source: 'health-checks',
      summary: 'redis down',
    };
    const results = await Promise.all(Array.from({ length: 6 }, () => raiseAlert(db, a, { actor })));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await events('check.redis')).toHaveLength(1);
  });

  it('refuses bad keys, severities and empty summaries; keeps the summary to one line', async () => {
    const ok = { key: 'x.y', severity: 'warning' as const, source: 's', summary: 'fine' };
    await expect(raiseAlert(db, { ...ok, key: 'Bad Key' }, { actor })).rejects.toThrow(/alert key/);
    await expect(raiseAlert(db, { ...ok, severity: 'fatal' as never }, { actor })).rejects.toThrow(
      /severity/,
    );
    await expect(raiseAlert(db, { ...ok, summary: '  \n ' }, { actor })).rejects.toThrow(/summary/);
    await raiseAlert(db, { ...ok, key: 'multi.line', summary: 'a\nb\t c' }, { actor });
    expect((await openAlerts(db, 'multi.')).map((x) => x.summary)).toEqual(['a b c']);
  });
});
