/**
 * Receiving faxes (capi-reference §8.3, incoming): CONNECT_IND → decision → CONNECT_RESP →
 * CONNECT_ACTIVE → CONNECT_B3 → CONNECT_B3_ACTIVE → DATA_B3_IND × n → DISCONNECT_B3 →
 * DISCONNECT. Every DATA_B3_IND is answered exactly once, after its data was handed on.
 */
import { FaxFormat, FaxOptions, Reject } from '../codec/constants.js';
import type { CapiMessageOf } from '../codec/messages.js';
import { encodeFaxNcpi, type FaxB3Config, faxBProtocol, ncpiHighResolution } from '../codec/structs.js';
import { CallCore, DEFAULT_FAX_TIMEOUTS, type FaxResult, type FaxTimeouts } from './call-core.js';
import { CallAbortedError } from './inbox.js';
import type { CapiSession } from './session.js';

export interface IncomingCall {
  plci: number;
  controller: number;
  cipValue: number;
  calledNumber: string;
  callingNumber: string;
  /** Presentation/screening byte of the calling number (0xA0 = restricted). */
  callingPresentation: number | undefined;
  ind: CapiMessageOf<'CONNECT_IND'>;
}

export interface AcceptDecision {
  action: 'accept';
  stationId: string;
  b3?: 4 | 5;
  headLine?: string;
  highResolution?: boolean;
  /** Extra B3 = 5 option bits. */
  options?: number;
  /**
   * Called once training is over (CONNECT_B3_ACTIVE_IND), with the sender's station id from
   * its NCPI; the CONNECT_B3_ACTIVE_RESP waits for it. `'hang-up'` ends the call there (a
   * sender the application will not take, e.g. by a TSI rule): B3 and the line are cleared
   * and the result says `aborted`.
   */
  onTrained?: (t: TrainedInfo) => TrainedVerdict | Promise<TrainedVerdict>;
  /** Receives the SFF as it arrives; the DATA_B3_RESP waits for it (back-pressure). */
  onData?: (chunk: Uint8Array) => void | Promise<void>;
  /** Called once with the outcome. */
  onResult?: (r: FaxResult) => void;
  signal?: AbortSignal;
  timeouts?: Partial<FaxTimeouts>;
}

/** What onTrained answers: `'hang-up'` ends the call, anything else lets the data come. */
export type TrainedVerdict = 'hang-up' | 'take' | undefined;

/** What training told us about the sender (NCPI of CONNECT_B3_ACTIVE_IND). */
export interface TrainedInfo {
  /** The sender's TSI, trimmed; undefined when it sent none. */
  remoteStationId: string | undefined;
  rate: number | undefined;
  resolution: 'standard' | 'fine' | undefined;
}

export type IncomingDecision =
  | AcceptDecision
  /** CONNECT_RESP Reject value: 2 normal clearing, 3 busy, 7 incompatible destination … */
  | { action: 'reject'; reject: number }
  /** Leave the call to other applications (Reject 1). */
  | { action: 'ignore' };

export interface ReceiveOptions {
  /** Bound for the decision callback (default 10 s; then the call is rejected). */
  decisionMs?: number;
  /** Called for every call that ends after being accepted. */
  onResult?: (r: FaxResult, call: IncomingCall) => void;
  onError?: (e: Error) => void;
}

/** Starts answering incoming calls on `session` with `decide`. Returns a function that stops it. */
export function receiveFaxes(
  session: CapiSession,
  decide: (call: IncomingCall) => IncomingDecision | Promise<IncomingDecision>,
  opts: ReceiveOptions = {},
): () => void {
  session.onIncomingCall((ind) => {
    // Bind at once: CONNECT_ACTIVE_IND and friends may already be in the same TCP chunk.
    const call = new CallCore(session, 4, { ...DEFAULT_FAX_TIMEOUTS, confMs: session.confTimeoutMs });
    call.bind(ind.plci);
    const info: IncomingCall = {
      plci: ind.plci,
      controller: ind.plci & 0x7f,
      cipValue: ind.cipValue,
      calledNumber: ind.calledPartyNumber?.digits ?? '',
      callingNumber: ind.callingPartyNumber?.digits ?? '',
      callingPresentation: ind.callingPartyNumber?.presentation,
      ind,
    };
    handleIncoming(session, call, info, decide, opts).then(
      (r) => {
        if (r) opts.onResult?.(r, info);
      },
      (e: Error) => opts.onError?.(e),
    );
  });
  return () => session.onIncomingCall(undefined);
}

function trainedInfo(call: CallCore): TrainedInfo {
  const n = call.ncpi;
  return {
    remoteStationId: n?.receiveId?.trim() || undefined,
    rate: n?.rate || undefined,
    resolution: n ? (ncpiHighResolution(n) ? 'fine' : 'standard') : undefined,
  };
}

async function decideBounded(
  decide: (call: IncomingCall) => IncomingDecision | Promise<IncomingDecision>,
  info: IncomingCall,
  ms: number,
): Promise<IncomingDecision> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      Promise.resolve().then(() => decide(info)),
      new Promise<IncomingDecision>((resolve) => {
        timer = setTimeout(() => resolve({ action: 'reject', reject: Reject.NORMAL_CLEARING }), ms);
      }),
    ]);
  } catch {
    return { action: 'reject', reject: Reject.NORMAL_CLEARING };
  } finally {
    clearTimeout(timer);
  }
}

async function handleIncoming(
  session: CapiSession,
  first: CallCore,
  info: IncomingCall,
  decide: (call: IncomingCall) => IncomingDecision | Promise<IncomingDecision>,
  opts: ReceiveOptions,
): Promise<FaxResult | undefined> {
  const d = await decideBounded(decide, info, opts.decisionMs ?? 10_000);
  if (d.action !== 'accept') {
    const reject = d.action === 'ignore' ? Reject.IGNORE : d.reject || Reject.NORMAL_CLEARING;
    await session.send({ name: 'CONNECT_RESP', plci: info.plci, reject }).catch(() => {});
    // A rejected call still ends with DISCONNECT_IND, which we answer.
    await first.hangUp(first.timeouts.disconnectMs).catch(() => {});
    first.dispose();
    return undefined;
  }
  const b3 = d.b3 ?? 4;
  const timeouts: FaxTimeouts = { ...DEFAULT_FAX_TIMEOUTS, confMs: session.confTimeoutMs, ...d.timeouts };
  // Re-create the core with the decided B3 and timeouts, keeping what was queued.
  first.dispose();
  const call = new CallCore(session, b3, timeouts, first.inbox);
  call.bind(info.plci);
  const signal = d.signal;
  const onAbort = () => {
    call.aborted = true;
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  const b3Config: FaxB3Config =
    b3 === 4
      ? {
          b3,
          resolution: d.highResolution ? 1 : 0,
          format: FaxFormat.SFF,
          stationId: d.stationId,
          headLine: d.headLine ?? '',
        }
      : {
          b3,
          options: (d.highResolution ? FaxOptions.HIGH_RESOLUTION : 0) | (d.options ?? 0),
          format: FaxFormat.SFF,
          stationId: d.stationId,
          headLine: d.headLine ?? '',
        };
  try {
    await session.send({
      name: 'CONNECT_RESP',
      plci: info.plci,
      reject: 0,
      bProtocol: faxBProtocol(b3Config),
      additionalInfo: {},
    });
    // CONNECT_ACTIVE_IND, then CONNECT_B3_IND (either order)
    let active = false;
    let b3Ind = false;
    while (!active || !b3Ind) {
      const m = await call.inbox.next(
        ['CONNECT_ACTIVE_IND', 'CONNECT_B3_IND', 'DISCONNECT_IND'],
        active ? timeouts.b3Ms : timeouts.connectMs,
        'incoming connect',
        signal,
      );
      if (await call.onTerminal(m)) return finish();
      if (m.name === 'CONNECT_ACTIVE_IND') {
        active = true;
        call.phase = 'connected';
        await session.send({ name: 'CONNECT_ACTIVE_RESP', plci: m.plci });
      } else if (m.name === 'CONNECT_B3_IND') {
        b3Ind = true;
        call.ncci = m.ncci;
        call.ncciUp = true;
        await session.send({
          name: 'CONNECT_B3_RESP',
          ncci: m.ncci,
          reject: 0,
          ncpi:
            b3 === 5 && b3Config.b3 === 5
              ? encodeFaxNcpi({ b3, rate: 0, options: b3Config.options, format: 0, pages: 0, receiveId: '' })
              : undefined,
        });
      }
    }
    // CONNECT_B3_ACTIVE_IND
    {
      const m = await call.inbox.next(
        ['CONNECT_B3_ACTIVE_IND', 'DISCONNECT_B3_IND', 'DISCONNECT_IND'],
        timeouts.b3Ms,
        'fax training',
        signal,
      );
      if (await call.onTerminal(m)) {
        await call.hangUp(timeouts.disconnectMs);
        return finish();
      }
      if (m.name === 'CONNECT_B3_ACTIVE_IND') {
        call.noteNcpi(m.ncpi);
        const verdict = await d.onTrained?.(trainedInfo(call));
        await session.send({ name: 'CONNECT_B3_ACTIVE_RESP', ncci: m.ncci });
        if (verdict === 'hang-up') {
          call.aborted = true;
          await call.teardown();
          return finish();
        }
      }
    }
    call.phase = 'data';
    // DATA_B3_IND until DISCONNECT_B3_IND
    while (call.ncciUp) {
      const m = await call.inbox.next(
        ['DATA_B3_IND', 'DISCONNECT_B3_IND', 'DISCONNECT_IND'],
        timeouts.blockMs,
        'fax data',
        signal,
      );
      if (await call.onTerminal(m)) break;
      if (m.name !== 'DATA_B3_IND') continue;
      let sinkError: Error | undefined;
      try {
        await d.onData?.(m.data);
        call.bytes += m.data.length;
      } catch (e) {
        sinkError = e as Error;
      }
      await session.send({ name: 'DATA_B3_RESP', ncci: m.ncci, dataHandle: m.dataHandle });
      if (sinkError) throw sinkError;
    }
    call.phase = 'finishing';
    call.completed = call.bytes > 0;
    // The remote (or the card) clears the call; we hang up if it does not.
    await call.hangUp(timeouts.disconnectMs);
    return finish();
  } catch (e) {
    if (e instanceof CallAbortedError) call.aborted = true;
    else call.error = e as Error;
    await call.teardown();
    return finish();
  } finally {
    signal?.removeEventListener('abort', onAbort);
    session.unbindPlci(info.plci);
  }

  function finish(): FaxResult {
    const r = call.result();
    d.action === 'accept' && d.onResult?.(r);
    return r;
  }
}
