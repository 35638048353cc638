// The daemon reads the newest lockdown evidence (and the report counts lockdown events) at
// every check: a partial index keeps that a lookup however long the trail grows, and costs
// the ordinary appends nothing (only lockdown rows enter it).
import type { Knex, Migration } from '@faxgate/store';

export const m0102LockdownIndex: Migration = {
  name: '0102_lockdown_index',
  async up(knex: Knex) {
    // An IN list (not LIKE) so the planner can prove that the queries' IN lists imply it.
    await knex.raw(`
      CREATE INDEX audit_events_lockdown_idx ON audit_events (type, id)
        WHERE type IN ('lockdown.evidence', 'lockdown.profile_changed', 'lockdown.violation',
                       'lockdown.call_rejected', 'lockdown.report')
    `);
  },
  async down(knex: Knex) {
    await knex.raw('DROP INDEX IF EXISTS audit_events_lockdown_idx');
  },
};
