import type { Knex } from 'knex';
import type { Migration } from '../migrate.js';

/**
 * Configuration versions per node: several gateway processes (nodes) share one database,
 * each with its own file. A version records the node it ran on (`node.name`), and "changed
 * since the last recorded" compares with that node's last version — two nodes with different
 * files no longer record a new version on every start, each flipping the other's back.
 * Versions recorded before this migration keep node '' (no node known).
 */
export const m0011ConfigNode: Migration = {
  name: '0011_config_node',
  async up(knex: Knex) {
    await knex.raw(`
      ALTER TABLE config_versions
        ADD COLUMN node text NOT NULL DEFAULT '' CHECK (length(node) <= 255);
      CREATE INDEX config_versions_node_idx ON config_versions (node, version DESC);
    `);
  },
  async down(knex: Knex) {
    await knex.raw(`
      DROP INDEX IF EXISTS config_versions_node_idx;
      ALTER TABLE config_versions DROP COLUMN IF EXISTS node;
    `);
  },
};
