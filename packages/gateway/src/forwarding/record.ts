// What every forward leaves behind on the forwarded fax, in the transaction that does the
// forward: the row locked and still forwardable, `received` → `delivered` (a partial
// receive stays `failed`), the forward appended to `metadata.forwards`, and one `fax.forward`
// audit event naming target and actor (retention's `after-forwarding` rule keys on it).
import { appendAuditEvent } from '@faxgate/audit';
import { type Fax, type FaxState, faxes, type Knex, type User } from '@faxgate/store';
import { JobStateError } from '../pipeline/errors.js';
import { describeTarget, type ForwardTarget, kindOf } from './target.js';

/** Received faxes that may be forwarded: complete, already forwarded, or cut short with pages. */
export const FORWARDABLE: readonly FaxState[] = ['received', 'delivered', 'failed'];

/** One entry of `metadata.forwards` on the forwarded fax. */
export interface ForwardEntry {
  to: string;
  by: string;
  at: string;
  /** The copy (mailbox, user, internal number) or the outgoing fax (number). */
  faxId?: number;
  mailId?: number;
}

/** Refuses a fax that is not (or no longer) forwardable, saying why. */
export function checkForwardable(fax: Fax): void {
  if (fax.direction !== 'in') {
    throw new JobStateError(
      fax.id,
      FORWARDABLE,
      fax.state,
      `fax ${fax.id} is a sent fax: only received faxes are forwarded (resubmit it to send it elsewhere)`,
    );
  }
  if (FORWARDABLE.includes(fax.state)) return;
  const why =
    fax.state === 'deleted'
      ? `fax ${fax.id} was deleted: its pages are gone, it cannot be forwarded`
      : `fax ${fax.id} is ${fax.state}: it can be forwarded once it has been received`;
  throw new JobStateError(fax.id, FORWARDABLE, fax.state, why);
}

/** Locks the fax for the forward (a concurrent delete waits, or wins and the forward fails). */
export async function lockForwardable(trx: Knex.Transaction, faxId: number): Promise<Fax> {
  const fax = await faxes.getForUpdate(trx, faxId);
  checkForwardable(fax);
  return fax;
}

export async function recordForward(
  trx: Knex.Transaction,
  faxId: number,
  forward: {
    user: Pick<User, 'id' | 'name'>;
    to: ForwardTarget;
    note?: string;
    /** Added to the audit event: what was created (deliveredFax, sentFax, mailId, mailbox). */
    details: Record<string, unknown>;
    entry: Pick<ForwardEntry, 'faxId' | 'mailId'>;
    now: Date;
  },
): Promise<Fax> {
  const before = await lockForwardable(trx, faxId);
  const to = describeTarget(forward.to);
  const entry: ForwardEntry = { to, by: forward.user.name, at: forward.now.toISOString(), ...forward.entry };
  const earlier = Array.isArray(before.metadata.forwards) ? (before.metadata.forwards as ForwardEntry[]) : [];
  const after = await faxes.updateState(
    trx,
    faxId,
    before.state === 'received' ? 'delivered' : before.state,
    { metadata: { ...before.metadata, forwards: [...earlier, entry] } },
    { from: [before.state] },
  );
  await appendAuditEvent(trx, {
    type: 'fax.forward',
    actor: forward.user.name,
    actorId: forward.user.id,
    subject: `fax:${faxId}`,
    faxId,
    mailboxId: before.mailboxId,
    details: {
      to,
      kind: kindOf(forward.to),
      ...forward.details,
      ...(forward.note === undefined ? {} : { note: forward.note }),
    },
  });
  return after;
}
