// The trail is appended in time order, and only exports read it by time (from/to): a BRIN
// index (a min/max per block range) answers those range scans, while the B-tree it replaces
// cost every append an index insertion — and the seal's UPDATE of every event (a new tuple
// version, not HOT: seq is indexed) another one.
import type { Knex, Migration } from '@faxgate/store';

export const m0105AuditTimeBrin: Migration = {
  name: '0105_audit_time_brin',
  async up(knex: Knex) {
    await knex.raw(`
      DROP INDEX audit_events_time_idx;
      CREATE INDEX audit_events_time_brin ON audit_events USING brin (time)
        WITH (pages_per_range = 32, autosummarize = on);
    `);
  },
  async down(knex: Knex) {
    await knex.raw(`
      DROP INDEX audit_events_time_brin;
      CREATE INDEX audit_events_time_idx ON audit_events (time);
    `);
  },
};
