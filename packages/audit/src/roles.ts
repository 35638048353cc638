// Privileges of the application's role on the audit tables: read and append, nothing else.
import { checkRoleName, grantStoreAppRole, type Knex } from '@faxgate/store';

/**
 * Gives `role` (an existing, non-owner role) what the daemon needs: the store's tables
 * read/write, and on the audit tables SELECT and INSERT only — UPDATE, DELETE and TRUNCATE
 * are revoked, so the database refuses them by privilege as well as by trigger.
 */
export async function grantAppRole(knex: Knex, role: string): Promise<void> {
  const r = checkRoleName(role);
  await grantStoreAppRole(knex, r);
  await knex.raw(`REVOKE ALL ON audit_events, audit_head, xfer_log FROM "${r}"`);
  await knex.raw(`GRANT SELECT, INSERT ON audit_events, xfer_log TO "${r}"`);
  await knex.raw(`GRANT SELECT ON audit_head TO "${r}"`);
}
