// Sealing without serialising commits. Until 0102 every committing transaction waited for
// the one-row chain head and held it through its own WAL flush, so chained commits could not
// share an fsync. Now:
// - the caller's INSERT still writes the event unsealed, in its own transaction (the event
//   commits or rolls back with the change it records);
// - at COMMIT the deferred trigger only *tries* the head (SKIP LOCKED): if it is free, it
//   seals every unsealed event it can see (its own and those committed before); if another
//   commit holds it, the transaction commits unsealed and never waits;
// - whatever is left is sealed by the next commit that gets the head, by
//   faxgate_audit_seal_pending() (the daemon's sealer, verify, export), or after a restart.
// The seal itself happens in one place: an UPDATE of audit_head that leaves it as it is is a
// seal request; its trigger chains the unsealed events in id order after the head and moves
// the head once. Positions and hashes come only from the head and the rows, never from the
// caller, so nothing a caller sends can fork or bend the chain.
//
// NB: knex.raw treats every ? as a binding placeholder: none may appear in this SQL.
import type { Knex, Migration } from '@faxgate/store';

export const m0103AuditBatchSeal: Migration = {
  name: '0103_audit_batch_seal',
  async up(knex: Knex) {
    await knex.raw(`
      -- Unsealed events are few and short-lived: a partial index finds them without a scan.
      CREATE INDEX audit_events_unsealed_idx ON audit_events (id) WHERE seq IS NULL;

      -- New events enter unsealed, whatever the inserter wrote into the chain columns.
      CREATE OR REPLACE FUNCTION faxgate_audit_unsealed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.seq := NULL;
        NEW.prev_hash := NULL;
        NEW.hash := NULL;
        RETURN NEW;
      END $$;

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

      -- Seals committed events left unsealed (the daemon's sealer, readers, a restart): at most
      -- p_limit (NULL: all). Returns how many were sealed; -1 when p_wait is false and another
      -- transaction holds the head.
      CREATE FUNCTION faxgate_audit_seal_pending(p_limit integer DEFAULT NULL, p_wait boolean DEFAULT true)
        RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
      DECLARE
        before bigint;
        after  bigint;
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM audit_events WHERE seq IS NULL) THEN
          RETURN 0;
        END IF;
        IF p_wait THEN
          SELECT a.seq INTO before FROM audit_head a WHERE a.id = 1 FOR UPDATE;
        ELSE
          SELECT a.seq INTO before FROM audit_head a WHERE a.id = 1 FOR UPDATE SKIP LOCKED;
          IF NOT FOUND AND EXISTS (SELECT 1 FROM audit_head WHERE id = 1) THEN
            RETURN -1;
          END IF;
        END IF;
        IF before IS NULL THEN
          RAISE EXCEPTION 'faxgate: audit_head is missing';
        END IF;
        PERFORM set_config('faxgate.audit_seal_limit', coalesce(p_limit::text, ''), true);
        UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq INTO after;
        PERFORM set_config('faxgate.audit_seal_limit', '', true);
        RETURN after - before;
      END $$;
    `);
  },
  async down(knex: Knex) {
    // Back to 0100's functions: sealed one transaction at a time under a waited-for head lock.
    // Events still unsealed are sealed first: 0100's trigger only seals at their own commit.
    await knex.raw(`
      SELECT faxgate_audit_seal_pending();
      DROP FUNCTION IF EXISTS faxgate_audit_seal_pending(integer, boolean);
      DROP INDEX IF EXISTS audit_events_unsealed_idx;

      CREATE OR REPLACE FUNCTION faxgate_audit_unsealed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.seq := NULL;
        NEW.prev_hash := NULL;
        NEW.hash := NULL;
        PERFORM set_config('faxgate.audit_pending',
          (coalesce(nullif(current_setting('faxgate.audit_pending', true), ''), '0')::int + 1)::text, true);
        RETURN NEW;
      END $$;

      CREATE OR REPLACE FUNCTION faxgate_audit_seal() RETURNS trigger LANGUAGE plpgsql
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

      CREATE OR REPLACE FUNCTION faxgate_audit_head_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND pg_trigger_depth() > 1 AND NEW.id = OLD.id AND NEW.seq > OLD.seq THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION 'faxgate: % on audit_head refused: the chain head only moves forward with a sealed event', TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END $$;
    `);
  },
};
