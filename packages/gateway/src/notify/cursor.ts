// A webhook's position in the audit trail (table notification_cursors): the last audit seq
// handled, the retry state of the event after it, and a lease so that of several gateway
// processes only one delivers a webhook at a time.
import type { Db } from '@faxgate/store';

export interface Cursor {
  seq: number;
  /** Failed attempts at the event after `seq`. */
  attempts: number;
  nextAttemptAt: Date | null;
}

// biome-ignore lint/suspicious/noExplicitAny: a notification_cursors row
const toCursor = (r: any): Cursor => ({
  seq: Number(r.seq),
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
});

/**
 * Creates the cursor of a webhook seen for the first time at the current end of the trail:
 * a new webhook gets what happens from now on, not the history.
 */
export async function ensureCursor(db: Db, name: string): Promise<void> {
  await db.raw(
    `INSERT INTO notification_cursors (name, seq)
     SELECT ?, seq FROM audit_head WHERE id = 1
     ON CONFLICT (name) DO NOTHING`,
    [name],
  );
}

/** Takes or renews the lease; undefined while another live process holds it. */
export async function takeLease(
  db: Db,
  name: string,
  owner: string,
  ms: number,
): Promise<Cursor | undefined> {
  const r = await db.raw(
    `UPDATE notification_cursors
        SET lease_owner = ?, lease_until = now() + make_interval(secs => ?::double precision / 1000)
      WHERE name = ? AND (lease_owner IS NULL OR lease_owner = ? OR lease_until < now())
      RETURNING seq, attempts, next_attempt_at`,
    [owner, ms, name, owner],
  );
  return r.rows.length ? toCursor(r.rows[0]) : undefined;
}

export async function releaseLease(db: Db, name: string, owner: string): Promise<void> {
  await db('notification_cursors')
    .where({ name, lease_owner: owner })
    .update({ lease_owner: null, lease_until: null });
}

/** Moves past `seq` (delivered, given up, or nothing to deliver up to it); never backwards. */
export async function advance(db: Db, name: string, seq: number): Promise<void> {
  await db.raw(
    `UPDATE notification_cursors
        SET seq = GREATEST(seq, ?), attempts = 0, last_error = NULL, next_attempt_at = NULL, updated_at = now()
      WHERE name = ?`,
    [seq, name],
  );
}

export async function recordFailure(
  db: Db,
  name: string,
  attempts: number,
  error: string,
  nextAttemptAt: Date,
): Promise<void> {
  await db('notification_cursors')
    .where({ name })
    .update({ attempts, last_error: error, next_attempt_at: nextAttemptAt, updated_at: db.fn.now() });
}

/** The last committed audit seq: every event up to it is visible (seq is commit order). */
export async function auditHead(db: Db): Promise<number> {
  const r = await db.raw('SELECT seq FROM audit_head WHERE id = 1');
  return Number(r.rows[0]?.seq ?? 0);
}
