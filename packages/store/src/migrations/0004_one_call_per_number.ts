import type { Knex } from 'knex';
import type { Migration } from '../migrate.js';

/**
 * One outgoing call per destination number at a time, kept by PostgreSQL itself: a second
 * fax to a number cannot become 'running' while another one is. Before this, a worker took an
 * advisory lock and looked for a running fax (three statements per claim); the index makes the
 * claim one UPDATE and holds whatever path changes the state.
 */
export const m0004OneCallPerNumber: Migration = {
  name: '0004_one_call_per_number',
  async up(knex: Knex) {
    const dup = await knex.raw(`
      SELECT remote_number, count(*)::int AS n FROM faxes
       WHERE state = 'running' AND direction = 'out' AND remote_number IS NOT NULL
       GROUP BY remote_number HAVING count(*) > 1 LIMIT 5`);
    if (dup.rows.length > 0) {
      const list = dup.rows.map((r: { remote_number: string; n: number }) => `${r.remote_number} (${r.n})`);
      throw new Error(
        `several running faxes to one number: ${list.join(', ')}; stop the gateway and let the reconciler settle them first`,
      );
    }
    await knex.raw(`
      CREATE UNIQUE INDEX faxes_one_call_per_number ON faxes (remote_number)
       WHERE state = 'running' AND direction = 'out'
    `);
  },
  async down(knex: Knex) {
    await knex.raw('DROP INDEX IF EXISTS faxes_one_call_per_number');
  },
};
