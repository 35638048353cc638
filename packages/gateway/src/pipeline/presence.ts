// Which worker processes are alive, decided by PostgreSQL: each holds a session advisory lock
// on its instance id for as long as its connection lives. A crashed process loses its
// connection and so its lock; the reconciler then knows its running calls were cut off.
import { randomInt } from 'node:crypto';
import type { Db, Knex } from '@faxgate/store';

/** First key of the two-key advisory lock: 'fxgw'. */
export const PRESENCE_LOCK_CLASS = 0x66786777;

export interface WorkerPresence {
  readonly instanceId: string;
  stop(): Promise<void>;
}

export async function startPresence(db: Knex): Promise<WorkerPresence> {
  const id = randomInt(1, 2 ** 31 - 1);
  // A connection of its own, held for the life of the process: the lock lives with it.
  const conn = await db.client.acquireConnection();
  try {
    await db.raw('SELECT pg_advisory_lock(?::int, ?::int)', [PRESENCE_LOCK_CLASS, id]).connection(conn);
  } catch (e) {
    await db.client.releaseConnection(conn);
    throw e;
  }
  let stopped = false;
  return {
    instanceId: String(id),
    async stop() {
      if (stopped) return;
      stopped = true;
      await db
        .raw('SELECT pg_advisory_unlock(?::int, ?::int)', [PRESENCE_LOCK_CLASS, id])
        .connection(conn)
        .catch(() => {});
      await db.client.releaseConnection(conn);
    },
  };
}

/** Instance ids of the worker processes alive right now (this database). */
export async function aliveInstances(db: Db): Promise<Set<string>> {
  const r = await db.raw(
    `SELECT objid::text AS id FROM pg_locks
      WHERE locktype = 'advisory' AND granted AND objsubid = 2 AND classid = ?::int::oid
        AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    [PRESENCE_LOCK_CLASS],
  );
  return new Set((r.rows as { id: string }[]).map((x) => x.id));
}
