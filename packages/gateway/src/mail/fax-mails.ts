// What faxgate mails about a fax: a received fax to its mailbox's recipients and opted-in
// readers (PDF of the pages, TIFF too when the mailbox asks for it, metadata in the body),
// and a send result to the sender (done / failed with the reason, the first page as PNG).
// Recipients are decided here, through the one authorisation layer (effectiveRights).
import { writePng, writeTiff } from '@faxgate/fax-core';
import { type Db, effectiveRights, type Fax, faxes } from '@faxgate/store';
import { faxPdf, storedPages, utcTime as when } from './fax-content.js';
import type { MailAttachment, OutgoingMail } from './outbox.js';

/** The addresses a received fax in `mailboxId` goes to: its recipients, and every enabled user
 *  with an address, opted in, who effectively holds in.read on the mailbox. Sorted, unique. */
export async function recipientsOfMailbox(db: Db, mailboxId: number): Promise<string[]> {
  const listed = await db('mailbox_mail_recipients').where({ mailbox_id: mailboxId }).pluck('address');
  const candidates = await db('users')
    .where({ mail_opt_in: true, disabled: false })
    .whereNotNull('email')
    .select('id', 'email');
  const readers: string[] = [];
  for (const u of candidates) {
    if ((await effectiveRights(db, u.id, mailboxId)).includes('in.read')) readers.push(u.email);
  }
  return [...new Set([...listed, ...readers])].sort();
}

/** A Message-ID the outbox takes for In-Reply-To (anything else: the result is sent unthreaded). */
const THREADABLE = /^<?[\x21-\x3b\x3d\x3f-\x7e]{1,990}>?$/;

/** The mail for a received fax, or undefined when nobody is to get it (or it has no pages). */
export async function receivedFaxMail(db: Db, faxId: number): Promise<OutgoingMail | undefined> {
  const fax = await faxes.get(db, faxId);
  if (fax.direction !== 'in' || fax.mailboxId === null || fax.state === 'deleted') return undefined;
  const to = await recipientsOfMailbox(db, fax.mailboxId);
  if (to.length === 0) return undefined;
  const mailbox = await db('mailboxes').where({ id: fax.mailboxId }).first('name', 'mail_attach_tiff');
  const pages = await storedPages(db, fax.id);
  if (pages.length === 0) return undefined;
  const from = fax.remoteNumber || 'an unknown number';
  const attachments: MailAttachment[] = [
    {
      filename: `fax-${fax.id}.pdf`,
      contentType: 'application/pdf',
      content: faxPdf(fax, pages),
    },
  ];
  if (mailbox.mail_attach_tiff) {
    attachments.push({
      filename: `fax-${fax.id}.tif`,
      contentType: 'image/tiff',
      content: Buffer.from(
        writeTiff(
          pages.map((page) => ({ page })),
          { coding: 'mmr' },
        ),
      ),
    });
  }
  const text = [
    `A fax arrived in mailbox ${mailbox.name}.`,
    '',
    `Fax id:      ${fax.id}`,
    `From:        ${fax.remoteNumber ?? '-'}`,
    `Station id:  ${fax.remoteStationId ?? '-'}`,
    `To:          ${fax.localNumber ?? '-'}`,
    `Pages:       ${pages.length}`,
    `Received:    ${when(fax.completedAt ?? fax.createdAt)}`,
    `Mailbox:     ${mailbox.name}`,
    ...(fax.damage ? [`Damaged:     ${fax.damage.pages} page(s) with ${fax.damage.rows} bad row(s)`] : []),
    '',
    'The pages are attached as PDF. -- faxgate',
  ].join('\n');
  return {
    to,
    subject: `Fax from ${from} (${pages.length} page${pages.length === 1 ? '' : 's'}) in ${mailbox.name}`,
    text,
    attachments,
    purpose: 'fax.received',
    faxId: fax.id,
    cause: { actor: 'system', reason: 'fax received' },
  };
}

/** The addresses a send result goes to: the submitting user when opted in, and the fax's notify address. */
export async function resultRecipients(db: Db, fax: Fax): Promise<string[]> {
  const to: string[] = [];
  if (fax.ownerUserId !== null) {
    const u = await db('users').where({ id: fax.ownerUserId }).first('email', 'mail_opt_in', 'disabled');
    if (u?.email && u.mail_opt_in && !u.disabled) to.push(u.email);
  }
  const notify = await db('faxes').where({ id: fax.id }).first('notify_address');
  if (notify?.notify_address) to.push(notify.notify_address);
  return [...new Set(to)];
}

/** The mail for the outcome of a sent fax (done or failed), or undefined when nobody is to get it. */
export async function sendResultMail(
  db: Db,
  faxId: number,
  outcome: 'done' | 'failed',
): Promise<OutgoingMail | undefined> {
  const fax = await faxes.get(db, faxId);
  if (fax.direction !== 'out') return undefined;
  const to = await resultRecipients(db, fax);
  if (to.length === 0) return undefined;
  const [first] = fax.state === 'deleted' ? [] : await storedPages(db, fax.id, 1);
  // A fax submitted by e-mail (mail-intake/): its result answers that message, in its thread.
  const intake = await db('mail_intake_messages')
    .where({ fax_id: fax.id, outcome: 'accepted' })
    .first('message_id');
  const number = fax.remoteNumber ?? '-';
  const reason = [fax.cause, fax.causeText].filter(Boolean).join(': ') || 'unknown';
  const text = [
    outcome === 'done'
      ? `Your fax ${fax.id} to ${number} was sent: ${fax.pagesDone} of ${fax.pagesTotal} page(s) confirmed.`
      : `Your fax ${fax.id} to ${number} was NOT sent: ${reason}.`,
    '',
    `Fax id:      ${fax.id}`,
    `To:          ${number}`,
    `Station id:  ${fax.remoteStationId ?? '-'}`,
    `Subject:     ${fax.subject ?? '-'}`,
    `Pages:       ${fax.pagesDone} of ${fax.pagesTotal} confirmed`,
    `Tries:       ${fax.tries}`,
    `Finished:    ${when(fax.completedAt)}`,
    ...(outcome === 'failed' ? [`Reason:      ${reason}`] : []),
    '',
    first ? 'The first page is attached as an image. -- faxgate' : '-- faxgate',
  ].join('\n');
  return {
    to,
    subject:
      outcome === 'done'
        ? `Fax ${fax.id} to ${number} sent (${fax.pagesDone} page${fax.pagesDone === 1 ? '' : 's'})`
        : `Fax ${fax.id} to ${number} failed: ${reason}`,
    text,
    attachments: first
      ? [
          {
            filename: `fax-${fax.id}-page-1.png`,
            contentType: 'image/png',
            content: Buffer.from(writePng(first)),
          },
        ]
      : [],
    ...(intake && THREADABLE.test(intake.message_id)
      ? { inReplyTo: intake.message_id, references: [intake.message_id] }
      : {}),
    purpose: intake ? 'intake.result' : 'fax.result',
    faxId: fax.id,
    cause: { actor: 'system', reason: `fax ${outcome}` },
  };
}
