// Stop (`out.stop`): a waiting fax leaves the queue and fails as 'stopped'; a running call is
// disconnected cleanly (AbortSignal → DISCONNECT_B3 → DISCONNECT) by the process that runs
// it, which then records the end like any other call.
import {
  type ActorRef,
  can,
  type Db,
  type Fax,
  ForbiddenError,
  faxes,
  StateConflictError,
  users,
} from '@faxgate/store';
import type { Redis } from 'ioredis';
import { jobIdOf, type SendQueue } from './queue.js';
import { endWithoutCall, STOPPABLE_STATES } from './transitions.js';

export interface StopContext {
  db: Db;
  queue?: SendQueue;
  /** Publishes on the stop channel (queue.ts `stopChannel`) so any gateway process hears it. */
  publisher?: Pick<Redis, 'publish'>;
  stopChannel?: string;
  /** This process's worker, when it runs one (the call may be here). */
  worker?: { abortCall(faxId: number, by: string): boolean };
}

export interface StopResult {
  fax: Fax;
  /** waiting: ended now; running: the call is being disconnected; finished: nothing to stop. */
  was: 'waiting' | 'running' | 'finished';
}

export async function stopFax(
  ctx: StopContext,
  input: { actor: ActorRef; faxId: number },
): Promise<StopResult> {
  const { db } = ctx;
  const user = await users.get(db, typeof input.actor === 'object' ? input.actor.id : input.actor);
  const fax = await faxes.get(db, input.faxId);
  if (
    fax.direction !== 'out' ||
    fax.mailboxId === null ||
    // The operator (queue.manage) stops any queued fax; a user the mailbox's own.
    !((await can(db, user.id, 'queue.manage')) || (await can(db, user.id, 'out.stop', fax.mailboxId)))
  ) {
    throw new ForbiddenError(`${user.name} may not stop fax ${input.faxId}`);
  }
  if (STOPPABLE_STATES.includes(fax.state)) {
    try {
      const after = await endWithoutCall(db, fax.id, {
        from: STOPPABLE_STATES,
        code: 'stopped',
        reason: `stopped by ${user.name}`,
        actor: user.name,
        actorId: user.id,
      });
      // The row is the truth; a job a worker holds right now finds the fax failed and ends.
      await ctx.queue
        ?.getJob(jobIdOf(fax.id))
        .then((job) => job?.remove())
        .catch(() => {});
      return { fax: after, was: 'waiting' };
    } catch (e) {
      // It was claimed for a call between our read and our change: stop the call instead.
      if (e instanceof StateConflictError) return stopRunning(ctx, user, fax.id);
      throw e;
    }
  }
  if (fax.state === 'running') return stopRunning(ctx, user, fax.id);
  return { fax, was: 'finished' };
}

async function stopRunning(
  ctx: StopContext,
  user: { id: number; name: string },
  faxId: number,
): Promise<StopResult> {
  // Recorded on the row first: a worker that has not started dialling yet sees it too.
  const fax = await ctx.db.transaction(async (trx) => {
    const f = await faxes.getForUpdate(trx, faxId);
    if (f.state !== 'running') return f;
    return faxes.update(trx, faxId, { metadata: { ...f.metadata, stopRequestedBy: user.name } });
  });
  if (fax.state !== 'running') return { fax, was: 'finished' };
  if (!ctx.worker?.abortCall(faxId, user.name) && ctx.publisher && ctx.stopChannel) {
    await ctx.publisher.publish(ctx.stopChannel, JSON.stringify({ faxId, by: user.name }));
  }
  return { fax, was: 'running' };
}
