// Appends off the commit path. Up to 0103 a deferred trigger tried to seal at every COMMIT
// that appended (SKIP LOCKED on the chain head): under load most commits found the head
// busy and committed unsealed anyway, yet each paid for the try, and the one that got the
// head sealed inside its own commit. Now a commit never seals: the caller's INSERT writes the
// event unsealed in its own transaction (it commits or rolls back with the change it
// records, so a rollback leaves neither an event nor a gap), and the seal runs only in
// faxgate_audit_seal_pending() — the daemon's sealer (every 200 ms, in batches), verify,
// export and checkpoints. The seal (the head's guard trigger) updates its batch with one
// statement instead of one per event; positions and hashes still come from the head and the
// rows alone, under the head's lock.
//
// NB: knex.raw treats every ? as a binding placeholder: none may appear in this SQL.
import type { Knex, Migration } from '@faxgate/store';

export const m0104AuditSealOffCommit: Migration = {
  name: '0104_audit_seal_off_commit',
  async up(knex: Knex) {
    await knex.raw(`
      DROP TRIGGER IF EXISTS audit_events_seal ON audit_events;
      DROP FUNCTION IF EXISTS faxgate_audit_seal();

      -- Values an inserter writes into the chain columns are still discarded, but the
      -- function runs only when there is something to discard: the WHEN condition is checked
      -- without calling PL/pgSQL, so an ordinary append pays nothing for it.
      DROP TRIGGER audit_events_unsealed ON audit_events;
      CREATE TRIGGER audit_events_unsealed BEFORE INSERT ON audit_events
        FOR EACH ROW WHEN (NEW.seq IS NOT NULL OR NEW.prev_hash IS NOT NULL OR NEW.hash IS NOT NULL)
        EXECUTE FUNCTION faxgate_audit_unsealed();
      ALTER TABLE audit_events ENABLE ALWAYS TRIGGER audit_events_unsealed;

      -- The seal's UPDATE of every event passed through a PL/pgSQL call that let it through.
      -- Now the same rule is the trigger's WHEN condition (checked without a call): the
      -- refusing function runs for every UPDATE except the seal itself — from inside a trigger
      -- (the head's guard), on an unsealed row, changing nothing but seq, prev_hash and hash.
      -- DELETE gets a trigger of its own that always refuses.
      DROP TRIGGER audit_events_append_only ON audit_events;
      CREATE TRIGGER audit_events_append_only BEFORE UPDATE ON audit_events
        FOR EACH ROW WHEN (NOT (pg_trigger_depth() >= 1 AND OLD.hash IS NULL AND NEW.hash IS NOT NULL
          AND (NEW.id, NEW.time, NEW.type, NEW.actor, NEW.actor_id, NEW.subject, NEW.mailbox_id, NEW.fax_id, NEW.details)
              IS NOT DISTINCT FROM
              (OLD.id, OLD.time, OLD.type, OLD.actor, OLD.actor_id, OLD.subject, OLD.mailbox_id, OLD.fax_id, OLD.details)))
        EXECUTE FUNCTION faxgate_refuse_change();
      CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
        FOR EACH ROW EXECUTE FUNCTION faxgate_refuse_change();
      ALTER TABLE audit_events ENABLE ALWAYS TRIGGER audit_events_append_only;
      ALTER TABLE audit_events ENABLE ALWAYS TRIGGER audit_events_no_delete;

      -- Redundant: the unique index on seq holds the NULLs too, and finds the unsealed rows
      -- as well; one index less to write per append and per seal.
      DROP INDEX audit_events_unsealed_idx;

      -- The seal, set-based: the hashes are still computed one event after the other (each
      -- needs the one before), but the events are then updated by one statement instead of
      -- one statement each — about half the seal's cost per event. Same rules as 0103: an
      -- UPDATE of the head that changes nothing asks for it; under the head's row lock every
      -- unsealed event visible now (at most faxgate.audit_seal_limit) is chained in id order
      -- and the head moves once; every other change of the head, and DELETE, is refused.
      CREATE OR REPLACE FUNCTION faxgate_audit_head_guard() RETURNS trigger LANGUAGE plpgsql
        SET search_path FROM CURRENT AS $$
      DECLARE
        lim    bigint := nullif(current_setting('faxgate.audit_seal_limit', true), '')::bigint;
        h_seq  bigint;
        h_hash text;
        n_hash text;
        e      audit_events;
        ids    bigint[] := '{}';
        seqs   bigint[] := '{}';
        prevs  text[] := '{}';
        hashes text[] := '{}';
        n      bigint;
      BEGIN
        IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND NEW.seq = OLD.seq AND NEW.hash = OLD.hash THEN
          h_seq := OLD.seq;
          h_hash := OLD.hash;
          FOR e IN SELECT * FROM audit_events WHERE seq IS NULL ORDER BY id LIMIT lim LOOP
            h_seq := h_seq + 1;
            n_hash := encode(sha256(decode(h_hash, 'hex')
              || convert_to(faxgate_audit_canonical(e, h_seq), 'UTF8')), 'hex');
            ids := ids || e.id;
            seqs := seqs || h_seq;
            prevs := prevs || h_hash;
            hashes := hashes || n_hash;
            h_hash := n_hash;
          END LOOP;
          IF cardinality(ids) > 0 THEN
            UPDATE audit_events a SET seq = u.seq, prev_hash = u.prev, hash = u.hash
              FROM unnest(ids, seqs, prevs, hashes) AS u(id, seq, prev, hash)
              WHERE a.id = u.id AND a.seq IS NULL;
            GET DIAGNOSTICS n = ROW_COUNT;
            IF n <> cardinality(ids) THEN
              RAISE EXCEPTION 'faxgate: % audit events were sealed by someone else', cardinality(ids) - n;
            END IF;
          END IF;
          NEW.seq := h_seq;
          NEW.hash := h_hash;
          RETURN NEW;
        END IF;
        RAISE EXCEPTION 'faxgate: % on audit_head refused: the chain head only moves forward with a sealed event', TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END $$;
    `);
  },
  async down(knex: Knex) {
    // Back to 0103: seal at COMMIT when the head is free, one UPDATE per event.
    await knex.raw(`
      DROP TRIGGER audit_events_unsealed ON audit_events;
      CREATE TRIGGER audit_events_unsealed BEFORE INSERT ON audit_events
        FOR EACH ROW EXECUTE FUNCTION faxgate_audit_unsealed();
      ALTER TABLE audit_events ENABLE ALWAYS TRIGGER audit_events_unsealed;

      CREATE INDEX audit_events_unsealed_idx ON audit_events (id) WHERE seq IS NULL;
      DROP TRIGGER audit_events_no_delete ON audit_events;
      DROP TRIGGER audit_events_append_only ON audit_events;
      CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
        FOR EACH ROW EXECUTE FUNCTION faxgate_audit_append_only();
      ALTER TABLE audit_events ENABLE ALWAYS TRIGGER audit_events_append_only;

      -- The seal. An UPDATE of the head that changes nothing asks for it: under the head's row
      -- lock (held by that UPDATE), every unsealed event visible now is chained in id order —
      -- at most faxgate.audit_seal_limit of them when set — and the head moves once. Any other
      -- change of the head, and every DELETE, is refused. The events' append-only trigger
      -- lets the seal's UPDATEs through because they come from inside this trigger.
      CREATE OR REPLACE FUNCTION faxgate_audit_head_guard() RETURNS trigger LANGUAGE plpgsql
        SET search_path FROM CURRENT AS $$
      DECLARE
        lim    bigint := nullif(current_setting('faxgate.audit_seal_limit', true), '')::bigint;
        h_seq  bigint;
        h_hash text;
        n_hash text;
        e      audit_events;
      BEGIN
        IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND NEW.seq = OLD.seq AND NEW.hash = OLD.hash THEN
          h_seq := OLD.seq;
          h_hash := OLD.hash;
          FOR e IN SELECT * FROM audit_events WHERE seq IS NULL ORDER BY id LIMIT lim LOOP
            h_seq := h_seq + 1;
            n_hash := encode(sha256(decode(h_hash, 'hex')
              || convert_to(faxgate_audit_canonical(e, h_seq), 'UTF8')), 'hex');
            UPDATE audit_events SET seq = h_seq, prev_hash = h_hash, hash = n_hash
              WHERE id = e.id AND seq IS NULL;
            IF NOT FOUND THEN
              RAISE EXCEPTION 'faxgate: audit event % was sealed by someone else', e.id;
            END IF;
            h_hash := n_hash;
          END LOOP;
          NEW.seq := h_seq;
          NEW.hash := h_hash;
          RETURN NEW;
        END IF;
        RAISE EXCEPTION 'faxgate: % on audit_head refused: the chain head only moves forward with a sealed event', TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END $$;

      -- At COMMIT of a transaction that appended: seal if the head is free, never wait for it.
      -- REPEATABLE READ and SERIALIZABLE transactions leave their events to the next seal (their
      -- snapshot may be older than the head), so an append never makes them fail.
      -- SECURITY DEFINER: the application's role needs only SELECT and INSERT on audit_events.
      CREATE OR REPLACE FUNCTION faxgate_audit_seal() RETURNS trigger LANGUAGE plpgsql
        SECURITY DEFINER SET search_path FROM CURRENT AS $$
      BEGIN
        IF current_setting('transaction_isolation') <> 'read committed'
           OR current_setting('faxgate.audit_skipped', true) = 'on' THEN
          RETURN NULL;
        END IF;
        PERFORM 1 FROM audit_events WHERE id = NEW.id AND seq IS NULL;
        IF NOT FOUND THEN
          RETURN NULL; -- sealed already, with an earlier event of this transaction
        END IF;
        PERFORM 1 FROM audit_head WHERE id = 1 FOR UPDATE SKIP LOCKED;
        IF NOT FOUND THEN
          IF NOT EXISTS (SELECT 1 FROM audit_head WHERE id = 1) THEN
            RAISE EXCEPTION 'faxgate: audit_head is missing';
          END IF;
          -- another commit holds the head: commit unsealed, without waiting
          PERFORM set_config('faxgate.audit_skipped', 'on', true);
          RETURN NULL;
        END IF;
        UPDATE audit_head SET seq = seq WHERE id = 1;
        RETURN NULL;
      END $$;

      CREATE CONSTRAINT TRIGGER audit_events_seal AFTER INSERT ON audit_events
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION faxgate_audit_seal();
      ALTER TABLE audit_events ENABLE ALWAYS TRIGGER audit_events_seal;
    `);
  },
};
