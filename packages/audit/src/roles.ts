// Privileges of the application's role on the audit tables: read and append, nothing else.
// The list lives here (the store does not know the audit tables); setupRoles and
// migrateAndGrant hand it to the store's role setup and grants.
import {
  checkRoleName,
  grantStoreAppRole,
  type Knex,
  type MigrateResult,
  migrate,
  type RestrictedTables,
  type SetupRolesOptions,
  type SetupRolesResult,
  setupDatabaseRoles,
} from '@faxgate/store';
import { auditMigrations } from './migrations/index.js';

/**
 * The audit tables and the only privileges the application role gets on them: no UPDATE,
 * DELETE or TRUNCATE (refused by privilege as well as by trigger), and since the role owns
 * none of them it cannot ALTER them, so it cannot disable their triggers. A new audit
 * table must be added here.
 */
export const AUDIT_TABLE_PRIVILEGES: RestrictedTables = {
  audit_events: ['SELECT', 'INSERT'],
  xfer_log: ['SELECT', 'INSERT'],
  audit_head: ['SELECT'],
  // selftest reports and releases (migration 0051): evidence, appended and never changed
  selftest_reports: ['SELECT', 'INSERT'],
  releases: ['SELECT', 'INSERT'],
  // legal holds (migration 0030): set and cleared (UPDATE), never deleted; both audited
  legal_holds: ['SELECT', 'INSERT', 'UPDATE'],
  // health check history (migration 0042): written once, pruned by age, never changed
  health_checks: ['SELECT', 'INSERT', 'DELETE'],
  // log review records (migration 0060): evidence, appended and never changed
  audit_reviews: ['SELECT', 'INSERT'],
};

/**
 * Gives `role` (an existing, non-owner role) what the daemon needs: the store's tables
 * read/write, and on the audit tables SELECT and INSERT only (audit_head: SELECT). Run as
 * the owner after every migration.
 */
export async function grantAppRole(knex: Knex, role: string): Promise<void> {
  await grantStoreAppRole(knex, checkRoleName(role), { restricted: AUDIT_TABLE_PRIVILEGES });
}

/** `faxgate db setup`: the store's role setup with the audit tables restricted. */
export function setupRoles(
  admin: Knex,
  opts: Omit<SetupRolesOptions, 'restrictedTables'>,
): Promise<SetupRolesResult> {
  return setupDatabaseRoles(admin, { ...opts, restrictedTables: AUDIT_TABLE_PRIVILEGES });
}

/**
 * Migrates (store and audit migrations) as the owner `knex` is connected as, then grants the
 * application role on whatever the migrations created. `appRole` null, the owner itself, a
 * superuser or a role that does not exist: no grants (the result says so).
 */
export async function migrateAndGrant(
  owner: Knex,
  appRole: string | null,
): Promise<MigrateResult & { grantedTo: string | null }> {
  const result = await migrate(owner, auditMigrations);
  if (appRole === null) return { ...result, grantedTo: null };
  const { rows } = await owner.raw<{ rows: Array<{ me: string; su: boolean }> }>(
    'SELECT current_user AS me, rolsuper AS su FROM pg_roles WHERE rolname = ?',
    [appRole],
  );
  if (!rows[0] || rows[0].su || rows[0].me === appRole) return { ...result, grantedTo: null };
  await grantAppRole(owner, appRole);
  return { ...result, grantedTo: appRole };
}
