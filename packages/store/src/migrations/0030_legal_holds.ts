import type { Knex } from 'knex';
import type { Migration } from '../migrate.js';

/**
 * Legal holds (retention, issue 17): a fax, or every fax of a mailbox, that retention must
 * never delete while the hold is active. A hold is set and later cleared; the row stays
 * (cleared_at/cleared_by) so the history is kept beside the audit events that record both.
 * At most one active hold per fax and per mailbox.
 */
export const m0030LegalHolds: Migration = {
  name: '0030_legal_holds',
  async up(knex: Knex) {
    await knex.raw(`
      CREATE TABLE legal_holds (
        id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        fax_id       bigint REFERENCES faxes(id),
        mailbox_id   bigint REFERENCES mailboxes(id),
        reason       text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
        set_by       text NOT NULL,
        set_at       timestamptz NOT NULL DEFAULT now(),
        cleared_by   text,
        cleared_at   timestamptz,
        CHECK ((fax_id IS NULL) <> (mailbox_id IS NULL)),
        CHECK ((cleared_at IS NULL) = (cleared_by IS NULL))
      );
      CREATE UNIQUE INDEX legal_holds_fax_active_uq ON legal_holds (fax_id)
        WHERE fax_id IS NOT NULL AND cleared_at IS NULL;
      CREATE UNIQUE INDEX legal_holds_mailbox_active_uq ON legal_holds (mailbox_id)
        WHERE mailbox_id IS NOT NULL AND cleared_at IS NULL;
    `);
  },
  async down(knex: Knex) {
    await knex.raw('DROP TABLE IF EXISTS legal_holds');
  },
};
