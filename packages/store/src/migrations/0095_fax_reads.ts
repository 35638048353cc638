import type { Knex } from 'knex';
import type { Migration } from '../migrate.js';

/**
 * Which received faxes each user has opened (the console's unread marks): a row when the
 * user opens the fax's page. Goes with the user or the fax (ON DELETE CASCADE).
 */
export const m0095FaxReads: Migration = {
  name: '0095_fax_reads',
  async up(knex: Knex) {
    await knex.raw(`
      CREATE TABLE fax_reads (
        user_id  bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        fax_id   bigint NOT NULL REFERENCES faxes(id) ON DELETE CASCADE,
        read_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, fax_id)
      );
      CREATE INDEX fax_reads_fax_idx ON fax_reads (fax_id);
    `);
  },
  async down(knex: Knex) {
    await knex.raw('DROP TABLE IF EXISTS fax_reads');
  },
};
