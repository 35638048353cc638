// A fresh database with store + audit migrations, per test file.
import { type Knex, openDatabase } from '@faxgate/store';
import { createTestDatabase, type TestDatabase } from '@faxgate/store/testing';
import { migrateAll } from '../migrations/index.js';

export interface AuditTestDb {
  knex: Knex;
  db: TestDatabase;
  close(): Promise<void>;
}

export async function auditTestDb(poolMax = 4): Promise<AuditTestDb> {
  const db = await createTestDatabase();
  const knex = openDatabase(db.url, { poolMax });
  await migrateAll(knex);
  return {
    knex,
    db,
    async close() {
      await knex.destroy();
      await db.drop();
    },
  };
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
    for (const trigger of ['unsealed', 'seal', 'append_only', 'no_truncate']) {
      await trx.raw(`ALTER TABLE audit_events ENABLE ALWAYS TRIGGER audit_events_${trigger}`);
    }
  });
}
