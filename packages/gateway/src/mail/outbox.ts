// The durable mail outbox (issue 19 item 1): every mail faxgate sends is first a row of
// `mail_outbox` (store migration 0080), written in the caller's transaction together with a
// `mail.queued` audit event, and delivered later by the mail worker (./worker.ts) through the
// organisation's relay. A row is the truth across restarts: queued → sending → sent | failed.
import { appendAuditEvent } from '@faxgate/audit';
import { type Db, InvalidInputError, inTransaction, type Knex } from '@faxgate/store';
import { checkMailAddress } from './address.js';

export const MAIL_PURPOSES = [
  'fax.received',
  'fax.result',
  'fax.forward',
  'intake.reply',
  'intake.result',
  'intake.refusal',
] as const;
export type MailPurpose = (typeof MAIL_PURPOSES)[number];

export interface MailAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

export interface OutgoingMail {
  /** Plain addresses (name@example.org); checked, de-duplicated, 1..100. */
  to: string[];
  subject: string;
  text: string;
  /** Message-ID of the mail this answers (replies to intake mails), with or without <>. */
  inReplyTo?: string;
  references?: string[];
  attachments?: MailAttachment[];
  purpose: MailPurpose;
  faxId?: number;
  /** e.g. { actor: 'alice', reason: 'in.forward' } — who caused it, for the audit event */
  cause?: { actor: string; reason?: string };
}

export type MailState = 'queued' | 'sending' | 'sent' | 'failed';

/** Bounds of one mail: what a relay takes comfortably (most refuse above 25–50 MB). */
export const MAIL_LIMITS = {
  recipients: 100,
  subjectChars: 900,
  textChars: 1_000_000,
  attachments: 20,
  attachmentBytes: 20 * 1024 * 1024,
} as const;

const MESSAGE_ID = /^<?[\x21-\x3b\x3d\x3f-\x7e]{1,990}>?$/;

function messageId(s: string, what: string): string {
  if (!MESSAGE_ID.test(s)) throw new InvalidInputError(`${what} ${JSON.stringify(s)} is not a Message-ID`);
  return s.startsWith('<') ? s : `<${s}>`;
}

function oneLine(s: string): string {
  // A header value: line breaks and other control characters would start a new header.
  return s.replace(/[\x00-\x1f\x7f]+/g, ' ').trim();
}

/** The mail as it is stored: checked and normalised; bad input refused with a clear error. */
export function checkOutgoingMail(mail: OutgoingMail) {
  if (!(MAIL_PURPOSES as readonly string[]).includes(mail.purpose)) {
    throw new InvalidInputError(`mail purpose ${JSON.stringify(mail.purpose)} is unknown`);
  }
  if (!Array.isArray(mail.to) || mail.to.length === 0)
    throw new InvalidInputError('a mail needs a recipient');
  const to = [...new Set(mail.to.map((a) => checkMailAddress(a, 'recipient')))];
  if (to.length > MAIL_LIMITS.recipients) {
    throw new InvalidInputError(`a mail has at most ${MAIL_LIMITS.recipients} recipients`);
  }
  const subject = oneLine(String(mail.subject ?? '')).slice(0, MAIL_LIMITS.subjectChars);
  const text = String(mail.text ?? '');
  if (text.length > MAIL_LIMITS.textChars) throw new InvalidInputError('the mail text is too long');
  const attachments = mail.attachments ?? [];
  if (attachments.length > MAIL_LIMITS.attachments) {
    throw new InvalidInputError(`a mail has at most ${MAIL_LIMITS.attachments} attachments`);
  }
  let bytes = 0;
  for (const a of attachments) {
    if (!Buffer.isBuffer(a.content)) throw new InvalidInputError('an attachment needs its content as bytes');
    if (!/^[\w.+-]+\/[\w.+-]+$/.test(a.contentType)) {
      throw new InvalidInputError(`attachment content type ${JSON.stringify(a.contentType)} is invalid`);
    }
    if (!oneLine(a.filename ?? '')) throw new InvalidInputError('an attachment needs a file name');
    bytes += a.content.length;
  }
  if (bytes > MAIL_LIMITS.attachmentBytes) {
    throw new InvalidInputError(`the attachments are over ${MAIL_LIMITS.attachmentBytes} bytes together`);
  }
  if (mail.faxId !== undefined && !Number.isSafeInteger(mail.faxId)) {
    throw new InvalidInputError('faxId must be an integer');
  }
  return {
    purpose: mail.purpose,
    fax_id: mail.faxId ?? null,
    recipients: to,
    subject,
    body: text,
    in_reply_to: mail.inReplyTo ? messageId(mail.inReplyTo, 'In-Reply-To') : null,
    references: mail.references?.length ? mail.references.map((r) => messageId(r, 'References')) : null,
    cause_actor: mail.cause?.actor ? oneLine(mail.cause.actor).slice(0, 200) : null,
    cause_reason: mail.cause?.reason ? oneLine(mail.cause.reason).slice(0, 200) : null,
    attachments: attachments.map((a, position) => ({
      position,
      filename: oneLine(a.filename).slice(0, 255),
      content_type: a.contentType,
      content: a.content,
    })),
  };
}

/**
 * Queues a mail: one outbox row (+ its attachments) and a `mail.queued` audit event, in
 * `db`'s transaction when it is one (so the mail exists exactly when the caller's change
 * commits), else in a transaction of its own. The mail worker sends it soon after commit.
 */
export async function enqueueMail(db: Db | Knex.Transaction, mail: OutgoingMail): Promise<{ id: number }> {
  const { attachments, ...row } = checkOutgoingMail(mail);
  return inTransaction(db, async (trx) => {
    const [{ id }] = await trx('mail_outbox').insert(row).returning('id');
    if (attachments.length > 0) {
      await trx('mail_outbox_attachments').insert(attachments.map((a) => ({ mail_id: id, ...a })));
    }
    await appendAuditEvent(trx, {
      type: 'mail.queued',
      actor: row.cause_actor ?? 'system',
      subject: `mail:${id}`,
      faxId: row.fax_id,
      details: {
        mailId: id,
        purpose: row.purpose,
        recipients: row.recipients,
        attachments: attachments.map((a) => ({
          filename: a.filename,
          contentType: a.content_type,
          bytes: a.content.length,
        })),
        ...(row.cause_reason ? { reason: row.cause_reason } : {}),
      },
    });
    // Wakes a waiting mail worker at commit (it also polls, so a lost notice only delays).
    await trx.raw(`SELECT pg_notify('${MAIL_CHANNEL}', ?)`, [String(id)]);
    return { id };
  });
}

/** NOTIFY channel the mail worker listens on for new outbox rows. */
export const MAIL_CHANNEL = 'faxgate_mail';

export interface OutboxRow {
  id: number;
  purpose: MailPurpose;
  faxId: number | null;
  recipients: string[];
  state: MailState;
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  messageId: string | null;
  relayResponse: string | null;
  createdAt: Date;
  sentAt: Date | null;
  failedAt: Date | null;
}

// biome-ignore lint/suspicious/noExplicitAny: a row as node-postgres returns it
export function toOutboxRow(r: any): OutboxRow {
  return {
    id: r.id,
    purpose: r.purpose,
    faxId: r.fax_id,
    recipients: r.recipients,
    state: r.state,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error,
    messageId: r.message_id,
    relayResponse: r.relay_response,
    createdAt: r.created_at,
    sentAt: r.sent_at,
    failedAt: r.failed_at,
  };
}

/** The outbox rows of a fax (e.g. to see whether every mail for it was accepted by the relay). */
export async function mailsOfFax(db: Db, faxId: number): Promise<OutboxRow[]> {
  const rows = await db('mail_outbox').where({ fax_id: faxId }).orderBy('id');
  return rows.map(toOutboxRow);
}
