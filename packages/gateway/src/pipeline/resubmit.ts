// Resubmit (`out.send`): a finished outgoing fax — done, failed, or held because its outcome
// is unknown — sent again as a NEW fax with copies of the stored pages (byte for byte), to
// the same or a new number, through the same path as submitFax (router, destination policy,
// internal delivery, queue). The new fax names the old one (metadata.resubmitOf, and in its
// first audit event). A held fax is closed as failed in the same transaction, so it is not
// left waiting for a decision that was taken.
import { appendAuditEvent } from '@faxgate/audit';
import {
  type ActorRef,
  can,
  type FaxState,
  ForbiddenError,
  faxes,
  InvalidInputError,
  mailboxes,
  users,
} from '@faxgate/store';
import { JobStateError } from './errors.js';
import { copyPages } from './pages.js';
import { routeOutgoing } from './route.js';
import { placeFax, type SubmitContext, type SubmitResult } from './submit.js';
import { OUTCOME_UNKNOWN } from './transitions.js';

const RESUBMITTABLE: readonly FaxState[] = ['done', 'failed', 'suspended'];

export type ResubmitContext = SubmitContext;

export interface ResubmitResult extends SubmitResult {
  /** The fax that was resubmitted. */
  resubmitOf: number;
}

export async function resubmitFax(
  ctx: ResubmitContext,
  input: { actor: ActorRef; faxId: number; number?: string },
): Promise<ResubmitResult> {
  const { db } = ctx;
  const user = await users.get(db, typeof input.actor === 'object' ? input.actor.id : input.actor);
  const old = await faxes.get(db, input.faxId);
  const mailbox = old.mailboxId === null ? null : await mailboxes.find(db, old.mailboxId);
  if (old.direction !== 'out' || !mailbox || !(await can(db, user.id, 'out.send', mailbox.id))) {
    throw new ForbiddenError(`${user.name} may not resubmit fax ${input.faxId}`);
  }
  const held = old.state === 'suspended' && old.cause === OUTCOME_UNKNOWN;
  if (!RESUBMITTABLE.includes(old.state) || (old.state === 'suspended' && !held)) {
    const why =
      old.state === 'deleted'
        ? `fax ${old.id} was deleted: its pages are gone, it cannot be resubmitted`
        : `fax ${old.id} is ${old.state}: only a finished fax (done, failed, or held with its outcome unknown) is resubmitted; modify or stop it instead`;
    throw new JobStateError(old.id, RESUBMITTABLE, old.state, why);
  }
  if (input.number !== undefined && typeof input.number !== 'string') {
    throw new InvalidInputError('number must be text');
  }
  const number = input.number ?? old.remoteNumber;
  if (!number) throw new InvalidInputError(`fax ${old.id} has no number: give one`);
  const pages = Number((await db('fax_pages').where({ fax_id: old.id }).count({ n: '*' }))[0]?.n ?? 0);
  if (pages === 0) throw new InvalidInputError(`fax ${old.id} has no pages left to send`);

  const decision = await routeOutgoing(db, ctx.router, user, mailbox.id, number, {
    details: { via: 'resubmit', resubmitOf: old.id },
  });
  const result = await placeFax(ctx, decision, {
    user,
    mailbox,
    priority: old.priority,
    subject: old.subject,
    jobTag: old.jobTag,
    origin: { resubmitOf: old.id },
    document: {
      pagesTotal: pages,
      resolution: old.resolution,
      write: (trx, faxId) => copyPages(trx, old.id, faxId),
    },
    async also(trx, fax) {
      if (!held) return;
      // The post office decided by resubmitting: the held fax ends, naming its successor.
      const before = await faxes.getForUpdate(trx, old.id);
      await faxes.updateState(
        trx,
        old.id,
        'failed',
        {
          completedAt: new Date(),
          causeText: `outcome unknown; resubmitted as fax ${fax.id} by ${user.name}`,
          metadata: { ...before.metadata, resubmittedAs: fax.id },
        },
        { from: ['suspended'] },
      );
      await appendAuditEvent(trx, {
        type: 'job.settle',
        actor: user.name,
        actorId: user.id,
        subject: `fax:${old.id}`,
        faxId: old.id,
        mailboxId: old.mailboxId,
        details: { decision: 'resubmit', cause: OUTCOME_UNKNOWN, resubmittedAs: fax.id },
      });
    },
  });
  return { ...result, resubmitOf: old.id };
}
