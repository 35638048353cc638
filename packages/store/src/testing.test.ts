import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createTestDatabase } from './testing.js';

describe('createTestDatabase', () => {
  it('creates a database of its own and drops it', async () => {
    const db = await createTestDatabase();
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    const r = await c.query('SELECT current_database() AS name');
    await c.end();
    expect(r.rows[0].name).toBe(db.name);
    await db.drop();
    const admin = new pg.Client({
      connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    });
    await admin.connect();
    const left = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [db.name]);
    await admin.end();
    expect(left.rowCount).toBe(0);
  });
});
