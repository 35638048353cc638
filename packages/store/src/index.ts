// @faxgate/store — the PostgreSQL system of record.

export type { Knex } from 'knex';
export * from './authz.js';
export { type Db, inTransaction, type OpenDatabaseOptions, openDatabase, parseInt8 } from './db.js';
export { unifiedDiff } from './diff.js';
export * from './errors.js';
export { type ChannelListener, type ListenOptions, listenChannel } from './listen.js';
export {
  MIGRATIONS_TABLE,
  type MigrateResult,
  type Migration,
  type MigrationStatus,
  mergeMigrations,
  migrate,
  migrateDown,
  migrationStatus,
  storeMigrations,
} from './migrate.js';
export { DIRECTORY_CHANNEL, DIRECTORY_TABLES } from './migrations/0010_directory_notify.js';
export { FAX_CHANNEL } from './migrations/0020_fax_notify.js';
export * from './model.js';
export {
  checkRoleName,
  DEFAULT_TABLE_PRIVILEGES,
  grantStoreAppRole,
  MIGRATION_TABLES,
  type RestrictedTables,
  STORE_TABLES,
  type TablePrivilege,
} from './roles.js';
export type { ConfigAuthorKind, ConfigVersion } from './services/configVersions.js';
export * as configVersions from './services/configVersions.js';
export type { Credential, CredentialKind } from './services/credentials.js';
export * as credentials from './services/credentials.js';
export type { Fax, FaxDamage, FaxFields, NewFax } from './services/faxes.js';
export * as faxes from './services/faxes.js';
export type { FaxPage, FaxPageInfo, NewFaxPage } from './services/faxPages.js';
export * as faxPages from './services/faxPages.js';
export type { Grant, Grantee, GrantInput } from './services/grants.js';
export * as grants from './services/grants.js';
export type { Group } from './services/groups.js';
export * as groups from './services/groups.js';
export type { AddMailboxInput, Mailbox } from './services/mailboxes.js';
export * as mailboxes from './services/mailboxes.js';
export type { ActorRef, Ref } from './services/refs.js';
export type { AddUserInput, User, VerifyPasswordResult } from './services/users.js';
export * as users from './services/users.js';
export * from './setup/index.js';
export * from './visibility.js';
