// Opening the database: knex over node-postgres, with type parsing chosen on purpose.
import { createHash } from 'node:crypto';
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
  /**
   * Send the application's statements as named prepared statements, so each connection
   * parses and plans a statement once instead of on every call (default true). Turn off
   * behind a pooler in transaction mode (PgBouncer), which cannot keep them.
   */
  preparedStatements?: boolean;
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

/** Statements worth preparing: one DML statement with few parameters (no lists that vary per call). */
const PREPARABLE = /^\s*(select|insert|update|delete|with)\b/i;
const MAX_PREPARED_BINDINGS = 64;
const PREPARE_FLAG = 'faxgatePreparedStatements';
const patched = new WeakSet<object>();

/**
 * Names every preparable statement after a hash of its text: the same text is the same
 * prepared statement on a connection (node-postgres parses it once per connection and then
 * only binds and executes). Statements with many parameters or several commands stay unnamed.
 * knex runs transactions through clients made from the dialect's prototype that share the
 * instance's config, so the hook sits on the prototype and asks the config.
 */
function prepareStatements(knex: Knex): void {
  // biome-ignore lint/suspicious/noExplicitAny: knex's client internals are not typed
  const client = knex.client as any;
  client.config[PREPARE_FLAG] = true;
  const proto = Object.getPrototypeOf(client);
  if (patched.has(proto)) return;
  patched.add(proto);
  const query = proto._query;
  proto._query = function (
    this: { config: Record<string, unknown> },
    connection: unknown,
    obj: { sql: string; bindings?: unknown[]; options?: object },
  ) {
    const sql = obj.sql;
    if (
      this.config?.[PREPARE_FLAG] === true &&
      typeof sql === 'string' &&
      PREPARABLE.test(sql) &&
      !sql.includes(';') &&
      (obj.bindings?.length ?? 0) <= MAX_PREPARED_BINDINGS
    ) {
      const name = `fg_${createHash('sha1').update(sql).digest('base64url')}`;
      obj.options = { ...obj.options, name };
      return query.call(this, connection, obj).catch(async (e: { code?: string }) => {
        // A migration changed the columns under a prepared `select *` (e.g. `faxgate db
        // migrate` while the daemon runs): drop the old plan on this connection, prepare again.
        // Inside a transaction nothing more can run: the connection is retired instead (knex's
        // pool drops a connection marked disposed) and the transaction fails this once.
        if (e?.code !== '0A000') throw e;
        const pgClient = connection as {
          query(sql: string): Promise<unknown>;
          connection?: { parsedStatements?: Record<string, string> };
          __knex__disposed?: unknown;
        };
        if ((this as { transacting?: boolean }).transacting) {
          pgClient.__knex__disposed = 'a prepared statement was outdated by a schema change';
          throw e;
        }
        await pgClient.query(`DEALLOCATE "${name}"`);
        const parsed = pgClient.connection?.parsedStatements;
        if (parsed) delete parsed[name];
        return query.call(this, connection, obj);
      });
    }
    return query.call(this, connection, obj);
  };
}

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
  const knex = knexFactory({
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
  if (options.preparedStatements ?? true) prepareStatements(knex);
  return knex;
}

/** Runs `fn` in `db` if it already is a transaction, else in a new transaction of its own. */
export async function inTransaction<T>(db: Db, fn: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  if ((db as Knex.Transaction).isTransaction) return fn(db as Knex.Transaction);
  return (db as Knex).transaction(fn);
}
