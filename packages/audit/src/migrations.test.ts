import { migrateDown, migrationStatus, openDatabase } from '@faxgate/store';
import { createTestDatabase } from '@faxgate/store/testing';
import { describe, expect, it } from 'vitest';
import { appendAuditEvent } from './append.js';
import { auditMigrations, migrateAll } from './migrations/index.js';
import { verifyAuditChain } from './verify.js';

describe('audit migrations', () => {
  it('merge with the store, roll back completely and apply again', async () => {
    const db = await createTestDatabase();
    const knex = openDatabase(db.url, { poolMax: 2 });
    try {
      // The store's own migrations come first (their list is the store's business); then ours.
      const { applied } = await migrateAll(knex);
      expect(applied.filter((n) => n >= '0100')).toEqual([
        '0100_audit_events',
        '0101_xfer_log',
        '0102_lockdown_index',
        '0103_audit_batch_seal',
        '0104_audit_seal_off_commit',
        '0105_audit_time_brin',
      ]);
      // exports read by time through a BRIN index; no B-tree on time costs every append
      const timeIndexes = async () =>
        (
          await knex.raw(
            `SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'audit_events' AND indexdef LIKE '%("time")%' OR tablename = 'audit_events' AND indexdef LIKE '%(time)%'`,
          )
        ).rows.map(
          (r: { indexname: string; indexdef: string }) =>
            `${r.indexname} ${/USING (\w+)/.exec(r.indexdef)?.[1]}`,
        );
      expect(await timeIndexes()).toEqual(['audit_events_time_brin brin']);
      expect(applied.slice(0, 4)).toEqual([
        '0001_core',
        '0002_credentials',
        '0003_notification_cursors',
        '0004_one_call_per_number',
      ]);
      expect((await migrationStatus(knex, auditMigrations)).pending).toEqual([]);
      // The audit trail's functions (the store has its own, e.g. faxgate_directory_notify).
      const functions = async () =>
        (
          await knex.raw(
            `SELECT count(*) AS n FROM pg_proc WHERE proname LIKE 'faxgate\\_audit\\_%' OR proname = 'faxgate_refuse_change'`,
          )
        ).rows[0].n;
      expect(await functions()).toBe(6); // 0104 dropped the commit-time seal
      await knex.transaction((trx) => appendAuditEvent(trx, { type: 'system.migrate', actor: 'system' }));
      expect((await migrateDown(knex, auditMigrations, { all: true })).applied).toHaveLength(applied.length);
      expect(await functions()).toBe(0);
      await migrateAll(knex);
      expect(await verifyAuditChain(knex)).toEqual({ ok: true, checked: 0, lastSeq: 0, unsealed: 0 });
    } finally {
      await knex.destroy();
      await db.drop();
    }
  });
});
