// Operator job control (issue 17 item 7): hold a waiting fax, release it, and requeue a
// failed one. The fax row is the truth: a held fax is 'suspended' (cause 'held'), which the
// worker's claim (QUEUED_STATES only) never dials even when its BullMQ job fires; its job is
// removed as a courtesy. Who may: `queue.manage` on any fax, or the mailbox's own right
// (out.modify to hold/release, out.send to requeue, which sends the fax again).
import { appendAuditEvent } from '@faxgate/audit';
import {
  type ActorRef,
  can,
  type Db,
  type Fax,
  ForbiddenError,
  faxes,
  inTransaction,
  type MailboxRight,
  users,
} from '@faxgate/store';
import { JobStateError } from './errors.js';
import { QUEUE_SYNC, syncJob, syncToken } from './job-sync.js';
import { jobIdOf, type SendQueue } from './queue.js';
import type { QueueSettings } from './settings.js';
import { QUEUED_STATES } from './transitions.js';

/** The cause of a fax an operator or its sender holds. */
export const HELD = 'held';

export type OperatorAction = 'hold' | 'release' | 'requeue';

/** The mailbox right that lets a user (without queue.manage) act on its own mailbox's faxes. */
export const OWN_RIGHT: Readonly<Record<OperatorAction, MailboxRight>> = {
  hold: 'out.modify',
  release: 'out.modify',
  requeue: 'out.send',
};

export interface OperateContext {
  db: Db;
  /** Undefined or unreachable: a released or requeued fax is queued by the reconciler. */
  queue?: SendQueue;
  settings: Pick<QueueSettings, 'killTimeMs'>;
  now?: () => Date;
}

export interface OperateResult {
  fax: Fax;
  /** release/requeue: whether Redis took the job now (else the reconciler will). */
  enqueued: boolean;
}

/** May `actor` do `action` on `fax`: queue.manage, or the own right on its mailbox. */
export async function mayOperate(db: Db, userId: number, fax: Fax, action: OperatorAction): Promise<boolean> {
  if (fax.direction !== 'out') return false;
  if (await can(db, userId, 'queue.manage')) return true;
  return fax.mailboxId !== null && can(db, userId, OWN_RIGHT[action], fax.mailboxId);
}

async function actorAndFax(db: Db, actor: ActorRef, faxId: number, action: OperatorAction) {
  const user = await users.get(db, typeof actor === 'object' ? actor.id : actor);
  const fax = await faxes.get(db, faxId);
  if (!(await mayOperate(db, user.id, fax, action)))
    throw new ForbiddenError(`${user.name} may not ${action} fax ${faxId}`);
  return { user, fax };
}

function isHeld(f: Fax): boolean {
  return f.state === 'suspended' && f.cause === HELD;
}

/** Hold: a waiting fax stops waiting for a line until released; its send time and counts stay. */
export async function holdFax(
  ctx: OperateContext,
  input: { actor: ActorRef; faxId: number; reason?: string },
): Promise<OperateResult> {
  const { db } = ctx;
  const { user, fax } = await actorAndFax(db, input.actor, input.faxId, 'hold');
  const refuse = (f: Fax) =>
    new JobStateError(
      f.id,
      QUEUED_STATES,
      f.state,
      f.state === 'running'
        ? `fax ${f.id} is in a call: stop it, or hold it once the call has ended`
        : `fax ${f.id} is ${f.state}${f.cause ? ` (${f.cause})` : ''}: only a waiting fax is held`,
    );
  if (!QUEUED_STATES.includes(fax.state)) throw refuse(fax);
  const after = await inTransaction(db, async (trx) => {
    const before = await faxes.getForUpdate(trx, fax.id);
    if (!QUEUED_STATES.includes(before.state)) throw refuse(before);
    const held = await faxes.updateState(
      trx,
      fax.id,
      'suspended',
      {
        cause: HELD,
        causeText: `held by ${user.name}${input.reason ? `: ${input.reason}` : ''}`,
        // What release restores: the cause and text the fax had while it waited.
        metadata: { ...before.metadata, heldFrom: { cause: before.cause, causeText: before.causeText } },
      },
      { from: QUEUED_STATES },
    );
    await appendAuditEvent(trx, {
      type: 'job.suspend',
      actor: user.name,
      actorId: user.id,
      subject: `fax:${fax.id}`,
      faxId: fax.id,
      mailboxId: fax.mailboxId,
      details: { cause: HELD, from: before.state, ...(input.reason ? { reason: input.reason } : {}) },
    });
    return held;
  });
  // The row already keeps it from being dialled; the job only goes so the queue shows no ghost.
  await ctx.queue
    ?.getJob(jobIdOf(fax.id))
    .then((job) => job?.remove())
    .catch(() => {});
  return { fax: after, enqueued: false };
}

/** Release: a held fax waits again (pending), at its send time. */
export async function releaseFax(
  ctx: OperateContext,
  input: { actor: ActorRef; faxId: number },
): Promise<OperateResult> {
  const { db } = ctx;
  const { user, fax } = await actorAndFax(db, input.actor, input.faxId, 'release');
  const refuse = (f: Fax) =>
    new JobStateError(f.id, ['suspended'], f.state, `fax ${f.id} is not held (it is ${f.state})`);
  if (!isHeld(fax)) throw refuse(fax);
  const now = ctx.now?.() ?? new Date();
  const out = await inTransaction(db, async (trx) => {
    const before = await faxes.getForUpdate(trx, fax.id);
    if (!isHeld(before)) throw refuse(before);
    const token = syncToken();
    const { heldFrom, ...metadata } = before.metadata as Record<string, unknown> & {
      heldFrom?: { cause: string | null; causeText: string | null };
    };
    const killAt =
      before.killAt && before.killAt > now
        ? before.killAt
        : new Date(now.getTime() + ctx.settings.killTimeMs);
    const after = await faxes.updateState(
      trx,
      fax.id,
      'pending',
      {
        cause: heldFrom?.cause ?? null,
        causeText: heldFrom?.causeText ?? null,
        killAt,
        metadata: { ...metadata, [QUEUE_SYNC]: token },
      },
      { from: ['suspended'] },
    );
    await appendAuditEvent(trx, {
      type: 'job.resume',
      actor: user.name,
      actorId: user.id,
      subject: `fax:${fax.id}`,
      faxId: fax.id,
      mailboxId: fax.mailboxId,
      details: { cause: HELD, heldFor: before.causeText, state: 'pending' },
    });
    return { fax: after, token };
  });
  return synced(ctx, out.fax, out.token);
}

/** Requeue: a failed fax goes back to the queue with fresh dial counts; confirmed pages stay sent. */
export async function requeueFax(
  ctx: OperateContext,
  input: { actor: ActorRef; faxId: number },
): Promise<OperateResult> {
  const { db } = ctx;
  const { user, fax } = await actorAndFax(db, input.actor, input.faxId, 'requeue');
  const refuse = (f: Fax) =>
    new JobStateError(
      f.id,
      ['failed'],
      f.state,
      `fax ${f.id} is ${f.state}: only a failed fax is requeued${f.state === 'done' ? ' (resubmit a sent one)' : ''}`,
    );
  if (fax.state !== 'failed') throw refuse(fax);
  const pages = await db('fax_pages').where({ fax_id: fax.id }).count<{ n: string }[]>({ n: '*' });
  if (Number(pages[0]?.n ?? 0) === 0)
    throw new JobStateError(fax.id, ['failed'], fax.state, `fax ${fax.id} has no pages left to send`);
  const now = ctx.now?.() ?? new Date();
  const out = await inTransaction(db, async (trx) => {
    const before = await faxes.getForUpdate(trx, fax.id);
    if (before.state !== 'failed') throw refuse(before);
    const token = syncToken();
    const after = await faxes.updateState(
      trx,
      fax.id,
      'pending',
      {
        dials: 0,
        tries: 0,
        notBefore: null,
        completedAt: null,
        killAt: new Date(now.getTime() + ctx.settings.killTimeMs),
        causeText: `requeued by ${user.name} after: ${before.causeText ?? before.cause ?? 'failure'}`,
        metadata: { ...before.metadata, [QUEUE_SYNC]: token },
      },
      { from: ['failed'] },
    );
    await appendAuditEvent(trx, {
      type: 'job.retry',
      actor: user.name,
      actorId: user.id,
      subject: `fax:${fax.id}`,
      faxId: fax.id,
      mailboxId: fax.mailboxId,
      details: {
        decision: 'requeue',
        cause: before.cause,
        state: 'pending',
        dials: before.dials,
        tries: before.tries,
        pagesDone: before.pagesDone,
        pagesTotal: before.pagesTotal,
      },
    });
    return { fax: after, token };
  });
  return synced(ctx, out.fax, out.token);
}

async function synced(ctx: OperateContext, fax: Fax, token: string): Promise<OperateResult> {
  const enqueued = ctx.queue ? await syncJob(ctx.db, ctx.queue, fax, token) : false;
  if (!enqueued) return { fax, enqueued };
  const { [QUEUE_SYNC]: _cleared, ...metadata } = fax.metadata;
  return { fax: { ...fax, metadata }, enqueued };
}
