// Forward to a fax number: the received pages become an outgoing fax through the normal
// submission path (pipeline/submit.ts placeFax, as resubmit does) — `out.send` on the
// outgoing mailbox it goes from, the router with the destination policy (a refusal is
// `policy.reject` and nothing is stored), one of our own numbers delivered internally without
// a call, else a queued job. The pages are copied byte for byte; the forward is recorded on
// the original in the same transaction as the new fax.
import { can, type Fax, ForbiddenError, type Mailbox, mailboxes, type User } from '@faxgate/store';
import { copyPages } from '../pipeline/pages.js';
import { routeOutgoing } from '../pipeline/route.js';
import { placeFax, type SubmitContext, type SubmitResult } from '../pipeline/submit.js';
import { lockForwardable, recordForward } from './record.js';

export interface NumberForward {
  fax: Fax;
  sent: SubmitResult;
}

/** The subject the outgoing fax carries (status lists, the send log, a cover page would show it). */
function subjectOf(original: Fax): string {
  return (
    original.subject ?? `fax ${original.id}${original.remoteNumber ? ` from ${original.remoteNumber}` : ''}`
  ).slice(0, 200);
}

export async function forwardToNumber(
  ctx: SubmitContext,
  original: Fax,
  f: { user: User; fromMailboxId: number; number: string; pages: number; note?: string; now: Date },
): Promise<NumberForward> {
  const { db } = ctx;
  const { user } = f;
  const mailbox: Mailbox | null = await mailboxes.find(db, f.fromMailboxId);
  if (mailbox?.kind !== 'outgoing' || !(await can(db, user.id, 'out.send', mailbox.id))) {
    throw new ForbiddenError(`${user.name} may not send from mailbox ${f.fromMailboxId}`);
  }
  const decision = await routeOutgoing(db, ctx.router, user, mailbox.id, f.number, {
    faxId: original.id,
    details: { via: 'forward', forwardOf: original.id },
  });
  let forwarded: Fax | undefined;
  const sent = await placeFax(ctx, decision, {
    user,
    mailbox,
    priority: 127,
    subject: subjectOf(original),
    jobTag: null,
    origin: { forwardOf: original.id },
    document: {
      pagesTotal: f.pages,
      resolution: original.resolution,
      async write(trx, faxId) {
        // Locked before its pages are read: a delete in the meantime waits, or wins and this fails.
        await lockForwardable(trx, original.id);
        await copyPages(trx, original.id, faxId);
      },
    },
    async also(trx, out) {
      forwarded = await recordForward(trx, original.id, {
        user,
        to: { number: f.number },
        note: f.note,
        now: f.now,
        details: {
          number: decision.number.e164,
          fromMailbox: mailbox.name,
          sentFax: out.id,
          ...(decision.action === 'internal' ? { internalMailbox: decision.mailbox.name } : {}),
        },
        entry: { faxId: out.id },
      });
    },
  });
  return { fax: forwarded as Fax, sent };
}
