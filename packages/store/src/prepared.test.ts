import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from './db.js';
import { createTestDatabase, type TestDatabase } from './testing.js';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase('faxgate_prepared');
});
afterAll(async () => {
  await t?.drop();
});

async function preparedIn(prepared: boolean | undefined): Promise<string[]> {
  const db = openDatabase(t.url, { poolMax: 1, preparedStatements: prepared });
  try {
    return await db.transaction(async (trx) => {
      await trx('pg_class').where({ relname: 'a' }).first('oid');
      await trx('pg_class').where({ relname: 'b' }).first('oid'); // same text: one statement
      await trx('pg_class')
        .whereIn(
          'oid',
          Array.from({ length: 100 }, (_, i) => i),
        )
        .select('oid'); // long list: unnamed
      await trx.raw('SELECT 1; SELECT 2'); // several commands: cannot be prepared
      const rows = await trx.raw('SELECT statement FROM pg_prepared_statements ORDER BY statement');
      return rows.rows.map((r: { statement: string }) => r.statement);
    });
  } finally {
    await db.destroy();
  }
}

describe('prepared statements', () => {
  it('prepare each DML text once per connection, not long lists or several commands', async () => {
    expect(await preparedIn(undefined)).toEqual([
      'SELECT statement FROM pg_prepared_statements ORDER BY statement',
      'select "oid" from "pg_class" where "relname" = $1 limit $2',
    ]);
  });

  it('are off when asked (poolers in transaction mode)', async () => {
    expect(await preparedIn(false)).toEqual([]);
  });

  it('survive the schema changing under them', async () => {
    const db = openDatabase(t.url, { poolMax: 1 });
    try {
      await db.schema.createTable('zz_t', (tb) => tb.integer('a'));
      await db('zz_t').insert({ a: 1 });
      expect(await db('zz_t').where({ a: 1 }).first()).toEqual({ a: 1 });
      await db.schema.dropTable('zz_t');
      await db.schema.createTable('zz_t', (tb) => tb.integer('a'));
      await db('zz_t').insert({ a: 2 });
      expect(await db('zz_t').where({ a: 2 }).first()).toEqual({ a: 2 });
      // New columns under a prepared `select *`: PostgreSQL refuses the old plan; it is renewed.
      await db.schema.alterTable('zz_t', (tb) => tb.text('b').defaultTo('x'));
      expect(await db('zz_t').where({ a: 2 }).first()).toEqual({ a: 2, b: 'x' });
      expect(await db('zz_t').where({ a: 2 }).first()).toEqual({ a: 2, b: 'x' });
      // In a transaction it fails once, and the connection is replaced.
      await db.schema.alterTable('zz_t', (tb) => tb.text('c').defaultTo('y'));
      await expect(db.transaction((trx) => trx('zz_t').where({ a: 2 }).first())).rejects.toThrow(
        /cached plan/,
      );
      expect(await db.transaction((trx) => trx('zz_t').where({ a: 2 }).first())).toEqual({
        a: 2,
        b: 'x',
        c: 'y',
      });
    } finally {
      await db.destroy();
    }
  });
});
