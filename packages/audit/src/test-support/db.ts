// A fresh database with store + audit migrations, per test file.
import type { Knex } from '@faxgate/store';
import { type MigratedTestDb, migratedTestDb } from '@faxgate/store/testing';
import { auditMigrations } from '../migrations/index.js';

export type AuditTestDb = MigratedTestDb;

export function auditTestDb(poolMax = 4): Promise<AuditTestDb> {
  return migratedTestDb({ extra: auditMigrations, poolMax });
}

/**
 * Runs `sql` as the superuser with the append-only triggers switched off — what an
 * attacker with full database access could do. Tests use it to tamper with the trail.
 */
export async function tamper(knex: Knex, sql: string, bindings: unknown[] = []): Promise<void> {
  await knex.transaction(async (trx) => {
    await trx.raw('ALTER TABLE audit_events DISABLE TRIGGER USER');
    // biome-ignore lint/suspicious/noExplicitAny: raw bindings
    await trx.raw(sql, bindings as any);
    // Every user trigger back as it was (ALWAYS), whichever migrations created them.
    const { rows } = await trx.raw(
      `SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_events'::regclass AND NOT tgisinternal`,
    );
    for (const { tgname } of rows as { tgname: string }[]) {
      await trx.raw(`ALTER TABLE audit_events ENABLE ALWAYS TRIGGER "${tgname}"`);
    }
  });
}
