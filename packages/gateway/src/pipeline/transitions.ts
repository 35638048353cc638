// State changes of an outgoing fax after submission. Each one is a single transaction that
// changes the row, appends the audit event and (for calls) the send-log record: the record
// can never say something the state does not, and the reverse.
import {
  type AuditEventInput,
  appendAuditEvent,
  appendAuditEvents,
  auditInsertFrom,
  encodeXferParams,
  recordXfer,
  type XferRecord,
  xferDcsText,
  xferInsertFrom,
} from '@faxgate/audit';
import {
  type Db,
  type Fax,
  type FaxFields,
  type FaxState,
  faxes,
  inTransaction,
  StateConflictError,
} from '@faxgate/store';
import type { Verdict } from './verdict.js';

/** Waiting for a line or a time: the states a queue job exists for. */
export const QUEUED_STATES: readonly FaxState[] = ['pending', 'sleeping', 'waiting', 'blocked'];
/** States from which a stop ends the fax without a call in flight. */
export const STOPPABLE_STATES: readonly FaxState[] = [...QUEUED_STATES, 'suspended'];

/** Why a fax is held for the fax post office after a crash cut its call off. */
export const OUTCOME_UNKNOWN = 'outcome-unknown';
/** Why a fax was queued again: this gateway process stopped during its call (shutdown grace over). */
export const GATEWAY_STOPPED = 'gateway-stopped';

/** Set on the row when a fax fell back to standard resolution (metadata key); its calls send standard since. */
export const RESOLUTION_FALLBACK = 'resolutionFallback';

/** Whether the fax's calls send at standard resolution because the remote could not take fine. */
export function fellBackToStandard(f: Fax): boolean {
  return f.metadata[RESOLUTION_FALLBACK] !== undefined;
}

function jobinfo(f: Fax) {
  return {
    totpages: f.pagesTotal,
    ntries: f.tries,
    ndials: f.dials,
    totdials: f.dials,
    maxdials: f.maxDials ?? 0,
    tottries: f.tries,
    maxtries: f.maxTries ?? 0,
  };
}

function owner(f: Fax): string {
  return typeof f.metadata.owner === 'string' ? f.metadata.owner : '';
}

export function xferBase(f: Fax): Partial<XferRecord> {
  return {
    jobid: String(f.id),
    jobtag: f.jobTag ?? '',
    sender: owner(f),
    owner: owner(f),
    dest: typeof f.metadata.dialString === 'string' ? f.metadata.dialString : (f.remoteNumber ?? ''),
    ownerUserId: f.ownerUserId,
    faxId: f.id,
    mailboxId: f.mailboxId,
  };
}

export interface CallRecord {
  controller: number;
  startedAt: Date;
  endedAt: Date;
  pages: number;
  connected: boolean;
  remoteStationId: string | undefined;
  rate: number | undefined;
  durationMs: number;
  cause: { name: string; class: string; reason: number; reasonB3: number; info?: number };
  /** The first page this call sent (1, or the first page not yet confirmed by an earlier call). */
  firstPage?: number;
  /** The resolution the call sent at. */
  resolution?: 'fine' | 'standard';
  /** How the pages were counted: the card's NCPI, or page ends the card confirmed (B3 4 without a final NCPI). */
  pagesFrom?: 'ncpi' | 'page-ends';
}

/**
 * The call is over: state by the verdict, pages confirmed, CSI, times and cause; `send.end`
 * plus the job event; the SEND record — all committed together.
 *
 * With `claimed` (the row as the claim left it) and nothing having changed it during the
 * call (no stop request, no recovery: its version holds), the verdict on it is the verdict on
 * the current row, and the whole end is one statement. Otherwise the row is locked and read.
 */
export async function recordCallEnd(
  db: Db,
  faxId: number,
  call: CallRecord,
  actor: string,
  decide: (locked: Fax) => { verdict: Verdict; stoppedBy?: string },
  claimed?: Fax,
): Promise<{ fax: Fax; verdict: Verdict }> {
  if (claimed) {
    const plan = planCallEnd(claimed, call, actor, decide);
    const expected = { ...claimed, ...plan.fields, state: plan.state } as Fax;
    const after = await faxes.updateStateAlong(
      db,
      faxId,
      plan.state,
      plan.fields,
      { version: claimed.version },
      [
        auditInsertFrom(faxes.CHANGED_ROW, plan.events(expected)),
        xferInsertFrom(faxes.CHANGED_ROW, plan.xfer(expected)),
      ],
    );
    if (after) return { fax: after, verdict: plan.verdict };
  }
  return inTransaction(db, async (trx) => {
    const plan = planCallEnd(await faxes.getForUpdate(trx, faxId), call, actor, decide);
    const after = await faxes.updateState(trx, faxId, plan.state, plan.fields);
    await appendAuditEvents(trx, plan.events(after));
    await recordXfer(trx, plan.xfer(after));
    return { fax: after, verdict: plan.verdict };
  });
}

/** What the end of a call writes, decided on the row `before`. */
function planCallEnd(
  before: Fax,
  call: CallRecord,
  actor: string,
  decide: (locked: Fax) => { verdict: Verdict; stoppedBy?: string },
) {
  const faxId = before.id;
  const { verdict, stoppedBy } = decide(before);
  const line = `c${call.controller}`;
  // Pages the remote confirmed, in this call and before it: a retry sends only the rest, so
  // the count is the pages before this call's first page plus this call's NCPI pages.
  const firstPage = call.firstPage ?? 1;
  const counted = Math.max(before.pagesDone, firstPage - 1 + call.pages);
  const confirmed = before.pagesTotal > 0 ? Math.min(before.pagesTotal, counted) : counted;
  const resumed = firstPage > 1 ? `resumed at page ${firstPage}` : '';
  const common = {
    // A call our own shutdown cut off is no try of the fax's.
    tries: before.tries + (call.connected && verdict.kind !== 'requeue' ? 1 : 0),
    pagesDone: confirmed,
    remoteStationId: call.remoteStationId ?? before.remoteStationId,
    line,
  };
  let state: FaxState;
  let fields: FaxFields;
  let jobEvent: 'send.done' | 'job.sleep' | 'job.kill' | 'job.dead' | 'send.requeue';
  let reason = '';
  if (verdict.kind === 'done') {
    state = 'done';
    fields = {
      ...common,
      completedAt: call.endedAt,
      cause: 'ok',
      causeText: resumed
        ? `${confirmed} pages confirmed (${resumed}: pages ${firstPage}–${confirmed} in the last call)`
        : `${confirmed} page${confirmed === 1 ? '' : 's'} confirmed`,
    };
    jobEvent = 'send.done';
  } else if (verdict.kind === 'retry') {
    reason = verdict.reason;
    state = 'sleeping';
    fields = { ...common, notBefore: verdict.notBefore, cause: call.cause.class, causeText: verdict.reason };
    if (verdict.fallback) {
      fields.metadata = {
        ...before.metadata,
        [RESOLUTION_FALLBACK]: { to: verdict.fallback, dial: before.dials, at: call.endedAt.toISOString() },
      };
    }
    jobEvent = 'job.sleep';
  } else if (verdict.kind === 'requeue') {
    reason = verdict.reason;
    state = 'pending';
    fields = { ...common, notBefore: null, cause: GATEWAY_STOPPED, causeText: `${verdict.reason}; requeued` };
    jobEvent = 'send.requeue';
  } else {
    reason = verdict.reason;
    state = 'failed';
    fields = {
      ...common,
      completedAt: call.endedAt,
      cause: verdict.code === 'stopped' ? 'stopped' : call.cause.class,
      causeText: verdict.reason,
    };
    jobEvent = verdict.code === 'stopped' ? 'job.kill' : 'job.dead';
  }
  const subject = `fax:${faxId}`;
  const events = (after: Fax): AuditEventInput[] => [
    {
      type: 'send.end',
      actor,
      subject,
      faxId,
      mailboxId: before.mailboxId,
      details: {
        line,
        pages: call.pages,
        firstPage,
        pagesConfirmed: confirmed,
        pagesTotal: before.pagesTotal,
        resolution: call.resolution ?? null,
        pagesFrom: call.pagesFrom ?? 'ncpi',
        connected: call.connected,
        csi: call.remoteStationId ?? null,
        rate: call.rate ?? null,
        cause: call.cause,
        durationMs: call.durationMs,
        dials: after.dials,
        tries: after.tries,
      },
    },
    {
      type: jobEvent,
      actor: jobEvent === 'job.kill' && stoppedBy ? stoppedBy : actor,
      subject,
      faxId,
      mailboxId: before.mailboxId,
      details: {
        state: after.state,
        reason: reason || null,
        ...(verdict.kind === 'retry'
          ? { retryClass: verdict.retryClass, notBefore: verdict.notBefore.toISOString() }
          : {}),
        ...(verdict.kind === 'failed' ? { code: verdict.code } : {}),
        ...(verdict.kind === 'requeue' ? { cause: GATEWAY_STOPPED, pagesConfirmed: confirmed } : {}),
      },
    },
    // HylaFAX's REFORMAT: the document is converted for the remote (fine → standard) and resent.
    ...(verdict.kind === 'retry' && verdict.fallback
      ? [
          {
            type: 'send.reformat',
            actor,
            subject,
            faxId,
            mailboxId: before.mailboxId,
            details: {
              from: 'fine',
              to: verdict.fallback,
              reason: 'the remote negotiated standard resolution only',
              pagesConfirmed: confirmed,
              resumesAtPage: confirmed + 1,
            },
          } satisfies AuditEventInput,
        ]
      : []),
  ];
  // HylaFAX's packed session word: the rate the card trained at and the resolution sent; the
  // rest (A4, 1728 pixels, compression and ECM the card chose) as HylaFAX's defaults.
  const params = encodeXferParams(
    call.rate ? { bitRate: call.rate, resolution: call.resolution } : undefined,
  );
  const xfer = (after: Fax): XferRecord => ({
    ...xferBase(after),
    type: 'SEND',
    time: call.startedAt,
    commid: `${faxId}.${after.dials}`,
    device: line,
    remoteStation: call.remoteStationId ?? '',
    params,
    dcs: xferDcsText(params),
    npages: call.pages,
    jobtimeSeconds: Math.round((call.endedAt.getTime() - call.startedAt.getTime()) / 1000),
    conntimeSeconds: Math.round(call.durationMs / 1000),
    // npages: the pages this call got confirmed (HylaFAX); a resumed call says where it began.
    reason: [resumed, verdict.kind === 'done' ? '' : reason].filter(Boolean).join('; '),
    jobinfo: jobinfo(after),
    resultCode:
      verdict.kind === 'done' ? 'ok' : verdict.kind === 'requeue' ? GATEWAY_STOPPED : call.cause.class,
  });
  return { state, fields, events, xfer, verdict };
}

/** Ends a fax that is not in a call: stop request, kill time, or the retry caps. */
export async function endWithoutCall(
  db: Db,
  faxId: number,
  opts: { from: readonly FaxState[]; code: string; reason: string; actor: string; actorId?: number },
): Promise<Fax> {
  return inTransaction(db, async (trx) => {
    const before = await faxes.getForUpdate(trx, faxId);
    const now = new Date();
    const after = await faxes.updateState(
      trx,
      faxId,
      'failed',
      { cause: opts.code, causeText: opts.reason, completedAt: now },
      { from: opts.from },
    );
    await appendAuditEvent(trx, {
      type: opts.code === 'stopped' ? 'job.kill' : 'job.timedout',
      actor: opts.actor,
      actorId: opts.actorId ?? null,
      subject: `fax:${faxId}`,
      faxId,
      mailboxId: before.mailboxId,
      details: { from: before.state, code: opts.code, reason: opts.reason },
    });
    await recordXfer(trx, {
      ...xferBase(after),
      type: 'UNSENT',
      time: now,
      npages: before.pagesDone,
      reason: opts.reason,
      jobinfo: jobinfo(after),
      resultCode: opts.code,
    });
    return after;
  });
}

/**
 * A 'running' fax whose worker died: the call may have sent pages. Never resent silently —
 * held ('suspended', cause outcome-unknown) for the fax post office, or, when configured,
 * queued again with the resend on record.
 */
export async function recoverCutOffCall(
  db: Db,
  faxId: number,
  mode: 'hold' | 'resend',
  actor: string,
  deadWorker: string | null,
): Promise<Fax> {
  return inTransaction(db, async (trx) => {
    const before = await faxes.getForUpdate(trx, faxId);
    // The caller saw the row running under `deadWorker` before it took the lock. Since then
    // another process may have recovered it and dialled it again (resend): that call is alive
    // and must not be recorded as cut off.
    const worker = typeof before.metadata.worker === 'string' ? before.metadata.worker : null;
    if (before.state === 'running' && worker !== deadWorker) {
      throw new StateConflictError(faxId, ['running'], before.state);
    }
    const text = `the call on ${before.line ?? 'a line'} was cut off (worker ${deadWorker ?? '?'} gone); pages may have been sent`;
    const after =
      mode === 'hold'
        ? await faxes.updateState(
            trx,
            faxId,
            'suspended',
            {
              cause: OUTCOME_UNKNOWN,
              causeText: `${text} — check with the recipient, then resubmit or close`,
            },
            { from: ['running'] },
          )
        : await faxes.updateState(
            trx,
            faxId,
            'pending',
            { cause: OUTCOME_UNKNOWN, causeText: `${text} — resent as configured`, notBefore: null },
            { from: ['running'] },
          );
    await appendAuditEvent(trx, {
      type: mode === 'hold' ? 'job.suspend' : 'job.retry',
      actor,
      subject: `fax:${faxId}`,
      faxId,
      mailboxId: before.mailboxId,
      details: { cause: OUTCOME_UNKNOWN, mode, deadWorker, line: before.line, dials: before.dials },
    });
    await recordXfer(trx, {
      ...xferBase(after),
      type: 'SEND',
      time: before.startedAt ?? new Date(),
      commid: `${faxId}.${before.dials}`,
      device: before.line ?? '',
      reason: text,
      jobinfo: jobinfo(after),
      resultCode: OUTCOME_UNKNOWN,
    });
    return after;
  });
}
