// forwardFax — `in.forward` (M 2.179): a received fax sent on to another mailbox, a user, an
// e-mail address or a fax number. The rights are checked here again (the API checks them
// first to answer 403 with an access.denied event); each target's module does its work and
// records the forward on the original in one transaction (record.ts).
import {
  type ActorRef,
  can,
  type Db,
  type Fax,
  ForbiddenError,
  faxes,
  InvalidInputError,
  mailboxes,
  NotFoundError,
  users,
} from '@faxgate/store';
import type { SubmitContext, SubmitResult } from '../pipeline/submit.js';
import { personalMailbox } from './recipient.js';
import { checkForwardable } from './record.js';
import { checkNote, checkTarget, describeTarget, type ForwardTarget, kindOf } from './target.js';
import { forwardToEmail } from './to-email.js';
import { forwardToMailbox } from './to-mailbox.js';
import { forwardToNumber } from './to-number.js';

export type ForwardContext = SubmitContext;

export interface ForwardInput {
  actor: ActorRef;
  faxId: number;
  to: ForwardTarget;
  note?: string;
  /** Number target: the outgoing mailbox (id) the fax is sent from; `out.send` needed there. */
  fromMailboxId?: number;
}

export interface ForwardResult {
  /** The forwarded fax as it is now (state delivered, metadata.forwards). */
  fax: Fax;
  /** `mailbox:sales-in`, `user:bob`, `email:a@example.org`, `number:+49…`. */
  target: string;
  /** delivered: a copy in an incoming mailbox; queued / internal: as a submission; mailed: in the outbox. */
  outcome: 'delivered' | 'queued' | 'internal' | 'mailed';
  /** The copy in the target mailbox (mailbox, user, and a number of our own). */
  deliveredFax?: Fax;
  /** The outgoing fax (number target). */
  sentFax?: Fax;
  /** Number target: false when Redis did not take the job now (the reconciler will). */
  enqueued?: boolean;
  /** E-mail target: the outbox row. */
  mailId?: number;
}

async function pageCount(db: Db, faxId: number): Promise<number> {
  return Number((await db('fax_pages').where({ fax_id: faxId }).count({ n: '*' }))[0]?.n ?? 0);
}

function fromSubmission(fax: Fax, target: string, sent: SubmitResult): ForwardResult {
  return {
    fax,
    target,
    outcome: sent.outcome,
    sentFax: sent.fax,
    deliveredFax: sent.deliveredFax,
    enqueued: sent.enqueued,
  };
}

export async function forwardFax(ctx: ForwardContext, input: ForwardInput): Promise<ForwardResult> {
  const { db } = ctx;
  const to = checkTarget(input.to);
  const note = checkNote(input.note);
  const now = ctx.now?.() ?? new Date();
  const user = await users.get(db, typeof input.actor === 'object' ? input.actor.id : input.actor);
  const fax = await faxes.find(db, input.faxId);
  if (!fax) throw new NotFoundError('fax', input.faxId);
  if (fax.mailboxId === null || !(await can(db, user.id, 'in.forward', fax.mailboxId))) {
    throw new ForbiddenError(`${user.name} may not forward fax ${fax.id}`);
  }
  checkForwardable(fax);
  const pages = await pageCount(db, fax.id);
  if (pages === 0) throw new InvalidInputError(`fax ${fax.id} has no pages to forward`);
  const target = describeTarget(to);

  if ('mailbox' in to) {
    const mailbox = await mailboxes.find(db, to.mailbox);
    if (!mailbox) throw new NotFoundError('mailbox', to.mailbox);
    const r = await forwardToMailbox(db, fax, { user, mailbox, to, pages, note, now });
    return { fax: r.fax, target, outcome: 'delivered', deliveredFax: r.deliveredFax };
  }
  if ('user' in to) {
    const { mailbox } = await personalMailbox(db, to.user);
    const r = await forwardToMailbox(db, fax, { user, mailbox, to, pages, note, now });
    return { fax: r.fax, target, outcome: 'delivered', deliveredFax: r.deliveredFax };
  }
  if ('number' in to) {
    if (input.fromMailboxId === undefined)
      throw new InvalidInputError('a forward to a fax number needs the outgoing mailbox it is sent from');
    const r = await forwardToNumber(ctx, fax, {
      user,
      fromMailboxId: input.fromMailboxId,
      number: to.number,
      pages,
      note,
      now,
    });
    return fromSubmission(r.fax, target, r.sent);
  }
  if ('email' in to) {
    const mailbox = await mailboxes.get(db, fax.mailboxId);
    const r = await forwardToEmail(db, fax, {
      user,
      address: to.email,
      mailboxName: mailbox.name,
      pages,
      note,
      now,
    });
    return { fax: r.fax, target: describeTarget({ email: r.address }), outcome: 'mailed', mailId: r.mailId };
  }
  throw new InvalidInputError(`forwarding to ${kindOf(to)} is not available`);
}
