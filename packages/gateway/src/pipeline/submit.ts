// Submission of an outgoing fax (ARCHITECTURE "Outgoing"): right → router (normalise,
// internal short-circuit, destination policy) → fax row, pages and audit event in one
// transaction → queue job. PostgreSQL is the truth: when Redis is down the fax stays
// accepted and the reconciler queues it later.
import { appendAuditEvent, recordXfer } from '@faxgate/audit';
import type { BilevelPage } from '@faxgate/fax-core';
import type { MailboxInput, Router } from '@faxgate/router';
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
  type Knex,
  type Mailbox,
  mailboxes,
  type User,
  users,
} from '@faxgate/store';
import { copyPages, documentResolution, encodePages, LPI, pagesFromTiff } from './pages.js';
import { enqueueFax, type SendQueue } from './queue.js';
import { type AllowedDecision, routeOutgoing } from './route.js';
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
  /**
   * The caller's key for this submission (an HTTP Idempotency-Key): the same key from the
   * same user again gets the fax of the first submission back instead of a second fax.
   */
  idempotencyKey?: string;
  /** Added to the fax's metadata and its submit audit event (e.g. damaged pages sent anyway). */
  origin?: Record<string, unknown>;
  /** The id the fax gets, reserved before (faxes.reserveId: a HylaFAX client's JNEW). */
  faxId?: number;
}

export interface SubmitResult {
  fax: Fax;
  /** queued: waits for a line; internal: delivered to `deliveredFax` without a call. */
  outcome: 'queued' | 'internal';
  deliveredFax?: Fax;
  /** False when Redis did not take the job now (the reconciler will). */
  enqueued: boolean;
  /** True when the idempotency key was seen before: `fax` is the first submission's. */
  replayed?: boolean;
}

const IDEMPOTENCY_KEY_RE = /^[\x21-\x7e]{1,200}$/;

/** Keys are per user: two users' keys never collide. */
function scopedKey(userId: number, key: string | undefined): string | undefined {
  if (key === undefined) return undefined;
  if (!IDEMPOTENCY_KEY_RE.test(key)) {
    throw new InvalidInputError('idempotency key must be 1..200 printable ASCII characters without spaces');
  }
  return `${userId}:${key}`;
}

function replay(fax: Fax): SubmitResult {
  return { fax, outcome: fax.internal ? 'internal' : 'queued', enqueued: false, replayed: true };
}

/** The earlier submission of `userId` with this idempotency key, if any (a retry's answer). */
export async function earlierSubmission(db: Db, userId: number, key: string): Promise<SubmitResult | null> {
  const earlier = await faxes.findByIdempotencyKey(db, scopedKey(userId, key) as string);
  return earlier ? replay(earlier) : null;
}

function isKeyClash(e: unknown): boolean {
  const pg = e as { code?: string; constraint?: string };
  return pg?.code === '23505' && pg.constraint === 'faxes_idempotency_key_key';
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
  checkInput(input);
  const actor = typeof input.actor === 'object' ? input.actor.id : input.actor;
  // Three independent reads, asked at once: a submission waits for one round trip, not three.
  const [user, mailbox, allowed] = await Promise.all([
    users.get(db, actor),
    mailboxes.find(db, input.mailboxId),
    can(db, actor, 'out.send', input.mailboxId),
  ]);
  if (!mailbox || !allowed) {
    throw new ForbiddenError(`${user.name} may not send from mailbox ${input.mailboxId}`);
  }

  const key = scopedKey(user.id, input.idempotencyKey);
  if (key !== undefined) {
    const earlier = await faxes.findByIdempotencyKey(db, key);
    if (earlier) return replay(earlier);
  }

  // Routed before the document is encoded: a refused number costs no work.
  const decision = await routeOutgoing(db, ctx.router, user, mailbox.id, input.number);
  let pages = input.pages ? [...input.pages] : pagesFromTiff(input.tiff as Uint8Array);
  if (input.resolution === 'standard') {
    const { convertResolution } = await import('@faxgate/fax-core');
    pages = pages.map((p) => (p.resolution === 'standard' ? p : convertResolution(p, 'standard')));
  }
  const rows = encodePages(pages);
  try {
    return await placeFax(ctx, decision, {
      idempotencyKey: key,
      user,
      mailbox,
      priority: input.priority ?? 127,
      sendAt: input.sendAt,
      killTime: input.killTime,
      subject: input.subject ?? null,
      jobTag: input.jobTag ?? null,
      origin: input.origin,
      faxId: input.faxId,
      document: {
        pagesTotal: rows.length,
        resolution: LPI[documentResolution(pages)],
        async write(trx, faxId) {
          for (const r of rows) await faxPages.add(trx, faxId, r);
        },
      },
    });
  } catch (e) {
    // The same key submitted twice at once: the second insert lost; hand back the first.
    if (key !== undefined && isKeyClash(e)) {
      const earlier = await faxes.findByIdempotencyKey(db, key);
      if (earlier) return replay(earlier);
    }
    throw e;
  }
}

/** A document ready to be stored with its fax row. */
export interface StoredDocument {
  pagesTotal: number;
  /** Lines per inch of the row (98 standard, 196 fine). */
  resolution: number | null;
  /** Stores the pages of fax `faxId` in the caller's transaction. */
  write(trx: Knex.Transaction, faxId: number): Promise<void>;
}

/** Everything after the rights check and the routing decision: the fax as it is stored. */
export interface Placement {
  user: User;
  mailbox: Mailbox;
  priority: number;
  sendAt?: Date;
  killTime?: Date;
  subject: string | null;
  jobTag: string | null;
  document: StoredDocument;
  /** Added to the new row's metadata and to the details of its first audit event. */
  origin?: Record<string, unknown>;
  /** Stored with the fax row (unique): see SubmitFaxInput.idempotencyKey. */
  idempotencyKey?: string;
  /** The outgoing fax's id, reserved before (SubmitFaxInput.faxId). */
  faxId?: number;
  /** Runs in the same transaction, after the new fax is stored (e.g. close the old one). */
  also?: (trx: Knex.Transaction, fax: Fax) => Promise<void>;
}

/**
 * Stores an allowed fax: internal delivery (no call) or a pending row with its pages, the
 * audit event and the SUBMIT record in one transaction, then the queue job. Shared by
 * submitFax and resubmitFax so both take exactly the same path.
 */
export async function placeFax(
  ctx: SubmitContext,
  decision: AllowedDecision,
  p: Placement,
): Promise<SubmitResult> {
  const { db } = ctx;
  const now = ctx.now?.() ?? new Date();
  const { user, mailbox, document } = p;
  const origin = p.origin ?? {};
  const base = {
    mailboxId: mailbox.id,
    ownerUserId: user.id,
    remoteNumber: decision.number.e164,
    subject: p.subject,
    jobTag: p.jobTag,
    priority: p.priority,
    pagesTotal: document.pagesTotal,
    resolution: document.resolution,
  };
  const idempotencyKey = p.idempotencyKey ?? null;
  const n = document.pagesTotal;
  if (decision.action === 'internal') {
    // M 5.73: one of our own numbers is never dialled; delivered and logged as internal.
    const target = decision.mailbox;
    const result = await inTransaction(db, async (trx) => {
      const out = await faxes.insert(trx, {
        ...base,
        id: p.faxId,
        idempotencyKey,
        direction: 'out',
        state: 'done',
        internal: true,
        pagesDone: n,
        completedAt: now,
        metadata: {
          ...origin,
          owner: user.name,
          dialString: decision.number.dialString,
          internalMailbox: target.id,
        },
      });
      await document.write(trx, out.id);
      const delivered = await faxes.insert(trx, {
        direction: 'in',
        state: 'received',
        internal: true,
        mailboxId: target.id,
        localNumber: decision.number.e164,
        remoteNumber: mailbox.numbers[0] ?? null,
        remoteStationId: `internal:${mailbox.name}`,
        subject: base.subject,
        pagesTotal: n,
        pagesDone: n,
        resolution: document.resolution,
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
          pages: n,
          ...origin,
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
        npages: n,
        reason: '',
        owner: user.name,
        ownerUserId: user.id,
        faxId: out.id,
        mailboxId: mailbox.id,
        resultCode: 'internal',
      });
      await p.also?.(trx, out);
      return { out, delivered };
    });
    return { fax: result.out, outcome: 'internal', deliveredFax: result.delivered, enqueued: false };
  }

  const sendAt = p.sendAt && p.sendAt > now ? p.sendAt : null;
  const killAt = p.killTime ?? new Date((sendAt ?? now).getTime() + ctx.settings.killTimeMs);
  const fax = await inTransaction(db, async (trx) => {
    const f = await faxes.insert(trx, {
      ...base,
      id: p.faxId,
      idempotencyKey,
      direction: 'out',
      state: 'pending',
      maxDials: ctx.settings.maxDials,
      maxTries: ctx.settings.maxTries,
      notBefore: sendAt,
      killAt,
      metadata: { ...origin, owner: user.name, dialString: decision.number.dialString },
    });
    await document.write(trx, f.id);
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
        pages: n,
        priority: p.priority,
        sendAt: sendAt?.toISOString() ?? null,
        killAt: killAt.toISOString(),
        ...origin,
      },
    });
    await recordXfer(trx, {
      type: 'SUBMIT',
      time: now,
      jobid: String(f.id),
      jobtag: base.jobTag ?? '',
      sender: user.name,
      dest: decision.number.e164,
      npages: n,
      reason: 'Submitted',
      owner: user.name,
      ownerUserId: user.id,
      faxId: f.id,
      mailboxId: mailbox.id,
    });
    await p.also?.(trx, f);
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
