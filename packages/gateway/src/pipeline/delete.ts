// Delete (`out.delete` for sent faxes, `in.delete` for received ones, HylaFAX faxrm): the
// content goes, the record stays. The pages are removed and the row is kept as `deleted`
// with its numbers, times and counts, so the send/receive log and the audit trail keep
// their evidence (M 5.73). A fax still waiting to be sent is ended like a stop first, in
// the same transaction; one in a call is refused until it has been stopped.
import { appendAuditEvent } from '@faxgate/audit';
import {
  type ActorRef,
  can,
  type Db,
  type Fax,
  type FaxState,
  ForbiddenError,
  faxes,
  faxPages,
  inTransaction,
  users,
} from '@faxgate/store';
import { JobStateError } from './errors.js';
import { jobIdOf, type SendQueue } from './queue.js';
import { endWithoutCall, STOPPABLE_STATES } from './transitions.js';

/** Finished faxes, whose content may go. */
const FINISHED: Record<Fax['direction'], readonly FaxState[]> = {
  out: ['done', 'failed', 'rejected'],
  in: ['received', 'delivered', 'failed'],
};

export interface DeleteContext {
  db: Db;
  /** To remove the job of a waiting fax now; without it the reconciler removes it. */
  queue?: SendQueue;
}

export interface DeleteResult {
  fax: Fax;
  pagesDeleted: number;
  /** True when the fax was still waiting to be sent and was ended first (job.kill on record). */
  stopped: boolean;
}

function notDeletable(fax: Fax): JobStateError {
  const deletable = [...FINISHED[fax.direction], ...(fax.direction === 'out' ? STOPPABLE_STATES : [])];
  const why =
    fax.state === 'deleted'
      ? `fax ${fax.id} is already deleted`
      : fax.state === 'running'
        ? `fax ${fax.id} is in a call: stop it first, then delete it`
        : fax.state === 'receiving'
          ? `fax ${fax.id} is still being received: delete it once it has arrived`
          : `fax ${fax.id} is ${fax.state}: it cannot be deleted now`;
  return new JobStateError(fax.id, deletable, fax.state, why);
}

export async function deleteFax(
  ctx: DeleteContext,
  input: { actor: ActorRef; faxId: number },
): Promise<DeleteResult> {
  const { db } = ctx;
  const user = await users.get(db, typeof input.actor === 'object' ? input.actor.id : input.actor);
  const fax = await faxes.get(db, input.faxId);
  const right = fax.direction === 'out' ? 'out.delete' : 'in.delete';
  if (fax.mailboxId === null || !(await can(db, user.id, right, fax.mailboxId))) {
    throw new ForbiddenError(`${user.name} may not delete fax ${input.faxId}`);
  }
  const finished = FINISHED[fax.direction];
  const waiting = (f: Fax) => f.direction === 'out' && STOPPABLE_STATES.includes(f.state);
  if (!finished.includes(fax.state) && !waiting(fax)) throw notDeletable(fax);

  const result = await inTransaction(db, async (trx) => {
    // Locked: a worker cannot claim it for a call while we decide.
    const before = await faxes.getForUpdate(trx, fax.id);
    let from = before;
    if (waiting(before)) {
      // Ended like a stop (failed/stopped, job.kill, UNSENT record), then deleted.
      from = await endWithoutCall(trx, before.id, {
        from: STOPPABLE_STATES,
        code: 'stopped',
        reason: `deleted by ${user.name}`,
        actor: user.name,
        actorId: user.id,
      });
    } else if (!finished.includes(before.state)) {
      throw notDeletable(before);
    }
    const pagesDeleted = await faxPages.deleteAll(trx, before.id);
    const after = await faxes.updateState(
      trx,
      before.id,
      'deleted',
      {
        metadata: { ...from.metadata, deletedFrom: from.state, deletedBy: user.name, pagesDeleted },
      },
      { from: finished },
    );
    await appendAuditEvent(trx, {
      type: 'fax.delete',
      actor: user.name,
      actorId: user.id,
      subject: `fax:${before.id}`,
      faxId: before.id,
      mailboxId: before.mailboxId,
      details: {
        direction: before.direction,
        was: before.state,
        stopped: from !== before,
        pagesDeleted,
      },
    });
    return { fax: after, pagesDeleted, stopped: from !== before };
  });

  if (result.stopped) {
    // The row is the truth; a job a worker holds right now finds the fax deleted and ends.
    await ctx.queue
      ?.getJob(jobIdOf(fax.id))
      .then((job) => job?.remove())
      .catch(() => {});
  }
  return result;
}
