// Checking the trail in the database against signed checkpoints kept outside it. A
// checkpoint says "event <seq> had hash <hash>"; the chain links every earlier event to that
// hash, so a trail cut back behind a checkpoint (truncated) or re-hashed at or before it
// (rewritten) no longer matches, however consistent the database is in itself.
import type { KeyObject } from 'node:crypto';
import type { Db } from '@faxgate/store';
import type { LoadedCheckpoint } from './files.js';
import { checkSignature } from './format.js';

export type CheckpointStatus =
  | 'ok'
  | 'truncated'
  | 'rewritten'
  | 'bad-signature'
  | 'unknown-key'
  /** Signed for another database (a shared directory): not about this trail, not a fault. */
  | 'other-database';

export interface CheckpointCheck {
  source: string;
  /** The checkpoint's seq (null when the file could not be read). */
  seq: number | null;
  status: CheckpointStatus;
  message: string;
}

export interface CheckpointVerifyResult {
  /** No checkpoint failed (other-database ones do not count). */
  ok: boolean;
  /** Checkpoints that matched the trail. */
  matched: number;
  database: string;
  head: { seq: number; hash: string };
  checks: CheckpointCheck[];
}

/** Statuses that make `faxgate audit verify` exit 1. */
export const FAILED_CHECKPOINT: ReadonlySet<CheckpointStatus> = new Set([
  'truncated',
  'rewritten',
  'bad-signature',
  'unknown-key',
]);

/**
 * Checks each checkpoint: its signature (with the key of its keyId among `publicKeys`), then
 * the sealed chain in `db` — the head must have reached the checkpoint's seq and the event at
 * that seq must carry the checkpoint's hash. Run it beside verifyAuditChain, which checks the
 * links between the events.
 */
export async function verifyAgainstCheckpoints(
  db: Db,
  checkpoints: readonly LoadedCheckpoint[],
  publicKeys: ReadonlyMap<string, KeyObject>,
): Promise<CheckpointVerifyResult> {
  const { rows } = await db.raw(
    'SELECT current_database() AS database, h.seq, h.hash FROM audit_head h WHERE h.id = 1',
  );
  const database = rows[0]?.database as string | undefined;
  const head = rows[0] ? { seq: Number(rows[0].seq), hash: rows[0].hash as string } : { seq: 0, hash: '' };
  // The hashes at every checkpoint's seq, in one query (checkpoints may be many).
  const seqs = [...new Set(checkpoints.flatMap((l) => (l.checkpoint ? [l.checkpoint.seq] : [])))];
  const hashAt = new Map<number, string>();
  if (database !== undefined && seqs.length > 0) {
    const { rows: ev } = await db.raw('SELECT seq, hash FROM audit_events WHERE seq = ANY(?::bigint[])', [
      seqs,
    ]);
    for (const r of ev) hashAt.set(Number(r.seq), r.hash);
  }
  const checks: CheckpointCheck[] = [];
  for (const l of checkpoints) {
    const c = l.checkpoint;
    if (!c) {
      checks.push({
        source: l.source,
        seq: null,
        status: 'bad-signature',
        message: `${l.source}: ${l.error}`,
      });
      continue;
    }
    const name = `checkpoint ${l.source} (seq ${c.seq}, ${c.time})`;
    const sig = checkSignature(c, publicKeys);
    if (sig === 'unknown-key') {
      checks.push({
        source: l.source,
        seq: c.seq,
        status: 'unknown-key',
        message: `${name}: signed by key ${c.keyId}, which is not among the public keys given`,
      });
      continue;
    }
    if (sig === 'bad-signature') {
      checks.push({
        source: l.source,
        seq: c.seq,
        status: 'bad-signature',
        message: `${name}: the signature does not match its content (the file was altered or forged)`,
      });
      continue;
    }
    if (database === undefined) {
      checks.push({
        source: l.source,
        seq: c.seq,
        status: 'truncated',
        message: `${name}: the chain head (audit_head) is missing`,
      });
      continue;
    }
    if (c.database !== database) {
      checks.push({
        source: l.source,
        seq: c.seq,
        status: 'other-database',
        message: `${name}: for database ${JSON.stringify(c.database)}, not ${JSON.stringify(database)}; skipped`,
      });
      continue;
    }
    if (head.seq < c.seq) {
      checks.push({
        source: l.source,
        seq: c.seq,
        status: 'truncated',
        message: `${name}: the trail was truncated: the chain head is at ${head.seq}, behind the checkpoint's ${c.seq}`,
      });
      continue;
    }
    if (c.seq === 0) {
      checks.push({ source: l.source, seq: 0, status: 'ok', message: `${name}: ok (empty trail)` });
      continue;
    }
    const at = hashAt.get(c.seq);
    if (at === undefined) {
      checks.push({
        source: l.source,
        seq: c.seq,
        status: 'truncated',
        message: `${name}: event ${c.seq} is missing from the trail`,
      });
    } else if (at !== c.hash) {
      checks.push({
        source: l.source,
        seq: c.seq,
        status: 'rewritten',
        message: `${name}: the trail was rewritten: event ${c.seq} has hash ${at.slice(0, 16)}…, the checkpoint says ${c.hash.slice(0, 16)}…`,
      });
    } else {
      checks.push({ source: l.source, seq: c.seq, status: 'ok', message: `${name}: ok` });
    }
  }
  const ok = !checks.some((ch) => FAILED_CHECKPOINT.has(ch.status));
  const matched = checks.filter((ch) => ch.status === 'ok').length;
  return { ok, matched, database: database ?? '', head, checks };
}
