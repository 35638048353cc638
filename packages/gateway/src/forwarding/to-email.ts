// Forward to an e-mail address: the fax as a PDF (its MMR pages unchanged behind PDF's
// CCITTFaxDecode, fax-core writeFaxPdf — as the received-fax mails of mail/fax-mails.ts and
// GET /faxes/{id}/document make it) through the durable mail outbox (mail/outbox.ts
// enqueueMail, purpose fax.forward). The outbox row, its mail.queued event and the forward's
// record commit together: a forward on record always has its mail, and the mail worker
// delivers it through the relay with retries (or gives up on record, mail.failed).
import { type Db, type Fax, inTransaction, type User } from '@faxgate/store';
import { checkMailAddress } from '../mail/address.js';
import { faxPdf, storedPages, utcTime as when } from '../mail/fax-content.js';
import { enqueueMail } from '../mail/outbox.js';
import { lockForwardable, recordForward } from './record.js';

export interface EmailForward {
  fax: Fax;
  mailId: number;
  /** The address as checked and stored (domain in lower case). */
  address: string;
}

export async function forwardToEmail(
  db: Db,
  original: Fax,
  f: { user: User; address: string; mailboxName: string; pages: number; note?: string; now: Date },
): Promise<EmailForward> {
  const address = checkMailAddress(f.address, 'to.email:');
  // Built before the transaction (bounded by the fax's pages); the lock below re-checks the fax.
  const pdf = faxPdf(original, await storedPages(db, original.id));
  const from = original.remoteNumber || 'an unknown number';
  const plural = f.pages === 1 ? '' : 's';
  const text = [
    `${f.user.displayName || f.user.name} forwarded you a fax from faxgate.`,
    ...(f.note === undefined ? [] : ['', f.note]),
    '',
    `Fax id:      ${original.id}`,
    `From:        ${original.remoteNumber ?? '-'}`,
    `Station id:  ${original.remoteStationId ?? '-'}`,
    `To:          ${original.localNumber ?? '-'}`,
    `Pages:       ${f.pages}`,
    `Received:    ${when(original.completedAt ?? original.createdAt)}`,
    `Mailbox:     ${f.mailboxName}`,
    `Forwarded:   ${when(f.now)} by ${f.user.name}`,
    '',
    'The pages are attached as PDF. -- faxgate',
  ].join('\n');
  return inTransaction(db, async (trx) => {
    await lockForwardable(trx, original.id);
    const { id: mailId } = await enqueueMail(trx, {
      to: [address],
      subject: `Fax from ${from} (${f.pages} page${plural}), forwarded by ${f.user.name}`,
      text,
      attachments: [{ filename: `fax-${original.id}.pdf`, contentType: 'application/pdf', content: pdf }],
      purpose: 'fax.forward',
      faxId: original.id,
      cause: { actor: f.user.name, reason: 'in.forward' },
    });
    const fax = await recordForward(trx, original.id, {
      user: f.user,
      to: { email: address },
      note: f.note,
      now: f.now,
      details: { mailId },
      entry: { mailId },
    });
    return { fax, mailId, address };
  });
}
