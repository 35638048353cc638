// One intake message from raw bytes to its outcome: machine-made mail and failed DMARC are
// refused in silence; otherwise the sender is looked up in the allow list, their right to send
// from the mailbox checked (can(), refusals audited as access.denied), the number and documents
// taken, and the fax submitted through the same submitFax as the API. The outcome, its audit
// event and the reply to the sender commit in one transaction, keyed by Message-ID; the caller
// moves the message only after that (a crash in between finds the row and only moves it).
import { createHash } from 'node:crypto';
import { appendAuditEvent } from '@faxgate/audit';
import type { MailboxInput, Router } from '@faxgate/router';
import {
  can,
  type Db,
  ForbiddenError,
  InvalidInputError,
  inTransaction,
  mailboxes,
  users,
} from '@faxgate/store';
import { type AddressObject, type ParsedMail, simpleParser } from 'mailparser';
import { isFaxContentError } from '../documents/errors.js';
import { DocumentInputError, type DocumentLoader, RenderUnavailableError } from '../documents/load-pages.js';
import { isMailAddress } from '../mail/address.js';
import { enqueueMail, type OutgoingMail } from '../mail/outbox.js';
import { DestinationRefusedError } from '../pipeline/errors.js';
import { type SubmitContext, submitFax } from '../pipeline/submit.js';
import type { MailIntakeConfig } from './config.js';
import { documentsOfMail } from './documents.js';
import { dmarcVerdict, headerLinesOf, machineMade } from './headers.js';
import { numberOfMessage } from './number.js';

/** Why a message was not faxed (the audit event's `reason`). */
export type RefusalReason =
  | 'bounce'
  | 'auto-reply'
  | 'loop'
  | 'dmarc'
  | 'sender-ambiguous'
  | 'unknown-sender'
  | 'no-right'
  | 'no-mailbox'
  | 'no-number'
  | 'destination-refused'
  | 'bad-attachment'
  | 'too-large';

export type IntakeOutcome =
  | { outcome: 'accepted'; messageId: string; faxId: number }
  | { outcome: 'refused'; messageId: string; reason: RefusalReason; replied: boolean };

/** A failure that is not the message's fault (no render sandbox now …): it stays and is tried again. */
export class IntakeRetryLater extends Error {
  override name = 'IntakeRetryLater';
}

export interface IntakeContext {
  db: Db;
  config: MailIntakeConfig;
  documents: DocumentLoader;
  /** The router as configured over the mailboxes as they are now (the API's currentRouter). */
  router(): Promise<Router<MailboxInput>>;
  submit: Omit<SubmitContext, 'router' | 'db'>;
  /** Who the audit trail names for refusals before a faxgate user is known (the gateway). */
  actor: string;
  /** Message-ID domains of faxgate's own mail (loop detection). */
  ownMessageIdDomains: readonly string[];
  /** The disk guard's refusal while space is critical: messages wait in the folder meanwhile. */
  refusal?: () => string | undefined;
}

interface Refusal {
  reason: RefusalReason;
  why: string;
  /** Answer the sender (never for machine-made or forged mail). */
  reply: boolean;
  /** The faxgate user, once known. */
  user?: { id: number; name: string };
}

const refuse = (reason: RefusalReason, why: string, reply = true, user?: Refusal['user']): Refusal => ({
  reason,
  why,
  reply,
  user,
});

function addresses(a: AddressObject | AddressObject[] | undefined): string[] {
  const list = a === undefined ? [] : Array.isArray(a) ? a : [a];
  return list.flatMap((o) => o.value.map((v) => (v.address ?? '').toLowerCase())).filter(Boolean);
}

/** A stable key for a message without a Message-ID: the hash of what we read. */
function messageIdOf(mail: ParsedMail, raw: Buffer): string {
  const id = mail.messageId?.trim();
  if (id && id.length <= 998) return id;
  return `<${createHash('sha256').update(raw).digest('hex')}@no-message-id.faxgate.invalid>`;
}

/** Processes one message (`headersOnly`: larger than allowed, only its header was fetched). */
export async function processMessage(
  ctx: IntakeContext,
  raw: Buffer,
  opts: { headersOnly?: boolean } = {},
): Promise<IntakeOutcome> {
  const mail = await simpleParser(raw, { maxHtmlLengthToParse: 2_000_000, skipTextToHtml: true });
  const messageId = messageIdOf(mail, raw);
  const earlier = await ctx.db('mail_intake_messages').where({ message_id: messageId }).first();
  if (earlier) {
    return earlier.outcome === 'accepted'
      ? { outcome: 'accepted', messageId, faxId: Number(earlier.fax_id) }
      : { outcome: 'refused', messageId, reason: earlier.reason, replied: false };
  }
  const froms = addresses(mail.from);
  const sender = froms.length === 1 ? froms[0] : undefined;
  const subject = (mail.subject ?? '').slice(0, 200);
  const base = { messageId, sender: sender ?? froms.join(', ').slice(0, 998), subject };

  const result = await decide(ctx, mail, sender, opts.headersOnly === true);
  if ('faxId' in result) {
    await inTransaction(ctx.db, async (trx) => {
      if (!(await claim(trx, messageId, 'accepted', null, base.sender, result.faxId))) return;
      if (sender && isMailAddress(sender)) {
        await trx('faxes').where({ id: result.faxId }).update({ notify_address: sender });
      }
      await appendAuditEvent(trx, {
        type: 'mail.intake.accepted',
        actor: result.user.name,
        actorId: result.user.id,
        subject: `fax:${result.faxId}`,
        faxId: result.faxId,
        details: { ...base, number: result.number, pages: result.pages, via: 'mail' },
      });
      if (sender && isMailAddress(sender)) {
        await enqueueMail(trx, {
          ...replyTo(mail, messageId, sender),
          purpose: 'intake.reply',
          faxId: result.faxId,
          subject: `Fax ${result.faxId} to ${result.number} accepted: ${subject}`,
          text: [
            `Your message "${subject}" was accepted as fax ${result.faxId} to ${result.number} (${result.pages} page${result.pages === 1 ? '' : 's'}).`,
            'You will get another mail with the result when the fax has been sent or has failed.',
            '',
            'faxgate',
          ].join('\n'),
          cause: { actor: result.user.name, reason: 'mail.intake' },
        });
      }
    });
    return { outcome: 'accepted', messageId, faxId: result.faxId };
  }

  const replied = result.reply && sender !== undefined && isMailAddress(sender);
  await inTransaction(ctx.db, async (trx) => {
    if (!(await claim(trx, messageId, 'refused', result.reason, base.sender, null))) return;
    await appendAuditEvent(trx, {
      type: 'mail.intake.refused',
      actor: result.user?.name ?? ctx.actor,
      ...(result.user && { actorId: result.user.id }),
      subject: `mail:${messageId.slice(0, 200)}`,
      details: { ...base, reason: result.reason, why: result.why, replied, via: 'mail' },
    });
    if (replied) {
      await enqueueMail(trx, {
        ...replyTo(mail, messageId, sender as string),
        purpose: 'intake.refusal',
        subject: `Not faxed: ${subject}`,
        text: [`Your message "${subject}" was not faxed: ${result.why}.`, '', 'faxgate'].join('\n'),
        cause: { actor: result.user?.name ?? ctx.actor, reason: `mail.intake ${result.reason}` },
      });
    }
  });
  return { outcome: 'refused', messageId, reason: result.reason, replied };
}

function replyTo(
  mail: ParsedMail,
  messageId: string,
  sender: string,
): Pick<OutgoingMail, 'to' | 'inReplyTo' | 'references'> {
  const refs = Array.isArray(mail.references) ? mail.references : mail.references ? [mail.references] : [];
  const wellFormed = /^<[\x21-\x3b\x3d\x3f-\x7e]{1,990}>$/;
  return {
    to: [sender],
    ...(wellFormed.test(messageId) && {
      inReplyTo: messageId,
      references: [...refs.filter((r) => wellFormed.test(r)).slice(-10), messageId],
    }),
  };
}

/** Inserts the message's row; false when another run recorded it first (nothing more to do). */
async function claim(
  trx: Parameters<Parameters<typeof inTransaction>[1]>[0],
  messageId: string,
  outcome: 'accepted' | 'refused',
  reason: string | null,
  sender: string,
  faxId: number | null,
): Promise<boolean> {
  const rows = await trx('mail_intake_messages')
    .insert({ message_id: messageId, outcome, reason, sender: sender || null, fax_id: faxId })
    .onConflict('message_id')
    .ignore()
    .returning('message_id');
  return rows.length === 1;
}

type Accepted = { faxId: number; number: string; pages: number; user: { id: number; name: string } };

async function decide(
  ctx: IntakeContext,
  mail: ParsedMail,
  sender: string | undefined,
  headersOnly: boolean,
): Promise<Accepted | Refusal> {
  const cfg = ctx.config;
  const headers = headerLinesOf(mail.headerLines);
  const machine = machineMade(headers, {
    ownMessageIdDomains: ctx.ownMessageIdDomains,
    maxReceived: cfg.maxReceivedHeaders,
  });
  if (machine) return refuse(machine.kind, machine.why, false);
  if (cfg.requireAuthResults) {
    const dmarc = dmarcVerdict(headers, cfg.authServId);
    if (!dmarc.ok) return refuse('dmarc', `DMARC not passed (${dmarc.why})`, false);
  }
  if (!sender) return refuse('sender-ambiguous', 'the message must have exactly one sender address', false);
  const allowed = cfg.allow.find((a) => a.address === sender);
  if (!allowed) return refuse('unknown-sender', `${sender} may not send faxes by e-mail`);
  const user = await users.find(ctx.db, allowed.user);
  if (!user || user.disabled) return refuse('unknown-sender', `${sender} may not send faxes by e-mail`);
  const who = { id: user.id, name: user.name };
  if (headersOnly) {
    return refuse('too-large', `the message is larger than ${cfg.maxMessageMegabytes} MB`, true, who);
  }

  const mailbox = await sendingMailbox(ctx, who, allowed.mailbox);
  if ('reason' in mailbox) return mailbox;

  const full = ctx.refusal?.();
  if (full) throw new IntakeRetryLater(full);
  const recipients = [...addresses(mail.to), ...addresses(mail.cc)];
  const number = numberOfMessage(recipients, mail.subject ?? '', cfg.faxDomain);
  if (!number.ok) return refuse('no-number', number.why, true, who);

  const docs = documentsOfMail(mail, {
    maxAttachments: cfg.maxAttachments,
    maxAttachmentBytes: cfg.maxAttachmentMegabytes * 1024 * 1024,
  });
  if (!docs.ok) return refuse('bad-attachment', docs.why, true, who);
  let pages: Awaited<ReturnType<DocumentLoader['load']>>;
  try {
    pages = await ctx.documents.load(docs.files);
  } catch (e) {
    if (e instanceof RenderUnavailableError) throw new IntakeRetryLater(e.message);
    if (e instanceof DocumentInputError || isFaxContentError(e)) {
      return refuse('bad-attachment', (e as Error).message, true, who);
    }
    throw e;
  }

  try {
    const messageKey = createHash('sha256')
      .update(mail.messageId ?? '')
      .digest('hex')
      .slice(0, 40);
    const r = await submitFax(
      { ...ctx.submit, db: ctx.db, router: await ctx.router() },
      {
        actor: { id: user.id },
        mailboxId: mailbox.id,
        number: number.number,
        pages,
        subject: mail.subject?.slice(0, 200),
        // a crash after the fax committed and before its row: the same fax again, not a second
        ...(mail.messageId && { idempotencyKey: `mail:${messageKey}` }),
        origin: { via: 'mail', messageId: mail.messageId ?? null },
      },
    );
    return {
      faxId: r.fax.id,
      number: r.fax.remoteNumber ?? number.number,
      pages: r.fax.pagesTotal,
      user: who,
    };
  } catch (e) {
    if (e instanceof DestinationRefusedError) return refuse('destination-refused', e.message, true, who);
    if (e instanceof ForbiddenError) return refuse('no-right', e.message, true, who);
    if (e instanceof InvalidInputError) return refuse('no-number', e.message, true, who);
    throw e;
  }
}

/** The outgoing mailbox: the allow list's, or the only one the user may send from; the right is checked. */
async function sendingMailbox(
  ctx: IntakeContext,
  user: { id: number; name: string },
  name: string | undefined,
): Promise<{ id: number } | Refusal> {
  let id: number;
  if (name !== undefined) {
    const m = await mailboxes.find(ctx.db, name);
    if (m?.kind !== 'outgoing')
      return refuse('no-mailbox', `there is no outgoing mailbox ${name}`, true, user);
    id = m.id;
  } else {
    const mine = [];
    for (const m of await mailboxes.list(ctx.db, { kind: 'outgoing' })) {
      if (await can(ctx.db, { id: user.id }, 'out.send', m.id)) mine.push(m);
    }
    if (mine.length > 1) {
      return refuse(
        'no-mailbox',
        `${user.name} may send from ${mine.map((m) => m.name).join(', ')}: the administrator must name one for e-mail (mailIntake.allow)`,
        true,
        user,
      );
    }
    if (mine.length === 0) return denied(ctx, user, undefined);
    id = mine[0].id;
  }
  if (!(await can(ctx.db, { id: user.id }, 'out.send', id))) return denied(ctx, user, id);
  return { id };
}

/** The refusal of the right, recorded as every refused action is (access.denied). */
async function denied(
  ctx: IntakeContext,
  user: { id: number; name: string },
  mailboxId: number | undefined,
): Promise<Refusal> {
  const what = mailboxId === undefined ? 'send from any outgoing mailbox' : `send from mailbox ${mailboxId}`;
  await inTransaction(ctx.db, (trx) =>
    appendAuditEvent(trx, {
      type: 'access.denied',
      actor: user.name,
      actorId: user.id,
      subject: what,
      details: { permission: 'out.send', ...(mailboxId !== undefined && { mailboxId }), via: 'mail' },
    }),
  );
  return refuse('no-right', `${user.name} may not ${what}`, true, user);
}
