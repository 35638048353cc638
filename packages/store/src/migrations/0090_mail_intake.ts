import type { Knex } from 'knex';
import type { Migration } from '../migrate.js';

/**
 * E-mail to fax (issue 19 item 2): one row per intake message, keyed by its Message-ID, written
 * in the transaction that records the outcome (fax accepted or refusal) and its reply. The
 * IMAP move to the processed or failed folder happens only after that commit: a crash in
 * between finds the row and moves the message again, without a second fax or a second reply.
 */
export const m0090MailIntake: Migration = {
  name: '0090_mail_intake',
  async up(knex: Knex) {
    await knex.raw(`
      CREATE TABLE mail_intake_messages (
        message_id  text PRIMARY KEY CHECK (length(message_id) BETWEEN 1 AND 998),
        outcome     text NOT NULL CHECK (outcome IN ('accepted', 'refused')),
        reason      text CHECK (length(reason) <= 200),
        sender      text CHECK (length(sender) <= 998),
        fax_id      bigint REFERENCES faxes(id) ON DELETE SET NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        moved_at    timestamptz,
        CHECK ((outcome = 'refused') = (reason IS NOT NULL))
      );
      CREATE INDEX mail_intake_messages_created_idx ON mail_intake_messages (created_at);
    `);
  },
  async down(knex: Knex) {
    await knex.raw('DROP TABLE IF EXISTS mail_intake_messages');
  },
};
