import type { Knex } from 'knex';
import type { Migration } from '../migrate.js';

/**
 * Who changed the configuration, and why (issue 17 item 5): `author_kind` says whether the
 * author is a faxgate user (a reload or record through the API by a logged-in admin), an OS
 * account (a file edited on the host and read by the daemon at start, or `config record` on
 * the host: the person is not known, the account is), or the system (SIGHUP). `reason` is
 * what the person gave (`--reason`); `comment` stays the source ("gateway start (file)").
 * Versions recorded before this migration: `gateway:`/`cli:` authors are OS accounts.
 */
export const m0050ConfigAuthor: Migration = {
  name: '0050_config_author',
  async up(knex: Knex) {
    await knex.raw(`
      ALTER TABLE config_versions
        ADD COLUMN author_kind text NOT NULL DEFAULT 'user'
          CHECK (author_kind IN ('user', 'os', 'system')),
        ADD COLUMN reason text NOT NULL DEFAULT '' CHECK (length(reason) <= 2000);
      UPDATE config_versions SET author_kind = 'os'
        WHERE author LIKE 'gateway:%' OR author LIKE 'cli:%';
      UPDATE config_versions SET author_kind = 'system' WHERE author LIKE 'system:%';
    `);
  },
  async down(knex: Knex) {
    await knex.raw(`
      ALTER TABLE config_versions DROP COLUMN IF EXISTS author_kind, DROP COLUMN IF EXISTS reason;
    `);
  },
};
