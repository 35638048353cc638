import type { Knex } from 'knex';
import type { Migration } from '../migrate.js';

/**
 * Lines (CAPI controllers) an operator took out of service (line.manage, issue 17 item 7).
 * A row while the controller is out of service: the line supervisor of every node reads it,
 * so a restart keeps it out and every node on the database follows. Who and when is in the
 * audit trail (line.out_of_service / line.in_service); the row is only the current state.
 */
export const m0070LineService: Migration = {
  name: '0070_line_service',
  async up(knex: Knex) {
    await knex.raw(`
      CREATE TABLE line_service (
        controller integer PRIMARY KEY CHECK (controller BETWEEN 1 AND 127),
        reason     text NOT NULL DEFAULT '' CHECK (length(reason) <= 200),
        set_by     text NOT NULL,
        since      timestamptz NOT NULL DEFAULT now()
      );
    `);
  },
  async down(knex: Knex) {
    await knex.raw('DROP TABLE IF EXISTS line_service');
  },
};
