// The incoming path: CONNECT_IND (already screened by the lockdown guard) → router → accept →
// SFF decoded as it arrives → pages stored as MMR TIFF with the audit event and the receive
// log record in one transaction (ARCHITECTURE.md, "Incoming").
import { appendAuditEvent, recordXfer } from '@faxgate/audit';
import { type CapiSession, type FaxResult, type IncomingCall, receiveFaxes } from '@faxgate/capi-bindings';
import { type BilevelPage, ContainerError, SffReader } from '@faxgate/fax-core';
import type { Router } from '@faxgate/router';
import { type Db, type Fax, faxes, faxPages, inTransaction } from '@faxgate/store';
import type { Logger } from '../logger.js';
import { encodePages, LPI } from '../pipeline/pages.js';

export interface ReceiverOptions {
  db: Db;
  /** A session on a locked-down transport: non-fax and forbidden calls never reach us. */
  session: CapiSession;
  /** Picks the mailbox (or a rejection) for each call. */
  router: Pick<Router<{ id: number; name: string }>, 'routeIncoming'>;
  /** Our T.30 station id (CSI), at most 20 characters. */
  stationId: string;
  log?: Logger;
  /** Who the audit trail names for received faxes. */
  actor?: string;
  /** Called once a received fax is stored (for notifications and tests). */
  onStored?: (fax: Fax) => void;
}

export interface Receiver {
  /** Stops taking calls; calls in progress finish. */
  stop(): void;
}

/** Reject value for a call the routing rules refuse (normal call clearing, not answered). */
const ROUTING_REJECT = 2;

export function startReceiver(opts: ReceiverOptions): Receiver {
  const { db, session, router, stationId } = opts;
  const actor = opts.actor ?? 'gateway';
  const stop = receiveFaxes(session, async (call) => {
    const route = router.routeIncoming({ called: call.calledNumber, caller: call.callingNumber });
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
        metadata: { rule: route.rule, cip: call.cipValue },
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
    const reader = new SffReader({ requireEnd: false });
    const pages: BilevelPage[] = [];
    let damaged: string | undefined;
    return {
      action: 'accept',
      stationId,
      highResolution: true,
      onData: (chunk) => {
        if (damaged) return;
        try {
          for (const p of reader.push(chunk)) pages.push(p.page);
        } catch (e) {
          damaged = e instanceof ContainerError ? e.message : String(e);
        }
      },
      onResult: (result) => {
        if (!damaged) {
          try {
            for (const p of reader.end()) pages.push(p.page);
          } catch (e) {
            damaged = e instanceof ContainerError ? e.message : String(e);
          }
        }
        store(opts, actor, fax, call, result, pages, damaged, started).then(
          (stored) => opts.onStored?.(stored),
          (e: Error) => opts.log?.error(`received fax ${fax.id}: could not store it: ${e.message}`),
        );
      },
    };
  });
  return { stop };
}

/** Pages, fax state, audit event and RECV record: one transaction, all or nothing. */
async function store(
  opts: ReceiverOptions,
  actor: string,
  fax: Fax,
  call: IncomingCall,
  result: FaxResult,
  pages: BilevelPage[],
  damaged: string | undefined,
  started: Date,
): Promise<Fax> {
  const ok = result.ok && !damaged && pages.length > 0;
  const cause = damaged ? 'bad-document' : result.cause.class;
  const causeText = damaged ? `the received document is damaged: ${damaged}` : result.cause.name;
  return inTransaction(opts.db, async (trx) => {
    if (pages.length > 0) for (const row of encodePages(pages)) await faxPages.add(trx, fax.id, row);
    const updated = await faxes.updateState(
      trx,
      fax.id,
      ok ? 'received' : 'failed',
      {
        remoteStationId: result.remoteStationId ?? null,
        pagesTotal: pages.length,
        pagesDone: pages.length,
        resolution: pages.length ? LPI[pages[0].resolution] : null,
        completedAt: new Date(),
        cause: ok ? null : cause,
        causeText: ok ? null : causeText,
      },
      { from: ['receiving'] },
    );
    await appendAuditEvent(trx, {
      type: 'recv.end',
      actor,
      subject: `fax:${fax.id}`,
      faxId: fax.id,
      mailboxId: fax.mailboxId,
      details: {
        ok,
        pages: pages.length,
        remoteStationId: result.remoteStationId ?? null,
        cause,
        rate: result.rate ?? null,
      },
    });
    await recordXfer(trx, {
      type: 'RECV',
      time: started,
      commid: `r${fax.id}`,
      device: `capi${call.controller}`,
      jobid: String(fax.id),
      sender: 'fax',
      dest: fax.localNumber ?? call.calledNumber,
      remoteStation: result.remoteStationId ?? '',
      npages: pages.length,
      jobtimeSeconds: Math.round((Date.now() - started.getTime()) / 1000),
      conntimeSeconds: Math.round(result.durationMs / 1000),
      reason: ok ? '' : causeText,
      cidNumber: call.callingNumber,
      faxId: fax.id,
      mailboxId: fax.mailboxId,
      resultCode: ok ? 'ok' : cause,
    });
    return updated;
  });
}
