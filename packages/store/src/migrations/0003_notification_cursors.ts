import type { Knex } from 'knex';
import type { Migration } from '../migrate.js';

/**
 * Where each notification consumer (a configured webhook) stands in the audit trail: the
 * last audit `seq` it has handled. Notifications are derived from the committed trail, so a
 * crash or a receiver that is down loses nothing: delivery resumes after `seq`. The lease
 * keeps a webhook with one gateway process at a time; `attempts`/`last_error` describe the
 * event after `seq` that is still being retried.
 */
export const m0003NotificationCursors: Migration = {
  name: '0003_notification_cursors',
  async up(knex: Knex) {
    await knex.raw(`
      CREATE TABLE notification_cursors (
        name            text PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 64),
        seq             bigint NOT NULL CHECK (seq >= 0),
        attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        last_error      text,
        next_attempt_at timestamptz,
        lease_owner     text,
        lease_until     timestamptz,
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now()
      )
    `);
  },
  async down(knex: Knex) {
    await knex.raw('DROP TABLE IF EXISTS notification_cursors');
  },
};
