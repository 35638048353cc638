// Test support: every test run works in a database of its own, created from DATABASE_URL
// (default: the local PostgreSQL, trusted `postgres` role) and dropped afterwards, so
// parallel and repeated runs never collide.
import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import pg from 'pg';
import { openDatabase } from './db.js';
import { type Migration, migrate } from './migrate.js';

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  /** Connection string of the fresh database. */
  url: string;
  name: string;
  /** Drops the database (terminating leftover connections). */
  drop(): Promise<void>;
}

function adminUrl(): URL {
  return new URL(process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL);
}

export async function createTestDatabase(prefix = 'faxgate_test'): Promise<TestDatabase> {
  const base = adminUrl();
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base.toString() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(base.toString());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const c = new pg.Client({ connectionString: base.toString() });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** A Redis key prefix of its own for one test run. */
export function testRedisPrefix(prefix = 'faxgate-test'): string {
  return `${prefix}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

export interface MigratedTestDb {
  knex: Knex;
  db: TestDatabase;
  close(): Promise<void>;
}

/** A fresh database with the store migrations (plus `extra`, e.g. audit's), per test file. */
export async function migratedTestDb(
  opts: { extra?: readonly Migration[]; poolMax?: number } = {},
): Promise<MigratedTestDb> {
  const db = await createTestDatabase();
  const knex = openDatabase(db.url, { poolMax: opts.poolMax ?? 4 });
  await migrate(knex, opts.extra ?? []);
  return {
    knex,
    db,
    async close() {
      await knex.destroy();
      await db.drop();
    },
  };
}
