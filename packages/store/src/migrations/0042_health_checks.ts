import type { Knex } from 'knex';
import type { Migration } from '../migrate.js';

/**
 * History of the scheduled health checks (lines, PostgreSQL, Redis, webhooks): one row per
 * check and run with its outcome and duration. Rows are never changed; the gateway deletes
 * those older than `checks.historyDays` (the application role: SELECT, INSERT, DELETE).
 */
export const m0042HealthChecks: Migration = {
  name: '0042_health_checks',
  async up(knex: Knex) {
    await knex.raw(`
      CREATE TABLE health_checks (
        id          bigserial PRIMARY KEY,
        run_at      timestamptz NOT NULL DEFAULT now(),
        name        text NOT NULL CHECK (name ~ '^[a-z0-9][a-z0-9._:-]{0,99}$'),
        ok          boolean NOT NULL,
        duration_ms integer NOT NULL CHECK (duration_ms >= 0),
        detail      text NOT NULL CHECK (length(detail) <= 500),
        node        text NOT NULL
      )
    `);
    await knex.raw('CREATE INDEX health_checks_name_run_at ON health_checks (name, run_at DESC)');
    await knex.raw('CREATE INDEX health_checks_run_at ON health_checks (run_at)');
  },
  async down(knex: Knex) {
    await knex.raw('DROP TABLE IF EXISTS health_checks');
  },
};
