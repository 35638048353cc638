import { migratedTestDb } from '@faxgate/store/testing';
import { describe, expect, it } from 'vitest';
import { auditMigrations } from './migrations/index.js';

const plan = async (knex: Awaited<ReturnType<typeof migratedTestDb>>['knex'], sql: string) =>
  ((await knex.raw(`EXPLAIN ${sql}`)).rows as Array<{ 'QUERY PLAN': string }>)
    .map((r) => r['QUERY PLAN'])
    .join('\n');

describe('0102_lockdown_index', () => {
  it("serves the daemon's evidence lookup and the report's counts without scanning the trail", async () => {
    const t = await migratedTestDb({ extra: auditMigrations });
    try {
      await t.knex.raw('SET enable_seqscan = off');
      await t.knex.raw('SET enable_indexscan = on');
      const newest = await plan(
        t.knex,
        `SELECT details FROM audit_events WHERE type IN ('lockdown.evidence', 'lockdown.profile_changed') ORDER BY id DESC LIMIT 1`,
      );
      expect(newest).toContain('audit_events_lockdown_idx');
      const counts = await plan(
        t.knex,
        `SELECT type, count(*) FROM audit_events WHERE type IN ('lockdown.violation', 'lockdown.call_rejected') GROUP BY type`,
      );
      expect(counts).toContain('audit_events_lockdown_idx');
    } finally {
      await t.close();
    }
  });
});
