// Taking a checkpoint: seal what is committed, read the chain head, sign it, write the file,
// announce it in the system log, and record it in the trail itself (audit.checkpoint).
import type { Db, Knex } from '@faxgate/store';
import { appendAuditEvent } from '../append.js';
import { sealAuditTrail } from '../seal.js';
import { writeCheckpoint } from './files.js';
import { type Checkpoint, signCheckpoint } from './format.js';
import type { CheckpointKey } from './keys.js';
import { type CheckpointSink, checkpointLogLine } from './sink.js';

/** pg advisory lock key: one checkpoint writer at a time across nodes ('fgcp'). */
export const CHECKPOINT_LOCK_KEY = 0x66676370;

export interface CheckpointOptions {
  key: CheckpointKey;
  dir: string;
  sink?: CheckpointSink;
  /** Who the audit.checkpoint event names (the daemon, or system:<os user> for the CLI). */
  actor: string;
}

export type CheckpointOutcome =
  | { written: true; checkpoint: Checkpoint; file: string }
  | { written: false; reason: 'busy' | 'empty' };

/**
 * Seals (waiting for the head), then under a transaction advisory lock — so two nodes never
 * write at once; 'busy' when another holds it — signs the committed head and writes it. The
 * head read is committed state, so the file never names a seal that could still roll back.
 * An empty trail (seq 0) has nothing to anchor: 'empty'.
 */
export async function createCheckpoint(db: Knex, options: CheckpointOptions): Promise<CheckpointOutcome> {
  await sealAuditTrail(db);
  return db.transaction(async (trx) => {
    const { rows: lock } = await trx.raw('SELECT pg_try_advisory_xact_lock(?) AS ok', [CHECKPOINT_LOCK_KEY]);
    if (!lock[0].ok) return { written: false, reason: 'busy' } as const;
    const head = await readHead(trx);
    if (head.seq === 0) return { written: false, reason: 'empty' } as const;
    const checkpoint = signCheckpoint({ ...head, time: new Date().toISOString() }, options.key);
    const file = writeCheckpoint(options.dir, checkpoint, options.key.publicPem);
    await options.sink?.record(checkpointLogLine(checkpoint, file));
    await appendAuditEvent(trx, {
      type: 'audit.checkpoint',
      actor: options.actor,
      subject: 'audit_events',
      details: { seq: checkpoint.seq, hash: checkpoint.hash, file, keyId: checkpoint.keyId },
    });
    return { written: true, checkpoint, file } as const;
  });
}

/** The sealed chain head and the database's name. */
export async function readHead(db: Db): Promise<{ seq: number; hash: string; database: string }> {
  const { rows } = await db.raw(
    'SELECT h.seq, h.hash, current_database() AS database FROM audit_head h WHERE h.id = 1',
  );
  if (!rows[0]) throw new Error('faxgate: audit_head is missing');
  return { seq: Number(rows[0].seq), hash: rows[0].hash, database: rows[0].database };
}
