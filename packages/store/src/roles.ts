// The application's database role: it does not own the tables, and it gets only the
// privileges the daemon needs (so that only the owner or a superuser could switch off the
// append-only triggers of the audit tables). Which tables are append-only is the caller's
// knowledge (the audit package passes its list): the store does not know the audit tables.
import type { Knex } from 'knex';
import { inTransaction } from './db.js';
import { InvalidInputError } from './errors.js';
import { MIGRATIONS_TABLE } from './migrate.js';

/** The store's own tables the daemon reads and writes (documentation; grants cover every table). */
export const STORE_TABLES = [
  'users',
  'user_roles',
  'groups',
  'group_members',
  'mailboxes',
  'mailbox_numbers',
  'grants',
  'faxes',
  'fax_pages',
  'config_versions',
  'credentials',
  'notification_cursors',
  'login_throttle',
  'legal_holds',
  'alerts',
  'schedule_runs',
  'health_checks',
  'line_service',
  'fax_reads',
  'mailbox_mail_recipients',
  'mail_outbox',
  'mail_outbox_attachments',
] as const;

/** Table privileges the application role may be given; TRUNCATE, REFERENCES and TRIGGER never. */
export type TablePrivilege = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE';

/** Tables with fewer rights than the default (e.g. append-only audit tables): table → its privileges. */
export type RestrictedTables = Readonly<Record<string, readonly TablePrivilege[]>>;

/** What every other table of schema public gets. */
export const DEFAULT_TABLE_PRIVILEGES: readonly TablePrivilege[] = ['SELECT', 'INSERT', 'UPDATE', 'DELETE'];

/** knex's bookkeeping tables: the daemon may read them (pending migrations?) but never write. */
export const MIGRATION_TABLES = [MIGRATIONS_TABLE, `${MIGRATIONS_TABLE}_lock`] as const;

const PRIVILEGES = new Set<string>(DEFAULT_TABLE_PRIVILEGES);

export function checkRoleName(role: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(role)) {
    throw new InvalidInputError(`database role name ${JSON.stringify(role)} is invalid (a–z, 0–9, _)`);
  }
  return role;
}

function checkTableName(table: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(table)) {
    throw new InvalidInputError(`table name ${JSON.stringify(table)} is invalid (a–z, 0–9, _)`);
  }
  return table;
}

/**
 * Grants `role` (an existing role that owns nothing) least rights on schema public as it is
 * now: USAGE on the schema; SELECT, INSERT, UPDATE, DELETE on every table, except the
 * `restricted` ones, which get exactly their listed privileges (everything else revoked), and
 * the migration bookkeeping, which is read-only; USAGE and SELECT on sequences (nextval, not
 * setval); EXECUTE on the schema's functions. Run it as the tables' owner (or a superuser)
 * after every migration, so new tables are covered. Idempotent.
 */
export async function grantStoreAppRole(
  knex: Knex,
  role: string,
  opts: { restricted?: RestrictedTables } = {},
): Promise<void> {
  const r = checkRoleName(role);
  const restricted = opts.restricted ?? {};
  for (const [table, privs] of Object.entries(restricted)) {
    checkTableName(table);
    for (const p of privs) {
      if (!PRIVILEGES.has(p))
        throw new InvalidInputError(`table privilege ${JSON.stringify(p)} is not allowed`);
    }
  }
  // One grant run at a time (two daemons starting together would otherwise collide on the
  // catalog rows: "tuple concurrently updated"), and all of it or nothing.
  await inTransaction(knex, async (trx) => {
    await trx.raw('SELECT pg_advisory_xact_lock(hashtext(?))', ['faxgate.grant-app-role']);
    const { rows } = await trx.raw<{ rows: Array<{ name: string }> }>(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY 1`,
    );
    const tables = rows.map((t) => checkTableName(t.name));
    await trx.raw(`GRANT USAGE ON SCHEMA public TO "${r}"`);
    for (const table of tables) {
      const privs = (MIGRATION_TABLES as readonly string[]).includes(table)
        ? ['SELECT']
        : (restricted[table] ?? DEFAULT_TABLE_PRIVILEGES);
      await trx.raw(`REVOKE ALL ON "${table}" FROM "${r}"`);
      if (privs.length) await trx.raw(`GRANT ${privs.join(', ')} ON "${table}" TO "${r}"`);
    }
    await trx.raw(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM "${r}"`);
    await trx.raw(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "${r}"`);
    await trx.raw(`GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO "${r}"`);
  });
}
