// Settling a fax whose outcome is unknown: its call was cut off by a crash and pages may
// have gone out, so the reconciler held it (suspended, cause outcome-unknown) instead of
// resending it silently. The fax post office (queue.manage) or whoever may modify the
// mailbox's faxes (out.modify) decides, on record, after checking with the recipient:
//   resend — queued again now (job.retry), the kill time renewed when it has passed;
//   sent   — done, with the pages the record holds (job.settle);
//   failed — failed (job.settle).
import { appendAuditEvent } from '@faxgate/audit';
import {
  type ActorRef,
  can,
  type Db,
  type Fax,
  ForbiddenError,
  faxes,
  InvalidInputError,
  inTransaction,
  users,
} from '@faxgate/store';
import { JobStateError } from './errors.js';
import { QUEUE_SYNC, syncJob, syncToken } from './job-sync.js';
import type { SendQueue } from './queue.js';
import type { QueueSettings } from './settings.js';
import { OUTCOME_UNKNOWN } from './transitions.js';

export const SETTLE_DECISIONS = ['resend', 'sent', 'failed'] as const;
export type SettleDecision = (typeof SETTLE_DECISIONS)[number];

export interface SettleContext {
  db: Db;
  /** Undefined or unreachable: a resent fax is queued by the reconciler. */
  queue?: SendQueue;
  settings: Pick<QueueSettings, 'killTimeMs'>;
  now?: () => Date;
}

export interface SettleResult {
  fax: Fax;
  /** resend only: false when Redis did not take the job now (the reconciler will). */
  enqueued: boolean;
}

function isHeld(f: Fax): boolean {
  return f.direction === 'out' && f.state === 'suspended' && f.cause === OUTCOME_UNKNOWN;
}

function notHeld(f: Fax): JobStateError {
  return new JobStateError(
    f.id,
    ['suspended'],
    f.state,
    `fax ${f.id} is not waiting for a decision on its outcome (it is ${f.state}${f.cause ? `, ${f.cause}` : ''})`,
  );
}

export async function settleOutcome(
  ctx: SettleContext,
  input: { actor: ActorRef; faxId: number; decision: SettleDecision },
): Promise<SettleResult> {
  const { db } = ctx;
  const decision = input.decision;
  if (!SETTLE_DECISIONS.includes(decision)) {
    throw new InvalidInputError(`decision must be resend, sent or failed, got ${JSON.stringify(decision)}`);
  }
  const user = await users.get(db, typeof input.actor === 'object' ? input.actor.id : input.actor);
  const fax = await faxes.get(db, input.faxId);
  const allowed =
    fax.direction === 'out' &&
    ((await can(db, user.id, 'queue.manage')) ||
      (fax.mailboxId !== null && (await can(db, user.id, 'out.modify', fax.mailboxId))));
  if (!allowed) throw new ForbiddenError(`${user.name} may not settle fax ${input.faxId}`);
  if (!isHeld(fax)) throw notHeld(fax);

  const now = ctx.now?.() ?? new Date();
  const out = await inTransaction(db, async (trx) => {
    const before = await faxes.getForUpdate(trx, fax.id);
    if (!isHeld(before)) throw notHeld(before);
    const by = `by ${user.name}`;
    let after: Fax;
    let token: string | undefined;
    if (decision === 'resend') {
      token = syncToken();
      const killAt =
        before.killAt && before.killAt > now
          ? before.killAt
          : new Date(now.getTime() + ctx.settings.killTimeMs);
      after = await faxes.updateState(
        trx,
        fax.id,
        'pending',
        {
          notBefore: null,
          killAt,
          causeText: `outcome unknown; resent ${by}`,
          metadata: { ...before.metadata, [QUEUE_SYNC]: token },
        },
        { from: ['suspended'] },
      );
    } else {
      after = await faxes.updateState(
        trx,
        fax.id,
        decision === 'sent' ? 'done' : 'failed',
        { completedAt: now, causeText: `outcome unknown; marked ${decision} ${by}` },
        { from: ['suspended'] },
      );
    }
    await appendAuditEvent(trx, {
      type: decision === 'resend' ? 'job.retry' : 'job.settle',
      actor: user.name,
      actorId: user.id,
      subject: `fax:${fax.id}`,
      faxId: fax.id,
      mailboxId: fax.mailboxId,
      details: {
        decision,
        cause: OUTCOME_UNKNOWN,
        state: after.state,
        pagesDone: before.pagesDone,
        pagesTotal: before.pagesTotal,
        dials: before.dials,
      },
    });
    return { fax: after, token };
  });

  if (!out.token) return { fax: out.fax, enqueued: false };
  const enqueued = ctx.queue ? await syncJob(db, ctx.queue, out.fax, out.token) : false;
  if (!enqueued) return { fax: out.fax, enqueued };
  const { [QUEUE_SYNC]: _cleared, ...metadata } = out.fax.metadata;
  return { fax: { ...out.fax, metadata }, enqueued };
}
