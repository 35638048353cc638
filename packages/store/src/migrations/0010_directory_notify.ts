import type { Knex } from 'knex';
import type { Migration } from '../migrate.js';

/** The channel every change of the directory is announced on (payload: the table's name). */
export const DIRECTORY_CHANNEL = 'faxgate_directory';

/** Tables whose changes a running gateway must see at once: routing, lockdown, rights. */
export const DIRECTORY_TABLES = [
  'mailboxes',
  'mailbox_numbers',
  'grants',
  'groups',
  'group_members',
  'user_roles',
  'users',
] as const;

/**
 * Routing without restarts: a statement-level trigger on each directory table sends
 * `NOTIFY faxgate_directory, '<table>'` in the transaction of the change, so every gateway
 * process LISTENing rebuilds its router and lockdown view when (and only when) the change
 * commits — PostgreSQL delivers notifications at commit, folds duplicates of one transaction,
 * and drops them on rollback. Whoever makes the change (API, CLI, psql) needs no code of ours.
 */
export const m0010DirectoryNotify: Migration = {
  name: '0010_directory_notify',
  async up(knex: Knex) {
    await knex.raw(`
      CREATE FUNCTION faxgate_directory_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('${DIRECTORY_CHANNEL}', TG_TABLE_NAME);
        RETURN NULL;
      END $$;
    `);
    for (const table of DIRECTORY_TABLES) {
      await knex.raw(`
        CREATE TRIGGER ${table}_directory_notify
          AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${table}
          FOR EACH STATEMENT EXECUTE FUNCTION faxgate_directory_notify();
      `);
    }
  },
  async down(knex: Knex) {
    for (const table of DIRECTORY_TABLES) {
      await knex.raw(`DROP TRIGGER IF EXISTS ${table}_directory_notify ON ${table}`);
    }
    await knex.raw('DROP FUNCTION IF EXISTS faxgate_directory_notify()');
  },
};
