import { type Knex, type MigrateResult, type Migration, migrate } from '@faxgate/store';
import { m0100AuditEvents } from './0100_audit_events.js';
import { m0101XferLog } from './0101_xfer_log.js';
import { m0102LockdownIndex } from './0102_lockdown_index.js';
import { m0103AuditBatchSeal } from './0103_audit_batch_seal.js';
import { m0104AuditSealOffCommit } from './0104_audit_seal_off_commit.js';
import { m0105AuditTimeBrin } from './0105_audit_time_brin.js';

/**
 * The audit package's migrations (audit trail 0100, send/receive log 0101, lockdown index
 * 0102, sealing without serialised commits 0103, no seal in the commit path 0104, a BRIN index on
 * time instead of a B-tree 0105).
 */
export const auditMigrations: readonly Migration[] = [
  m0100AuditEvents,
  m0101XferLog,
  m0102LockdownIndex,
  m0103AuditBatchSeal,
  m0104AuditSealOffCommit,
  m0105AuditTimeBrin,
];

/**
 * Store + audit migrations: what `faxgate db migrate` runs. Higher layers with migrations
 * of their own pass them as `extra`.
 */
export function migrateAll(knex: Knex, extra: readonly Migration[] = []): Promise<MigrateResult> {
  return migrate(knex, [...auditMigrations, ...extra]);
}
