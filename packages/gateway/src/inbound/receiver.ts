// The incoming path: CONNECT_IND (already screened by the lockdown guard) → router → accept →
// SFF decoded as it arrives → each page stored as an MMR TIFF as soon as its page end arrives
// (one page in memory at a time) → after training the sender's TSI recorded and the TSI rules
// applied → at the end state, audit event and receive log record in one transaction
// (ARCHITECTURE.md, "Incoming"; receive-store.ts; a crash is closed by recover.ts).
import { appendAuditEvent } from '@faxgate/audit';
import {
  type CapiSession,
  type FaxResult,
  type IncomingCall,
  receiveFaxes,
  type TrainedVerdict,
} from '@faxgate/capi-bindings';
import { ContainerError, SffReader } from '@faxgate/fax-core';
import type { Router } from '@faxgate/router';
import { type Db, type Fax, faxes, inTransaction } from '@faxgate/store';
import type { Logger } from '../logger.js';
import { typeOfNumber } from './numbering.js';
import {
  commitPage,
  finishReceive,
  noteTsi,
  pagesKept,
  type ReceiveEnd,
  type Receiving,
} from './receive-store.js';

export interface ReceiverOptions {
  db: Db;
  /** A session on a locked-down transport: non-fax and forbidden calls never reach us. */
  session: CapiSession;
  /** Picks the mailbox (or a rejection) for each call, and again with the TSI after training. */
  router: Pick<Router<{ id: number; name: string }>, 'routeIncoming'>;
  /** Our T.30 station id (CSI), at most 20 characters. */
  stationId: string;
  log?: Logger;
  /** Who the audit trail names for received faxes. */
  actor?: string;
  /** Called once a received fax is stored (for notifications and tests). */
  onStored?: (fax: Fax) => void;
  /** Called when an accepted call has its fax row (the channel book names the fax). */
  onBegin?: (call: IncomingCall, fax: Fax) => void;
  /**
   * This process's presence id (pipeline/presence.ts), written into every fax it receives:
   * the crash recovery at start closes only receptions whose process is gone.
   */
  instanceId?: string;
  /** The lockdown TSI blocklist: such a sender is cut off by the guard; the fax says why. */
  tsiBlocked?: (tsi: string) => boolean;
  /** Why calls are refused now (disk space critical), or undefined: rejected, the sender retries. */
  refuseCalls?: () => string | undefined;
}

export interface Receiver {
  /** Stops taking calls; calls in progress finish. */
  stop(): void;
}

/** Reject value for a call the routing rules refuse (normal call clearing, not answered). */
const ROUTING_REJECT = 2;
/**
 * Reject value while the gateway cannot store a fax (disk space critical): network cause 41,
 * "temporary failure" (0x34A9; capi-reference.md 8.9/8.10). Q.850 says of cause 41 that the
 * condition is not likely to last and the caller may try again: fax machines and servers
 * treat it as a retryable failure and redial, where "call rejected" (21) or normal clearing
 * would end the attempt. "No circuit/channel available" (34) would also be retried, but it
 * says the channels are busy, which is not the reason.
 */
export const DISK_FULL_REJECT = 0x34a9;

export function startReceiver(opts: ReceiverOptions): Receiver {
  const { db, session, router, stationId } = opts;
  const actor = opts.actor ?? 'gateway';
  const stop = receiveFaxes(session, async (call) => {
    const numbers = {
      called: call.calledNumber,
      calledType: typeOfNumber(call.ind.calledPartyNumber?.typePlan),
      caller: call.callingNumber || undefined,
      callerType: typeOfNumber(call.ind.callingPartyNumber?.typePlan),
    };
    const full = opts.refuseCalls?.();
    if (full) {
      await inTransaction(db, (trx) =>
        appendAuditEvent(trx, {
          type: 'recv.reject',
          actor,
          subject: `call:${call.calledNumber}`,
          details: {
            reason: full,
            cause: 'disk-critical',
            reject: DISK_FULL_REJECT,
            called: call.calledNumber,
            caller: call.callingNumber,
          },
        }),
      );
      opts.log?.warn(`incoming call to ${call.calledNumber} rejected (temporary failure): ${full}`);
      return { action: 'reject', reject: DISK_FULL_REJECT };
    }
    const route = router.routeIncoming(numbers);
    if (route.action === 'reject') {
      await inTransaction(db, (trx) =>
        appendAuditEvent(trx, {
          type: 'recv.reject',
          actor,
          subject: `call:${call.calledNumber}`,
          details: {
            rule: route.rule,
            reason: route.reason,
            called: call.calledNumber,
            caller: call.callingNumber,
          },
        }),
      );
      return { action: 'reject', reject: ROUTING_REJECT };
    }
    const started = new Date();
    const fax = await inTransaction(db, async (trx) => {
      const f = await faxes.insert(trx, {
        direction: 'in',
        state: 'receiving',
        mailboxId: route.mailbox.id,
        localNumber: route.called ?? call.calledNumber,
        remoteNumber: route.caller ?? (call.callingNumber || null),
        startedAt: started,
        line: `${call.controller}`,
        metadata: {
          rule: route.rule,
          cip: call.cipValue,
          ...(opts.instanceId ? { receiver: opts.instanceId } : {}),
        },
      });
      await appendAuditEvent(trx, {
        type: 'recv.begin',
        actor,
        subject: `fax:${f.id}`,
        faxId: f.id,
        mailboxId: route.mailbox.id,
        details: { called: call.calledNumber, caller: call.callingNumber, rule: route.rule },
      });
      return f;
    });
    opts.onBegin?.(call, fax);
    const r: Receiving = {
      fax,
      pages: 0,
      started,
      controller: call.controller,
      caller: call.callingNumber,
      actor,
    };
    // Rows are decoded into the page in progress only; a finished page is stored and dropped.
    const reader = new SffReader({ requireEnd: false });
    let damaged: string | undefined;
    let tsi: string | undefined;
    let refused: { rule: string; reason: string } | undefined;
    let blocked = false;

    /** The TSI is known: blocklist, then the routing rules with it. */
    const onTsi = async (id: string): Promise<TrainedVerdict> => {
      tsi = id;
      if (opts.tsiBlocked?.(id)) {
        blocked = true; // the lockdown guard clears B3 right after this
        await noteTsi(db, r, id, undefined);
        return undefined;
      }
      const d = router.routeIncoming({ ...numbers, tsi: id });
      if (d.action === 'reject') {
        refused = { rule: d.rule, reason: d.reason };
        await noteTsi(db, r, id, undefined);
        return 'hang-up';
      }
      await noteTsi(db, r, id, d);
      return undefined;
    };

    const finish = async (result: FaxResult): Promise<Fax> => {
      if (!damaged && reader.bytesRead > 0) {
        try {
          // The page in progress when the stream stopped without a page end (remote abort).
          for (const p of reader.end()) await commitPage(db, r, p.page, p.quality);
        } catch (e) {
          if (!(e instanceof ContainerError)) throw e;
          damaged = e.message;
        }
      }
      // A card that gives the TSI only at the end: the rules still apply.
      if (tsi === undefined && result.remoteStationId) await onTsi(result.remoteStationId.trim());
      return finishReceive(db, r, receiveEnd(result, r.pages, { damaged, refused, blocked, tsi }));
    };

    return {
      action: 'accept',
      stationId,
      highResolution: true,
      onTrained: (t) => (t.remoteStationId ? onTsi(t.remoteStationId) : undefined),
      // Back-pressure: the DATA_B3_RESP waits until a page this chunk completed is committed.
      onData: async (chunk) => {
        if (damaged) return;
        let done: ReturnType<SffReader['push']>;
        try {
          done = reader.push(chunk);
        } catch (e) {
          damaged = e instanceof ContainerError ? e.message : String(e);
          return;
        }
        for (const p of done) await commitPage(db, r, p.page, p.quality);
      },
      onResult: (result) => {
        finish(result).then(
          (stored) => opts.onStored?.(stored),
          (e: Error) => opts.log?.error(`received fax ${fax.id}: could not store its end: ${e.message}`),
        );
      },
    };
  });
  return { stop };
}

/** How the call ended, for the fax row, recv.end and the RECV record. */
function receiveEnd(
  result: FaxResult,
  pages: number,
  why: {
    damaged: string | undefined;
    refused: { rule: string; reason: string } | undefined;
    blocked: boolean;
    tsi: string | undefined;
  },
): ReceiveEnd {
  const base = {
    remoteStationId: why.tsi ?? result.remoteStationId ?? null,
    rate: result.rate ?? null,
    conntimeSeconds: Math.round(result.durationMs / 1000),
    details: { call: result.cause.name, callClass: result.cause.class },
  };
  const fail = (cause: string, causeText: string): ReceiveEnd => ({
    ...base,
    ok: false,
    cause,
    causeText,
  });
  if (why.refused)
    return fail('rejected', `${why.refused.reason} (routing rule ${why.refused.rule} on the sender TSI)`);
  if (why.blocked) return fail('tsi-blocked', `sender TSI "${why.tsi}" is on the blocklist`);
  if (why.damaged)
    return fail('bad-document', `the received document is damaged: ${why.damaged}; ${pagesKept(pages)}`);
  if (!result.ok && pages > 0)
    return fail('partial', `receive ended early: ${result.cause.name}; ${pagesKept(pages)}`);
  if (!result.ok) return fail(result.cause.class, result.cause.name);
  if (pages === 0) return fail('bad-document', 'the sender sent no page');
  return { ...base, ok: true, cause: null, causeText: null };
}
