// The audit trail: append-only events in a hash chain, and the chain head.
//
// An event is inserted by the caller's transaction without a chain position. At COMMIT a
// deferred trigger seals it: locks the one-row chain head, gives the event the next seq,
// its prev_hash and hash (computed here, by PostgreSQL), and moves the head. The head stays
// locked only for the commit itself — never across a round trip to the client — which is
// what lets many writers in many processes append quickly without ever forking the chain.
// A rolled-back transaction leaves neither an event nor a gap.
//
// NB: knex.raw treats every ? as a binding placeholder: none may appear in this SQL.
import type { Knex, Migration } from '@faxgate/store';

export const m0100AuditEvents: Migration = {
  name: '0100_audit_events',
  async up(knex: Knex) {
    await knex.raw(`
      CREATE TABLE audit_head (
        id   smallint PRIMARY KEY CHECK (id = 1),
        seq  bigint NOT NULL CHECK (seq >= 0),
        hash text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$')
      );
      INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, repeat('0', 64));

      -- No foreign keys on purpose: the trail outlives the users, mailboxes and faxes it names.
      CREATE TABLE audit_events (
        id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        seq        bigint UNIQUE CHECK (seq >= 1),
        time       timestamptz NOT NULL DEFAULT clock_timestamp(),
        type       text NOT NULL,
        actor      text NOT NULL,
        actor_id   bigint,
        subject    text,
        mailbox_id bigint,
        fax_id     bigint,
        details    jsonb NOT NULL DEFAULT '{}'::jsonb,
        prev_hash  text,
        hash       text
      );
      CREATE INDEX audit_events_time_idx ON audit_events (time);
      CREATE INDEX audit_events_fax_idx ON audit_events (fax_id) WHERE fax_id IS NOT NULL;

      -- The canonical encoding (README "Canonical encoding"); verifyAuditChain computes the same in TypeScript.
      CREATE FUNCTION faxgate_audit_canonical(e audit_events, p_seq bigint) RETURNS text
        LANGUAGE sql STABLE AS $$
        SELECT '{"seq":' || p_seq::text
          || ',"time":"' || to_char(e.time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') || 'Z"'
          || ',"type":' || to_json(e.type)::text
          || ',"actor":' || to_json(e.actor)::text
          || ',"actor_id":' || coalesce(e.actor_id::text, 'null')
          || ',"subject":' || coalesce(to_json(e.subject)::text, 'null')
          || ',"mailbox_id":' || coalesce(e.mailbox_id::text, 'null')
          || ',"fax_id":' || coalesce(e.fax_id::text, 'null')
          || ',"details":' || e.details::text
          || '}'
      $$;

      -- New events enter unsealed, whatever the inserter wrote into the chain columns.
      -- It also counts the transaction's unsealed events (a transaction-local setting, undone
      -- with a rolled-back savepoint like the insert itself), so that the seal writes the head
      -- once per transaction instead of once per event.
      CREATE FUNCTION faxgate_audit_unsealed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.seq := NULL;
        NEW.prev_hash := NULL;
        NEW.hash := NULL;
        PERFORM set_config('faxgate.audit_pending',
          (coalesce(nullif(current_setting('faxgate.audit_pending', true), ''), '0')::int + 1)::text, true);
        RETURN NEW;
      END $$;
      CREATE TRIGGER audit_events_unsealed BEFORE INSERT ON audit_events
        FOR EACH ROW EXECUTE FUNCTION faxgate_audit_unsealed();

      -- At commit: next position, hash, head moved. The first seal of a transaction locks the
      -- head row; later ones in the same transaction continue from a transaction-local copy
      -- (faxgate.audit_cur), and the last one writes the head row — one head update per
      -- transaction, not one per event. 'advisory' in faxgate.audit_lock takes a transaction
      -- advisory lock first (the alternative that bench:audit measures).
      -- SECURITY DEFINER: the application's role needs only SELECT and INSERT on audit_events;
      -- the seal updates the chain columns and the head with the owner's rights.
      CREATE FUNCTION faxgate_audit_seal() RETURNS trigger LANGUAGE plpgsql
        SECURITY DEFINER SET search_path FROM CURRENT AS $$
      DECLARE
        cur     text := nullif(current_setting('faxgate.audit_cur', true), '');
        pending int := coalesce(nullif(current_setting('faxgate.audit_pending', true), ''), '1')::int - 1;
        h_seq   bigint;
        h_hash  text;
        n_hash  text;
      BEGIN
        IF cur IS NULL THEN
          IF current_setting('faxgate.audit_lock', true) = 'advisory' THEN
            PERFORM pg_advisory_xact_lock(1717663841);
          END IF;
          SELECT a.seq, a.hash INTO h_seq, h_hash FROM audit_head a WHERE a.id = 1 FOR UPDATE;
          IF NOT FOUND THEN
            RAISE EXCEPTION 'faxgate: audit_head is missing';
          END IF;
        ELSE
          h_seq := split_part(cur, ' ', 1)::bigint;
          h_hash := split_part(cur, ' ', 2);
        END IF;
        n_hash := encode(sha256(decode(h_hash, 'hex') || convert_to(faxgate_audit_canonical(NEW, h_seq + 1), 'UTF8')), 'hex');
        UPDATE audit_events SET seq = h_seq + 1, prev_hash = h_hash, hash = n_hash WHERE id = NEW.id;
        PERFORM set_config('faxgate.audit_pending', greatest(pending, 0)::text, true);
        IF pending <= 0 THEN
          UPDATE audit_head SET seq = h_seq + 1, hash = n_hash WHERE id = 1;
          PERFORM set_config('faxgate.audit_cur', '', true);
        ELSE
          PERFORM set_config('faxgate.audit_cur', (h_seq + 1)::text || ' ' || n_hash, true);
        END IF;
        RETURN NULL;
      END $$;
      CREATE CONSTRAINT TRIGGER audit_events_seal AFTER INSERT ON audit_events
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION faxgate_audit_seal();

      -- Append-only: the only UPDATE allowed is the seal itself (from within the seal
      -- trigger, on an unsealed row, touching nothing but seq, prev_hash and hash).
      CREATE FUNCTION faxgate_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND pg_trigger_depth() > 1 AND OLD.hash IS NULL AND NEW.hash IS NOT NULL
           AND (NEW.id, NEW.time, NEW.type, NEW.actor, NEW.actor_id, NEW.subject, NEW.mailbox_id, NEW.fax_id, NEW.details)
               IS NOT DISTINCT FROM
               (OLD.id, OLD.time, OLD.type, OLD.actor, OLD.actor_id, OLD.subject, OLD.mailbox_id, OLD.fax_id, OLD.details) THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION 'faxgate: % on % refused: the table is append-only', TG_OP, TG_TABLE_NAME
          USING ERRCODE = 'insufficient_privilege';
      END $$;
      CREATE FUNCTION faxgate_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'faxgate: % on % refused: the table is append-only', TG_OP, TG_TABLE_NAME
          USING ERRCODE = 'insufficient_privilege';
      END $$;
      CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
        FOR EACH ROW EXECUTE FUNCTION faxgate_audit_append_only();
      CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
        FOR EACH STATEMENT EXECUTE FUNCTION faxgate_refuse_change();

      -- The head only moves forward, from within the seal; it is never deleted.
      CREATE FUNCTION faxgate_audit_head_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND pg_trigger_depth() > 1 AND NEW.id = OLD.id AND NEW.seq > OLD.seq THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION 'faxgate: % on audit_head refused: the chain head only moves forward with a sealed event', TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END $$;
      CREATE TRIGGER audit_head_forward_only BEFORE UPDATE OR DELETE ON audit_head
        FOR EACH ROW EXECUTE FUNCTION faxgate_audit_head_guard();
      CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head
        FOR EACH STATEMENT EXECUTE FUNCTION faxgate_refuse_change();

      -- ALWAYS: the triggers fire even with session_replication_role = replica.
      ALTER TABLE audit_events ENABLE ALWAYS TRIGGER audit_events_unsealed;
      ALTER TABLE audit_events ENABLE ALWAYS TRIGGER audit_events_seal;
      ALTER TABLE audit_events ENABLE ALWAYS TRIGGER audit_events_append_only;
      ALTER TABLE audit_events ENABLE ALWAYS TRIGGER audit_events_no_truncate;
      ALTER TABLE audit_head ENABLE ALWAYS TRIGGER audit_head_forward_only;
      ALTER TABLE audit_head ENABLE ALWAYS TRIGGER audit_head_no_truncate;
    `);
  },
  async down(knex: Knex) {
    await knex.raw(`
      DROP TABLE IF EXISTS audit_events, audit_head CASCADE;
      DROP FUNCTION IF EXISTS faxgate_audit_head_guard(), faxgate_audit_append_only(), faxgate_audit_seal(),
        faxgate_audit_unsealed(), faxgate_refuse_change();
    `);
  },
};
