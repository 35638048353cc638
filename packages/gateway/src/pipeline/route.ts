// The router step every path that sets a destination shares (submit, modify, resubmit): the
// number normalised, the destination policy applied with the actor's groups, a refusal put
// on record (M 4.36) before it is thrown, so nothing is stored or queued for it.
import { appendAuditEvent } from '@faxgate/audit';
import type { MailboxInput, OutgoingDecision, Router } from '@faxgate/router';
import { NumberError } from '@faxgate/router';
import { type Db, InvalidInputError, inTransaction } from '@faxgate/store';
import { DestinationRefusedError } from './errors.js';

/** What the router allows: a call, or delivery into one of our own mailboxes. */
export type AllowedDecision = Exclude<OutgoingDecision<MailboxInput>, { action: 'refuse' }>;

/** The names of the groups `userId` belongs to (group policies of the destination policy). */
export async function userGroups(db: Db, userId: number): Promise<string[]> {
  const rows = await db('group_members')
    .join('groups', 'groups.id', 'group_members.group_id')
    .where('group_members.user_id', userId)
    .select('groups.name');
  return rows.map((r: { name: string }) => r.name);
}

/**
 * Routes `number` for `user` sending from `mailboxId`. A bad number is an InvalidInputError;
 * a refused destination is recorded as `policy.reject` (naming `on.faxId` and with
 * `on.details` added) and thrown as DestinationRefusedError.
 */
export async function routeOutgoing(
  db: Db,
  router: Router<MailboxInput>,
  user: { id: number; name: string },
  mailboxId: number,
  number: string,
  on: { faxId?: number; details?: Record<string, unknown> } = {},
): Promise<AllowedDecision> {
  let decision: OutgoingDecision<MailboxInput>;
  try {
    decision = router.decideOutgoing(number, { groups: await userGroups(db, user.id) });
  } catch (e) {
    if (e instanceof NumberError) throw new InvalidInputError(`fax number: ${e.message}`);
    throw e;
  }
  if (decision.action !== 'refuse') return decision;
  const refused = decision;
  await inTransaction(db, (trx) =>
    appendAuditEvent(trx, {
      type: 'policy.reject',
      actor: user.name,
      actorId: user.id,
      subject: `number:${refused.number.e164}`,
      mailboxId,
      faxId: on.faxId ?? null,
      details: { number: refused.number.e164, kind: refused.number.kind, rule: refused.rule, ...on.details },
    }),
  );
  throw new DestinationRefusedError(refused.number.e164, refused.rule, refused.reason);
}
