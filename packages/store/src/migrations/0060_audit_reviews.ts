import type { Knex } from 'knex';
import type { Migration } from '../migrate.js';

/**
 * Log review records (M 2.64, M 5.25, NET.4.3.A9): an auditor marks a period of the audit
 * trail and the send/receive log as reviewed, with a note. Evidence, so append-only: a
 * trigger refuses UPDATE, DELETE and TRUNCATE for everyone who cannot drop it (only the
 * owner can), and the application role is granted SELECT and INSERT only (audit roles.ts).
 */
export const m0060AuditReviews: Migration = {
  name: '0060_audit_reviews',
  async up(knex: Knex) {
    await knex.raw(`
      CREATE TABLE audit_reviews (
        id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        period_from  timestamptz NOT NULL,
        period_to    timestamptz NOT NULL,
        note         text NOT NULL CHECK (length(note) BETWEEN 1 AND 4000),
        reviewer     text NOT NULL,
        reviewer_id  bigint REFERENCES users(id),
        created_at   timestamptz NOT NULL DEFAULT now(),
        CHECK (period_from < period_to)
      );
      CREATE INDEX audit_reviews_to_idx ON audit_reviews (period_to);
      CREATE FUNCTION faxgate_review_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'faxgate: % on % refused: the table is append-only', TG_OP, TG_TABLE_NAME
          USING ERRCODE = 'insufficient_privilege';
      END $$;
      CREATE TRIGGER audit_reviews_append_only BEFORE UPDATE OR DELETE ON audit_reviews
        FOR EACH ROW EXECUTE FUNCTION faxgate_review_append_only();
      CREATE TRIGGER audit_reviews_no_truncate BEFORE TRUNCATE ON audit_reviews
        FOR EACH STATEMENT EXECUTE FUNCTION faxgate_review_append_only();
    `);
  },
  async down(knex: Knex) {
    await knex.raw('DROP TABLE IF EXISTS audit_reviews');
    await knex.raw('DROP FUNCTION IF EXISTS faxgate_review_append_only()');
  },
};
