// Modify (`out.modify`, HylaFAX faxalter): number, send time, priority, resolution and kill
// time of a fax that is not in a call and not finished. A new number is routed exactly as
// on submit; the row and `job.modify` commit together, then the queue job is replaced to
// the new delay and priority (or, when Redis is down, by the reconciler: see job-sync.ts).
import { appendAuditEvent } from '@faxgate/audit';
import { convertResolution, readFaxDocument } from '@faxgate/fax-core';
import type { MailboxInput, Router } from '@faxgate/router';
import {
  type ActorRef,
  can,
  type Db,
  type Fax,
  type FaxFields,
  type FaxState,
  ForbiddenError,
  faxes,
  faxPages,
  InvalidInputError,
  inTransaction,
  type Knex,
  users,
} from '@faxgate/store';
import { JobStateError } from './errors.js';
import { QUEUE_SYNC, syncJob, syncToken } from './job-sync.js';
import { encodePages, LPI } from './pages.js';
import type { SendQueue } from './queue.js';
import { routeOutgoing } from './route.js';
import { QUEUED_STATES } from './transitions.js';

/** Not in a call and not finished: the states a modify is allowed in. */
export const MODIFIABLE_STATES: readonly FaxState[] = [...QUEUED_STATES, 'suspended'];

export interface ModifyChanges {
  /** New destination as typed; routed like a submission. */
  number?: string;
  /** New send time; null or a time already past: as soon as possible. */
  sendAt?: Date | null;
  /** 0 (most urgent) … 255. */
  priority?: number;
  /** 'standard' converts finer pages down; 'fine' only keeps pages that are fine already. */
  resolution?: 'standard' | 'fine';
  /** Give up after this time. */
  killTime?: Date;
}

export interface ModifyContext {
  db: Db;
  /** Undefined or unreachable: the change stands and the reconciler fixes the job. */
  queue?: SendQueue;
  router: Router<MailboxInput>;
  now?: () => Date;
}

export interface ModifyResult {
  fax: Fax;
  /** The fields that changed (empty: everything already was as asked, nothing recorded). */
  changed: (keyof ModifyChanges)[];
  /**
   * updated: the queue job now has the new delay/priority; deferred: Redis did not take it
   * now, the reconciler will; none: no job to change (held fax, or delay/priority unchanged).
   */
  job: 'updated' | 'deferred' | 'none';
}

function validTime(d: unknown): d is Date {
  return d instanceof Date && !Number.isNaN(d.getTime());
}

function checkChanges(c: ModifyChanges, now: Date): void {
  if (Object.values(c).every((v) => v === undefined)) throw new InvalidInputError('nothing to change');
  if (c.priority !== undefined && (!Number.isInteger(c.priority) || c.priority < 0 || c.priority > 255)) {
    throw new InvalidInputError('priority must be 0..255');
  }
  if (c.sendAt !== undefined && c.sendAt !== null && !validTime(c.sendAt)) {
    throw new InvalidInputError('sendAt must be a valid time');
  }
  if (c.killTime !== undefined) {
    if (!validTime(c.killTime)) throw new InvalidInputError('killTime must be a valid time');
    if (c.killTime <= now) throw new InvalidInputError('killTime must be in the future');
  }
  if (c.resolution !== undefined && c.resolution !== 'standard' && c.resolution !== 'fine') {
    throw new InvalidInputError(`resolution must be standard or fine, got ${JSON.stringify(c.resolution)}`);
  }
  if (c.number !== undefined && typeof c.number !== 'string')
    throw new InvalidInputError('number must be text');
}

export function notModifiable(fax: Fax): JobStateError {
  const what =
    fax.state === 'running'
      ? `fax ${fax.id} is in a call: it cannot be modified now (stop it, or wait for the call to end)`
      : fax.state === 'rendering'
        ? `fax ${fax.id} is still being prepared: modify it once it is queued`
        : `fax ${fax.id} is ${fax.state}: a finished fax is not modified; resubmit it instead`;
  return new JobStateError(fax.id, MODIFIABLE_STATES, fax.state, what);
}

/** The stored pages converted down to standard resolution, re-encoded as stored pages. */
async function standardPages(trx: Knex.Transaction, faxId: number) {
  const rows: { tiff: Buffer }[] = await trx('fax_pages')
    .where({ fax_id: faxId })
    .orderBy('page_no')
    .select('tiff');
  const pages = rows.flatMap((r) => readFaxDocument(r.tiff).pages.map((p) => p.page));
  return encodePages(pages.map((p) => convertResolution(p, 'standard')));
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

/** Priority and send time only: what queue.manage may change on any fax (never number or pages). */
export function rescheduleOnly(c: ModifyChanges): boolean {
  return c.number === undefined && c.resolution === undefined && c.killTime === undefined;
}

export async function modifyFax(
  ctx: ModifyContext,
  input: { actor: ActorRef; faxId: number; changes: ModifyChanges },
): Promise<ModifyResult> {
  const { db } = ctx;
  const now = ctx.now?.() ?? new Date();
  const c = input.changes ?? {};
  checkChanges(c, now);
  const user = await users.get(db, typeof input.actor === 'object' ? input.actor.id : input.actor);
  const current = await faxes.get(db, input.faxId);
  if (
    current.direction !== 'out' ||
    current.mailboxId === null ||
    !(
      (rescheduleOnly(c) && (await can(db, user.id, 'queue.manage'))) ||
      (await can(db, user.id, 'out.modify', current.mailboxId))
    )
  ) {
    throw new ForbiddenError(`${user.name} may not modify fax ${input.faxId}`);
  }
  if (!MODIFIABLE_STATES.includes(current.state)) throw notModifiable(current);

  let route: { e164: string; dialString: string } | undefined;
  if (c.number !== undefined) {
    const d = await routeOutgoing(db, ctx.router, user, current.mailboxId, c.number, {
      faxId: current.id,
      details: { via: 'modify' },
    });
    if (d.action === 'internal') {
      // Decided: a queued call is not turned into an internal delivery behind the sender's
      // back; the sender stops it and resubmits, which delivers internally on record.
      throw new InvalidInputError(
        `${d.number.e164} is one of our own numbers (mailbox ${d.mailbox.name}): fax ${current.id} is not redirected there; stop it and resubmit it to that number`,
      );
    }
    route = { e164: d.number.e164, dialString: d.number.dialString };
  }

  const out = await inTransaction(db, async (trx) => {
    const before = await faxes.getForUpdate(trx, current.id);
    if (!MODIFIABLE_STATES.includes(before.state)) throw notModifiable(before);
    const fields: FaxFields = {};
    const diff: Record<string, { from: unknown; to: unknown }> = {};
    const metadata: Record<string, unknown> = { ...before.metadata };
    if (route && route.e164 !== before.remoteNumber) {
      fields.remoteNumber = route.e164;
      metadata.dialString = route.dialString;
      diff.number = { from: before.remoteNumber, to: route.e164 };
    }
    if (c.priority !== undefined && c.priority !== before.priority) {
      fields.priority = c.priority;
      diff.priority = { from: before.priority, to: c.priority };
    }
    if (c.sendAt !== undefined) {
      const notBefore = c.sendAt && c.sendAt > now ? c.sendAt : null;
      if (iso(notBefore) !== iso(before.notBefore)) {
        fields.notBefore = notBefore;
        diff.sendAt = { from: iso(before.notBefore), to: iso(notBefore) };
      }
    }
    if (c.killTime !== undefined && iso(c.killTime) !== iso(before.killAt)) {
      fields.killAt = c.killTime;
      diff.killTime = { from: iso(before.killAt), to: iso(c.killTime) };
    }
    if (c.sendAt !== undefined || c.killTime !== undefined) {
      const sendAt = fields.notBefore !== undefined ? fields.notBefore : before.notBefore;
      const killAt = fields.killAt ?? before.killAt;
      if (killAt && killAt <= (sendAt ?? now)) {
        throw new InvalidInputError(
          `the send time ${iso(sendAt ?? now)} is not before the kill time ${iso(killAt)}: give a later kill time too`,
        );
      }
    }
    const lpi = c.resolution ? LPI[c.resolution] : undefined;
    if (lpi !== undefined && lpi !== (before.resolution ?? LPI.fine)) {
      if (lpi > (before.resolution ?? LPI.fine)) {
        throw new InvalidInputError(
          `fax ${before.id} was prepared in standard resolution: a finer one needs the document itself (send it again with -r fine)`,
        );
      }
      const pages = await standardPages(trx, before.id);
      await faxPages.deleteAll(trx, before.id);
      for (const p of pages) await faxPages.add(trx, before.id, p);
      fields.resolution = lpi;
      diff.resolution = { from: before.resolution, to: lpi };
    }
    const changed = Object.keys(diff) as (keyof ModifyChanges)[];
    if (changed.length === 0) return { fax: before, changed, token: undefined };
    // Only delay and priority live in the job; the worker reads everything else from the row.
    const token =
      QUEUED_STATES.includes(before.state) && (diff.sendAt || diff.priority) ? syncToken() : undefined;
    if (token) metadata[QUEUE_SYNC] = token;
    const after = await faxes.update(trx, before.id, { ...fields, metadata });
    await appendAuditEvent(trx, {
      type: 'job.modify',
      actor: user.name,
      actorId: user.id,
      subject: `fax:${before.id}`,
      faxId: before.id,
      mailboxId: before.mailboxId,
      details: { state: before.state, changes: diff },
    });
    return { fax: after, changed, token };
  });

  if (!out.token) return { fax: out.fax, changed: out.changed, job: 'none' };
  const synced = ctx.queue ? await syncJob(db, ctx.queue, out.fax, out.token) : false;
  if (!synced) return { fax: out.fax, changed: out.changed, job: 'deferred' };
  const { [QUEUE_SYNC]: _cleared, ...metadata } = out.fax.metadata;
  return { fax: { ...out.fax, metadata }, changed: out.changed, job: 'updated' };
}
