// Forward into an incoming mailbox (a mailbox target, or a user's personal mailbox): a COPY —
// a new received fax in the target mailbox with byte-identical pages, naming the original
// (metadata.forwardedFrom, fax.deliver `fromFax`). A copy rather than a link, because
// visibility, rights, deletion and retention are all per fax row and its mailbox: the target
// mailbox's readers see and delete their copy under their mailbox's rules, the original stays
// under its own (a delete or retention purge of one never touches the other), and each row's
// audit events tell its own story.
import { appendAuditEvent } from '@faxgate/audit';
import {
  type Db,
  type Fax,
  faxes,
  InvalidInputError,
  inTransaction,
  type Mailbox,
  type User,
} from '@faxgate/store';
import { copyPages } from '../pipeline/pages.js';
import { lockForwardable, recordForward } from './record.js';
import type { ForwardTarget } from './target.js';

export interface MailboxForward {
  fax: Fax;
  deliveredFax: Fax;
}

export async function forwardToMailbox(
  db: Db,
  original: Fax,
  f: { user: User; mailbox: Mailbox; to: ForwardTarget; pages: number; note?: string; now: Date },
): Promise<MailboxForward> {
  const { mailbox, user } = f;
  if (mailbox.kind !== 'incoming') {
    throw new InvalidInputError(`mailbox ${mailbox.name} is an outgoing mailbox: forward to an incoming one`);
  }
  if (mailbox.id === original.mailboxId) {
    throw new InvalidInputError(`fax ${original.id} is already in mailbox ${mailbox.name}`);
  }
  return inTransaction(db, async (trx) => {
    // Locked first: a delete of the original in the meantime waits, or wins and this fails.
    const fax = await lockForwardable(trx, original.id);
    const copy = await faxes.insert(trx, {
      direction: 'in',
      state: 'received',
      internal: fax.internal,
      mailboxId: mailbox.id,
      localNumber: fax.localNumber,
      remoteNumber: fax.remoteNumber,
      remoteStationId: fax.remoteStationId,
      subject: fax.subject,
      pagesTotal: f.pages,
      pagesDone: f.pages,
      resolution: fax.resolution,
      // A new delivery into this mailbox: its retention counts from now, under this mailbox's rule.
      completedAt: f.now,
      metadata: {
        forwardedFrom: fax.id,
        forwardedBy: user.name,
        receivedAt: (fax.completedAt ?? fax.createdAt).toISOString(),
        ...(fax.damage ? { damage: fax.damage } : {}),
        ...(f.note === undefined ? {} : { forwardNote: f.note }),
      },
    });
    await copyPages(trx, fax.id, copy.id);
    await appendAuditEvent(trx, {
      type: 'fax.deliver',
      actor: user.name,
      actorId: user.id,
      subject: `fax:${copy.id}`,
      faxId: copy.id,
      mailboxId: mailbox.id,
      details: { forwarded: true, fromFax: fax.id, fromMailbox: fax.mailboxId, pages: copy.pagesDone },
    });
    const after = await recordForward(trx, fax.id, {
      user,
      to: f.to,
      note: f.note,
      now: f.now,
      details: { mailbox: mailbox.name, deliveredFax: copy.id },
      entry: { faxId: copy.id },
    });
    return { fax: after, deliveredFax: copy };
  });
}
