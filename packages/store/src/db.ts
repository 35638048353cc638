// Opening the database: knex over node-postgres, with type parsing chosen on purpose.
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';

/** A knex instance or a transaction: every service accepts either. */
export type Db = Knex | Knex.Transaction;

export interface OpenDatabaseOptions {
  /** Pool size (default 10; a CLI call needs 1–2, the daemon more). */
  poolMax?: number;
  /** Minimum pool size (default 0: no idle connections kept by short-lived processes). */
  poolMin?: number;
  /** application_name shown in pg_stat_activity (default 'faxgate'). */
  applicationName?: string;
  /** Per-statement timeout in ms (default none). */
  statementTimeoutMs?: number;
}

const INT8_OID = 20;

/**
 * BIGINT (int8) columns — ids, sequence numbers, COUNT(*) — are returned as JavaScript
 * numbers. node-postgres returns them as strings by default because int8 exceeds 2^53;
 * faxgate's ids never get there, and a value that does is refused loudly rather than
 * rounded silently. NUMERIC stays a string; timestamptz becomes a Date; jsonb is parsed.
 */
export function parseInt8(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) {
    throw new RangeError(`BIGINT value ${value} exceeds Number.MAX_SAFE_INTEGER`);
  }
  return n;
}

const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID && (format ?? 'text') === 'text') return parseInt8;
    // biome-ignore lint/suspicious/noExplicitAny: pg's overloads are not expressible here
    return (pg.types.getTypeParser as any)(oid, format);
  },
};

/**
 * Opens a knex instance on `url` (postgres://…). The type parsers are set per
 * connection (not globally on the pg module), so other pg users in the process are
 * unaffected. Call `destroy()` when done.
 */
export function openDatabase(url: string, options: OpenDatabaseOptions = {}): Knex {
  const connection: pg.ClientConfig = {
    connectionString: url,
    application_name: options.applicationName ?? 'faxgate',
    types: types as pg.CustomTypesConfig,
  };
  if (options.statementTimeoutMs !== undefined) connection.statement_timeout = options.statementTimeoutMs;
  return knexFactory({
    client: 'pg',
    connection: connection as Knex.PgConnectionConfig,
    pool: {
      min: options.poolMin ?? 0,
      max: options.poolMax ?? 10,
      // Fail instead of hanging forever when the database is unreachable or the pool is exhausted.
      acquireTimeoutMillis: 30_000,
      createTimeoutMillis: 10_000,
      idleTimeoutMillis: 30_000,
    },
    acquireConnectionTimeout: 30_000,
  });
}

/** Runs `fn` in `db` if it already is a transaction, else in a new transaction of its own. */
export async function inTransaction<T>(db: Db, fn: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  if ((db as Knex.Transaction).isTransaction) return fn(db as Knex.Transaction);
  return (db as Knex).transaction(fn);
}
