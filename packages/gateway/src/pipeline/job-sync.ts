// Bringing a fax's queue job in line with its row after the row changed (modify, settle).
// The change commits first together with a mark in the row's metadata; then the job is
// replaced and the mark cleared. When Redis is down, or a worker holds the job right now,
// the mark stays and the reconciler replaces the job on its next pass: the change is never
// lost, because the row is the truth and the mark says the job may not match it.
import type { Db } from '@faxgate/store';
import { enqueueFax, jobIdOf, type SendQueue } from './queue.js';

/** Metadata key of the mark; its value is a token so a newer mark is never cleared by an older sync. */
export const QUEUE_SYNC = 'queueSync';

/** A fresh token for the mark. */
export function syncToken(): string {
  return `${Date.now().toString(36)}.${Math.random().toString(36).slice(2, 10)}`;
}

/**
 * Replaces the job of fax `fax.id` by one built from the row (priority, delay to not_before)
 * and clears the mark `token`. False when the job could not be replaced now (Redis down, or
 * a worker holds it): the mark stays for the reconciler.
 */
export async function syncJob(
  db: Db,
  queue: SendQueue,
  fax: { id: number; priority: number; notBefore: Date | null },
  token: string,
): Promise<boolean> {
  try {
    const job = await queue.getJob(jobIdOf(fax.id));
    // Refused while a worker holds the job (its lock): that worker reads the row anyway.
    if (job) await job.remove();
    await enqueueFax(queue, fax);
  } catch {
    return false;
  }
  await clearSyncMark(db, fax.id, token);
  return true;
}

/** Clears the mark if it is still `token` (one statement: no lost update of other metadata). */
export async function clearSyncMark(db: Db, faxId: number, token: string): Promise<void> {
  await db.raw(`UPDATE faxes SET metadata = metadata - ?::text WHERE id = ? AND metadata->>?::text = ?`, [
    QUEUE_SYNC,
    faxId,
    QUEUE_SYNC,
    token,
  ]);
}
