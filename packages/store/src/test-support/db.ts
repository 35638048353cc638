// Test helper: a fresh migrated database per test file.
import type { Knex } from 'knex';
import { openDatabase } from '../db.js';
import { type Migration, migrate } from '../migrate.js';
import { createTestDatabase, type TestDatabase } from '../testing.js';

export interface MigratedTestDb {
  knex: Knex;
  db: TestDatabase;
  close(): Promise<void>;
}

export async function migratedTestDb(extra: Migration[] = []): Promise<MigratedTestDb> {
  const db = await createTestDatabase();
  const knex = openDatabase(db.url, { poolMax: 4 });
  await migrate(knex, extra);
  return {
    knex,
    db,
    async close() {
      await knex.destroy();
      await db.drop();
    },
  };
}
