import type { Knex } from 'knex';
import type { Migration } from '../migrate.js';

/**
 * Alerts that are raised now, one row per key, shared by every gateway node: a condition seen
 * by several nodes (a full disk, a line down) is raised once and cleared once. The record of
 * raising and clearing is the audit trail (`alert.raised` / `alert.cleared`); this table only
 * says which are open.
 */
export const m0040Alerts: Migration = {
  name: '0040_alerts',
  async up(knex: Knex) {
    await knex.raw(`
      CREATE TABLE alerts (
        key        text PRIMARY KEY CHECK (key ~ '^[a-z0-9][a-z0-9._:-]{0,127}$'),
        severity   text NOT NULL CHECK (severity IN ('warning', 'critical')),
        source     text NOT NULL CHECK (length(source) BETWEEN 1 AND 64),
        summary    text NOT NULL CHECK (length(summary) BETWEEN 1 AND 500),
        raised_at  timestamptz NOT NULL DEFAULT now()
      )
    `);
  },
  async down(knex: Knex) {
    await knex.raw('DROP TABLE IF EXISTS alerts');
  },
};
