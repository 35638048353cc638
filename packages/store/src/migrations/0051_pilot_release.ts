import type { Knex } from 'knex';
import type { Migration } from '../migrate.js';

/**
 * Pilot phase and release (issue 17 item 4): the signed selftest reports and the releases,
 * per node. Both are evidence: rows are only ever added (a trigger refuses UPDATE and DELETE,
 * and the application role gets SELECT and INSERT only — audit/roles.ts).
 */
export const m0051PilotRelease: Migration = {
  name: '0051_pilot_release',
  async up(knex: Knex) {
    await knex.raw(`
      CREATE TABLE selftest_reports (
        id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        node        text NOT NULL CHECK (length(node) <= 255),
        actor       text NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        passed      boolean NOT NULL,
        report      jsonb NOT NULL,
        -- the report as signed (canonical JSON), its Ed25519 signature and the key's id
        signed      text NOT NULL,
        signature   text NOT NULL,
        key_id      text NOT NULL
      );
      CREATE INDEX selftest_reports_node_idx ON selftest_reports (node, id DESC);
      CREATE TABLE releases (
        id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        node            text NOT NULL CHECK (length(node) <= 255),
        released_by     text NOT NULL,
        released_at     timestamptz NOT NULL DEFAULT now(),
        selftest_id     bigint NOT NULL REFERENCES selftest_reports (id),
        config_version  bigint REFERENCES config_versions (version),
        last_changed_by text NOT NULL,
        note            text NOT NULL DEFAULT '' CHECK (length(note) <= 2000)
      );
      CREATE INDEX releases_node_idx ON releases (node, id DESC);
      CREATE FUNCTION faxgate_evidence_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
      END $$;
      CREATE TRIGGER selftest_reports_append_only BEFORE UPDATE OR DELETE ON selftest_reports
        FOR EACH ROW EXECUTE FUNCTION faxgate_evidence_append_only();
      CREATE TRIGGER releases_append_only BEFORE UPDATE OR DELETE ON releases
        FOR EACH ROW EXECUTE FUNCTION faxgate_evidence_append_only();
    `);
  },
  async down(knex: Knex) {
    await knex.raw(`
      DROP TABLE IF EXISTS releases, selftest_reports;
      DROP FUNCTION IF EXISTS faxgate_evidence_append_only();
    `);
  },
};
