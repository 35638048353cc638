// The application's database role: it should not own the tables, and it gets only the
// privileges the daemon needs (so that only the owner or a superuser could switch off the
// append-only triggers of the audit tables).
import type { Knex } from 'knex';
import { InvalidInputError } from './errors.js';

/** The store's tables the daemon reads and writes. */
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
] as const;

export function checkRoleName(role: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(role)) {
    throw new InvalidInputError(`database role name ${JSON.stringify(role)} is invalid (a–z, 0–9, _)`);
  }
  return role;
}

/** GRANT SELECT, INSERT, UPDATE, DELETE on the store's tables to `role` (which must exist). */
export async function grantStoreAppRole(knex: Knex, role: string): Promise<void> {
  const r = checkRoleName(role);
  await knex.raw(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${STORE_TABLES.join(', ')} TO "${r}"`);
}
