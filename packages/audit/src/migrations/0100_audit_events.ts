// The audit trail: append-only events in a hash chain, and the chain head.
// NB: knex.raw treats every ? as a binding placeholder: none may appear in this SQL.
import type { Knex, Migration } from '@faxgate/store';

export const m0100AuditEvents: Migration = {
  name: '0100_audit_events',
  async up(knex: Knex) {
    await knex.raw(`
      -- One row: seq and hash of the last event. Appends lock it (FOR UPDATE), which
      -- serialises chain positions across every process, and it anchors the chain's end.
      CREATE TABLE audit_head (
        id   smallint PRIMARY KEY CHECK (id = 1),
        seq  bigint NOT NULL CHECK (seq >= 0),
        hash text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$')
      );
      INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, repeat('0', 64));

      -- No foreign keys on purpose: the trail outlives the users, mailboxes and faxes it names.
      CREATE TABLE audit_events (
        seq        bigint PRIMARY KEY CHECK (seq >= 1),
        time       timestamptz NOT NULL,
        type       text NOT NULL,
        actor      text NOT NULL,
        actor_id   bigint,
        subject    text,
        mailbox_id bigint,
        fax_id     bigint,
        details    jsonb NOT NULL,
        prev_hash  text NOT NULL,
        hash       text NOT NULL
      );
      CREATE INDEX audit_events_time_idx ON audit_events (time);
      CREATE INDEX audit_events_fax_idx ON audit_events (fax_id) WHERE fax_id IS NOT NULL;

      CREATE FUNCTION faxgate_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'faxgate: % on % refused: the table is append-only', TG_OP, TG_TABLE_NAME
          USING ERRCODE = 'insufficient_privilege';
      END $$;

      CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
        FOR EACH ROW EXECUTE FUNCTION faxgate_refuse_change();
      CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
        FOR EACH STATEMENT EXECUTE FUNCTION faxgate_refuse_change();
      -- ALWAYS: the triggers fire even with session_replication_role = replica.
      ALTER TABLE audit_events ENABLE ALWAYS TRIGGER audit_events_append_only;
      ALTER TABLE audit_events ENABLE ALWAYS TRIGGER audit_events_no_truncate;

      -- The head only moves forward; it is never deleted.
      CREATE FUNCTION faxgate_audit_head_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND NEW.seq > OLD.seq THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION 'faxgate: % on audit_head refused: the chain head only moves forward', TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END $$;
      CREATE TRIGGER audit_head_forward_only BEFORE UPDATE OR DELETE ON audit_head
        FOR EACH ROW EXECUTE FUNCTION faxgate_audit_head_guard();
      CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head
        FOR EACH STATEMENT EXECUTE FUNCTION faxgate_refuse_change();
      ALTER TABLE audit_head ENABLE ALWAYS TRIGGER audit_head_forward_only;
      ALTER TABLE audit_head ENABLE ALWAYS TRIGGER audit_head_no_truncate;
    `);
  },
  async down(knex: Knex) {
    await knex.raw(`
      DROP TABLE IF EXISTS audit_events, audit_head;
      DROP FUNCTION IF EXISTS faxgate_audit_head_guard();
    `);
  },
};
