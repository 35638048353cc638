// Receptions a crash cut off. Pages are committed one by one as they arrive (receive-store.ts),
// so a fax left 'receiving' by a process that is gone holds exactly the pages that were safe.
// It is closed with them: 'failed', cause 'partial' (pages kept) or 'interrupted' (none),
// recv.end and the RECV record — one transaction per fax. A reception whose process is still
// alive (its presence lock held, pipeline/presence.ts) is left alone: several gateway
// processes may share the database.
import { type Db, type Fax, faxes, inTransaction } from '@faxgate/store';
import { aliveInstances } from '../pipeline/presence.js';
import { closeReceiving, pagesKept } from './receive-store.js';

export interface RecoveredReceive {
  fax: Fax;
  pages: number;
}

/** Why a reception cut off by a crash ended, as the fax and the RECV record say it. */
export function interruptedText(pages: number): string {
  return `receive interrupted: gateway stopped during the call; ${pagesKept(pages)}`;
}

/** How often a running gateway looks for receptions another (crashed) process left. */
export const RECOVER_INTERVAL_MS = 60_000;

/**
 * Closes every reception whose receiving process is gone. `self`: this process's presence id —
 * its own receptions are alive even if its presence lock was lost with a database connection.
 * Returns what it closed.
 */
export async function recoverInterruptedReceives(
  db: Db,
  actor: string,
  opts: { self?: string } = {},
): Promise<RecoveredReceive[]> {
  const alive = await aliveInstances(db);
  const rows: { id: number; receiver: string | null }[] = await db('faxes')
    .where({ direction: 'in', state: 'receiving' })
    .orderBy('id')
    .select('id', db.raw(`metadata->>'receiver' AS receiver`));
  const out: RecoveredReceive[] = [];
  for (const row of rows) {
    if (row.receiver && (alive.has(row.receiver) || row.receiver === opts.self)) continue; // in progress
    const done = await inTransaction(db, async (trx) => {
      const fax = await faxes.getForUpdate(trx, row.id);
      if (fax.state !== 'receiving') return undefined; // finished meanwhile
      const [{ n }] = await trx('fax_pages').where({ fax_id: fax.id }).count<{ n: number }[]>('* as n');
      const pages = Number(n);
      const started = fax.startedAt ?? fax.createdAt;
      const closed = await closeReceiving(
        trx,
        {
          fax,
          pages,
          started,
          controller: Number(fax.line ?? 0),
          caller: fax.remoteNumber ?? '',
          actor,
        },
        {
          ok: false,
          cause: pages > 0 ? 'partial' : 'interrupted',
          causeText: interruptedText(pages),
          remoteStationId: fax.remoteStationId,
          rate: null,
          // the call's end was never seen: up to the last thing it stored
          conntimeSeconds: 0,
          jobtimeSeconds: Math.max(0, Math.round((fax.updatedAt.getTime() - started.getTime()) / 1000)),
          details: { interrupted: true, receiver: row.receiver },
        },
      );
      return { fax: closed, pages };
    });
    if (done) out.push(done);
  }
  return out;
}
