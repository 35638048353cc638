import type { Knex } from 'knex';
import type { Migration } from '../migrate.js';

/**
 * The last run of each scheduled task, whichever node ran it: a node that gets the task's
 * advisory lock runs it only when its interval has passed since the last start here, so a
 * task runs once per interval in the cluster, not once per node.
 */
export const m0041ScheduleRuns: Migration = {
  name: '0041_schedule_runs',
  async up(knex: Knex) {
    await knex.raw(`
      CREATE TABLE schedule_runs (
        task          text PRIMARY KEY CHECK (length(task) BETWEEN 1 AND 64),
        started_at    timestamptz NOT NULL,
        finished_at   timestamptz,
        outcome       text CHECK (outcome IN ('ok', 'failed')),
        duration_ms   integer CHECK (duration_ms >= 0),
        summary       text,
        node          text NOT NULL
      )
    `);
  },
  async down(knex: Knex) {
    await knex.raw('DROP TABLE IF EXISTS schedule_runs');
  },
};
