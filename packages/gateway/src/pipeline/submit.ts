// Submission of an outgoing fax (ARCHITECTURE "Outgoing"): right → router (normalise,
// internal short-circuit, destination policy) → fax row, pages and audit event in one
// transaction → queue job. PostgreSQL is the truth: when Redis is down the fax stays
// accepted and the reconciler queues it later.
import { appendAuditEvent, recordXfer } from '@faxgate/audit';
import type { BilevelPage } from '@faxgate/fax-core';
import type { MailboxInput, Router } from '@faxgate/router';
import { NumberError } from '@faxgate/router';
import {
  type ActorRef,
  can,
  type Db,
  type Fax,
  ForbiddenError,
  faxes,
  faxPages,
  InvalidInputError,
  inTransaction,
  mailboxes,
  users,
} from '@faxgate/store';
import { DestinationRefusedError } from './errors.js';
import { copyPages, documentResolution, encodePages, LPI, pagesFromTiff } from './pages.js';
import { enqueueFax, type SendQueue } from './queue.js';
import type { QueueSettings } from './settings.js';

export interface SubmitContext {
  db: Db;
  /** Undefined or unreachable: the fax is stored and the reconciler queues it. */
  queue?: SendQueue;
  router: Router<MailboxInput>;
  settings: Pick<QueueSettings, 'maxDials' | 'maxTries' | 'killTimeMs'>;
  now?: () => Date;
}

export interface SubmitFaxInput {
  actor: ActorRef;
  /** The outgoing mailbox the fax is sent from. */
  mailboxId: number;
  /** Destination as typed (national, international, with separators). */
  number: string;
  /** The document: rendered pages, or a ready fax TIFF. */
  pages?: readonly BilevelPage[];
  tiff?: Uint8Array;
  /** 0 (most urgent) … 255; default 127 (HylaFAX). */
  priority?: number;
  sendAt?: Date;
  /** Give up after this time (default: send time + queue.killTimeMinutes). */
  killTime?: Date;
  /** Pages are sent as they are; 'standard' converts finer pages down. */
  resolution?: 'standard' | 'fine';
  subject?: string;
  jobTag?: string;
}

export interface SubmitResult {
  fax: Fax;
  /** queued: waits for a line; internal: delivered to `deliveredFax` without a call. */
  outcome: 'queued' | 'internal';
  deliveredFax?: Fax;
  /** False when Redis did not take the job now (the reconciler will). */
  enqueued: boolean;
}

async function userGroups(db: Db, userId: number): Promise<string[]> {
  const rows = await db('group_members')
    .join('groups', 'groups.id', 'group_members.group_id')
    .where('group_members.user_id', userId)
    .select('groups.name');
  return rows.map((r: { name: string }) => r.name);
}

function checkInput(input: SubmitFaxInput): void {
  const p = input.priority ?? 127;
  if (!Number.isInteger(p) || p < 0 || p > 255) throw new InvalidInputError('priority must be 0..255');
  for (const [k, d] of [
    ['sendAt', input.sendAt],
    ['killTime', input.killTime],
  ] as const) {
    if (d !== undefined && (!(d instanceof Date) || Number.isNaN(d.getTime()))) {
      throw new InvalidInputError(`${k} must be a valid time`);
    }
  }
  if ((input.pages === undefined) === (input.tiff === undefined)) {
    throw new InvalidInputError('give the document as pages or as a TIFF, exactly one of them');
  }
}

export async function submitFax(ctx: SubmitContext, input: SubmitFaxInput): Promise<SubmitResult> {
  const { db } = ctx;
  const now = ctx.now?.() ?? new Date();
  checkInput(input);
  const user = await users.get(db, typeof input.actor === 'object' ? input.actor.id : input.actor);
  const mailbox = await mailboxes.find(db, input.mailboxId);
  if (!mailbox || !(await can(db, user.id, 'out.send', input.mailboxId))) {
    throw new ForbiddenError(`${user.name} may not send from mailbox ${input.mailboxId}`);
  }

  let decision: ReturnType<Router<MailboxInput>['decideOutgoing']>;
  try {
    decision = ctx.router.decideOutgoing(input.number, { groups: await userGroups(db, user.id) });
  } catch (e) {
    if (e instanceof NumberError) throw new InvalidInputError(`fax number: ${e.message}`);
    throw e;
  }
  if (decision.action === 'refuse') {
    // Recorded (M 4.36), then refused: no row, no job, no call.
    await inTransaction(db, (trx) =>
      appendAuditEvent(trx, {
        type: 'policy.reject',
        actor: user.name,
        actorId: user.id,
        subject: `number:${decision.number.e164}`,
        mailboxId: mailbox.id,
        details: { number: decision.number.e164, kind: decision.number.kind, rule: decision.rule },
      }),
    );
    throw new DestinationRefusedError(decision.number.e164, decision.rule, decision.reason);
  }

  let pages = input.pages ? [...input.pages] : pagesFromTiff(input.tiff as Uint8Array);
  if (input.resolution === 'standard') {
    const { convertResolution } = await import('@faxgate/fax-core');
    pages = pages.map((p) => (p.resolution === 'standard' ? p : convertResolution(p, 'standard')));
  }
  const rows = encodePages(pages);
  const resolution = LPI[documentResolution(pages)];
  const priority = input.priority ?? 127;
  const base = {
    mailboxId: mailbox.id,
    ownerUserId: user.id,
    remoteNumber: decision.number.e164,
    subject: input.subject ?? null,
    jobTag: input.jobTag ?? null,
    priority,
    pagesTotal: rows.length,
    resolution,
  };

  if (decision.action === 'internal') {
    // M 5.73: one of our own numbers is never dialled; delivered and logged as internal.
    const target = decision.mailbox;
    const result = await inTransaction(db, async (trx) => {
      const out = await faxes.insert(trx, {
        ...base,
        direction: 'out',
        state: 'done',
        internal: true,
        pagesDone: rows.length,
        completedAt: now,
        metadata: { owner: user.name, dialString: decision.number.dialString, internalMailbox: target.id },
      });
      for (const r of rows) await faxPages.add(trx, out.id, r);
      const delivered = await faxes.insert(trx, {
        direction: 'in',
        state: 'received',
        internal: true,
        mailboxId: target.id,
        localNumber: decision.number.e164,
        remoteNumber: mailbox.numbers[0] ?? null,
        remoteStationId: `internal:${mailbox.name}`,
        subject: base.subject,
        pagesTotal: rows.length,
        pagesDone: rows.length,
        resolution,
        completedAt: now,
        metadata: { internalFrom: out.id, sender: user.name },
      });
      await copyPages(trx, out.id, delivered.id);
      await appendAuditEvent(trx, {
        type: 'send.internal',
        actor: user.name,
        actorId: user.id,
        subject: `fax:${out.id}`,
        faxId: out.id,
        mailboxId: mailbox.id,
        details: {
          number: decision.number.e164,
          toMailbox: target.name,
          deliveredFax: delivered.id,
          pages: rows.length,
        },
      });
      await appendAuditEvent(trx, {
        type: 'fax.deliver',
        actor: user.name,
        actorId: user.id,
        subject: `fax:${delivered.id}`,
        faxId: delivered.id,
        mailboxId: target.id,
        details: { internal: true, fromFax: out.id },
      });
      await recordXfer(trx, {
        type: 'SEND',
        time: now,
        commid: `i${out.id}`,
        device: 'internal',
        jobid: String(out.id),
        jobtag: base.jobTag ?? '',
        sender: user.name,
        dest: decision.number.e164,
        remoteStation: `internal:${target.name}`,
        npages: rows.length,
        reason: '',
        owner: user.name,
        ownerUserId: user.id,
        faxId: out.id,
        mailboxId: mailbox.id,
        resultCode: 'internal',
      });
      return { out, delivered };
    });
    return { fax: result.out, outcome: 'internal', deliveredFax: result.delivered, enqueued: false };
  }

  const sendAt = input.sendAt && input.sendAt > now ? input.sendAt : null;
  const killAt = input.killTime ?? new Date((sendAt ?? now).getTime() + ctx.settings.killTimeMs);
  const fax = await inTransaction(db, async (trx) => {
    const f = await faxes.insert(trx, {
      ...base,
      direction: 'out',
      state: 'pending',
      maxDials: ctx.settings.maxDials,
      maxTries: ctx.settings.maxTries,
      notBefore: sendAt,
      killAt,
      metadata: { owner: user.name, dialString: decision.number.dialString },
    });
    for (const r of rows) await faxPages.add(trx, f.id, r);
    await appendAuditEvent(trx, {
      type: 'job.create',
      actor: user.name,
      actorId: user.id,
      subject: `fax:${f.id}`,
      faxId: f.id,
      mailboxId: mailbox.id,
      details: {
        number: decision.number.e164,
        kind: decision.number.kind,
        pages: rows.length,
        priority,
        sendAt: sendAt?.toISOString() ?? null,
        killAt: killAt.toISOString(),
      },
    });
    await recordXfer(trx, {
      type: 'SUBMIT',
      time: now,
      jobid: String(f.id),
      jobtag: base.jobTag ?? '',
      sender: user.name,
      dest: decision.number.e164,
      npages: rows.length,
      reason: 'Submitted',
      owner: user.name,
      ownerUserId: user.id,
      faxId: f.id,
      mailboxId: mailbox.id,
    });
    return f;
  });

  let enqueued = false;
  if (ctx.queue) {
    enqueued = await enqueueFax(ctx.queue, fax, now.getTime()).then(
      () => true,
      () => false,
    );
  }
  return { fax, outcome: 'queued', enqueued };
}
