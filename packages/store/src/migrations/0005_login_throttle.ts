import type { Knex } from 'knex';
import type { Migration } from '../migrate.js';

/**
 * The login throttle, kept in PostgreSQL so that every gateway process shares it, a restart
 * does not lift a block and a flood of other names cannot evict one (rows are never pushed
 * out, only expired). One row per key: `name:<user name, lower case>` (across all
 * addresses) and `addr:<client address>`. `attempts` counts logins begun in the window —
 * incremented before the password is checked, so concurrent guesses are counted at once.
 * On name rows, `reported_at` and `unreported` aggregate the auth.failed audit events: at
 * most one per name and minute, carrying the count of failures since the last one.
 */
export const m0005LoginThrottle: Migration = {
  name: '0005_login_throttle',
  async up(knex: Knex) {
    await knex.raw(`
      CREATE TABLE login_throttle (
        key          text PRIMARY KEY CHECK (length(key) <= 1000),
        attempts     integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        window_start timestamptz NOT NULL DEFAULT now(),
        reported_at  timestamptz,
        unreported   integer NOT NULL DEFAULT 0 CHECK (unreported >= 0),
        last_reason  text,
        last_remote  text
      );
      CREATE INDEX login_throttle_window_idx ON login_throttle (window_start);
      CREATE INDEX login_throttle_unreported_idx ON login_throttle (reported_at) WHERE unreported > 0;
    `);
  },
  async down(knex: Knex) {
    await knex.raw('DROP TABLE IF EXISTS login_throttle');
  },
};
