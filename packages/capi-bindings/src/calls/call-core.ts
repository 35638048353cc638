/**
 * What sending and receiving share: the call's state, answering indications on the way,
 * the orderly teardown (B3 first, then the physical connection), and the result.
 */
import { Info } from '../codec/constants.js';
import { type CallCause, callCause, isNormalClearing } from '../codec/info.js';
import type { CapiMessage, CapiMessageOf } from '../codec/messages.js';
import { type FaxNcpi, ncpiHighResolution, tryDecodeFaxNcpi } from '../codec/structs.js';
import { CallInbox } from './inbox.js';
import type { CapiSession } from './session.js';

export interface FaxTimeouts {
  /** CONNECT_REQ → CONNECT_ACTIVE_IND: dialling and ringing (default 90 s). */
  connectMs: number;
  /** CONNECT_B3_REQ/RESP → CONNECT_B3_ACTIVE_IND: fax training (default 60 s). */
  b3Ms: number;
  /** Longest wait for a DATA_B3_CONF or the next DATA_B3_IND (default 60 s). */
  blockMs: number;
  /** DISCONNECT_B3_REQ → DISCONNECT_B3_IND: the card finishes the last page (default 120 s). */
  disconnectB3Ms: number;
  /** Waiting for DISCONNECT_IND (default 30 s). */
  disconnectMs: number;
  /** REQ → CONF (default: the session's). */
  confMs?: number;
}

export const DEFAULT_FAX_TIMEOUTS: FaxTimeouts = {
  connectMs: 90_000,
  b3Ms: 60_000,
  blockMs: 60_000,
  disconnectB3Ms: 120_000,
  disconnectMs: 30_000,
};

export type CallPhase = 'setup' | 'connected' | 'b3' | 'data' | 'finishing' | 'done';

export interface FaxResult {
  /** The fax went through: B3 ended normally after the whole document. */
  ok: boolean;
  /**
   * Pages the remote confirmed: the NCPI page count of DISCONNECT_B3_IND; for a B3 4 send
   * whose card gave no final NCPI, the pages whose data the card confirmed (page ends; one
   * fewer when the call failed — the last may still have been on the line).
   */
  pages: number;
  /** Where `pages` comes from. */
  pagesFrom: 'ncpi' | 'page-ends';
  remoteStationId: string | undefined;
  /** bit/s from the NCPI. */
  rate: number | undefined;
  resolution: 'standard' | 'fine' | undefined;
  /** SFF bytes sent or received. */
  bytes: number;
  durationMs: number;
  /** The last phase reached. */
  phase: CallPhase;
  /** Stopped through the AbortSignal. */
  aborted: boolean;
  cause: CallCause;
  plci: number | undefined;
  ncci: number | undefined;
}

/** Per-call state and the moves both directions share. */
export class CallCore {
  readonly inbox: CallInbox;
  readonly started = Date.now();
  plci: number | undefined;
  ncci: number | undefined;
  /** PLCI still up (no DISCONNECT_IND yet). */
  plciUp = false;
  /** NCCI still up (no DISCONNECT_B3_IND yet). */
  ncciUp = false;
  reason = 0;
  reasonB3 = 0;
  info: number | undefined;
  ncpi: FaxNcpi | undefined;
  bytes = 0;
  phase: CallPhase = 'setup';
  aborted = false;
  completed = false;
  error: Error | undefined;
  /** DISCONNECT_B3_IND carried a fax NCPI (with the page count). */
  finalNcpi = false;
  /** Sending: pages whose data the card confirmed (SFF page ends), for a B3 4 call without a final NCPI. */
  pageEnds: (() => number) | undefined;

  constructor(
    readonly session: CapiSession,
    readonly b3: 4 | 5,
    readonly timeouts: FaxTimeouts,
    inbox?: CallInbox,
  ) {
    this.inbox = inbox ?? new CallInbox();
  }

  /** The session handler: answers what needs no decision, queues the rest. */
  readonly handler = (m: CapiMessage): void => {
    switch (m.name) {
      case 'INFO_IND':
      case 'FACILITY_IND':
      case 'MANUFACTURER_IND':
      case 'RESET_B3_IND':
      case 'CONNECT_B3_T90_ACTIVE_IND':
        this.session.answerOrphan(m);
        return;
      default:
        this.inbox.push(m);
    }
  };

  private readonly onDown = (e: Error): void => {
    this.plciUp = false;
    this.ncciUp = false;
    this.inbox.fail(e);
  };
  private watching = false;

  bind(plci: number): void {
    this.plci = plci;
    this.plciUp = true;
    this.session.bindPlci(plci, this.handler);
    if (!this.watching) {
      this.watching = true;
      this.session.on('down', this.onDown);
    }
  }

  /** Stops routing messages and watching the session. */
  dispose(): void {
    if (this.plci !== undefined) this.session.unbindPlci(this.plci);
    if (this.watching) this.session.off('down', this.onDown);
    this.watching = false;
  }

  noteNcpi(bytes: Uint8Array | undefined): void {
    const n = tryDecodeFaxNcpi(this.b3, bytes);
    if (!n) return;
    // Keep what a later, thinner NCPI leaves out.
    this.ncpi = {
      ...n,
      receiveId: n.receiveId || this.ncpi?.receiveId || '',
      rate: n.rate || this.ncpi?.rate || 0,
    };
  }

  /** Handles DISCONNECT_B3_IND / DISCONNECT_IND wherever they turn up. Returns true if it was one. */
  async onTerminal(m: CapiMessage): Promise<boolean> {
    if (m.name === 'DISCONNECT_B3_IND') {
      this.reasonB3 = m.reasonB3;
      if (tryDecodeFaxNcpi(this.b3, m.ncpi)) this.finalNcpi = true;
      this.noteNcpi(m.ncpi);
      this.ncciUp = false;
      await this.session.send({ name: 'DISCONNECT_B3_RESP', ncci: m.ncci }).catch(() => {});
      return true;
    }
    if (m.name === 'DISCONNECT_IND') {
      this.reason = m.reason;
      this.plciUp = false;
      this.ncciUp = false;
      await this.session.send({ name: 'DISCONNECT_RESP', plci: m.plci }).catch(() => {});
      return true;
    }
    return false;
  }

  /** Handles what already arrived (DATA_B3_IND answered, disconnects noted) without waiting. */
  async settleQueued(): Promise<void> {
    for (const m of this.inbox.drain(['DATA_B3_IND', 'DISCONNECT_B3_IND', 'DISCONNECT_IND'])) {
      if (m.name === 'DATA_B3_IND') {
        await this.session
          .send({ name: 'DATA_B3_RESP', ncci: m.ncci, dataHandle: m.dataHandle })
          .catch(() => {});
      } else await this.onTerminal(m);
    }
  }

  /**
   * Orderly end from any state: DISCONNECT_B3 first if B3 is up, then DISCONNECT; waits
   * (bounded) for the indications and answers them. Never throws.
   */
  async teardown(): Promise<void> {
    const t = this.timeouts;
    try {
      await this.settleQueued();
      if (this.ncciUp && this.ncci !== undefined && !this.session.isDown) {
        await this.session
          .request<'DISCONNECT_B3_REQ'>(
            { name: 'DISCONNECT_B3_REQ', ncci: this.ncci },
            { timeoutMs: t.confMs },
          )
          .catch(() => undefined);
        while (this.ncciUp) {
          const m = await this.inbox.next(
            ['DISCONNECT_B3_IND', 'DISCONNECT_IND', 'DATA_B3_IND'],
            t.disconnectMs,
            'teardown',
          );
          if (m.name === 'DATA_B3_IND') {
            await this.session
              .send({ name: 'DATA_B3_RESP', ncci: m.ncci, dataHandle: m.dataHandle })
              .catch(() => {});
          } else await this.onTerminal(m);
        }
      }
      await this.hangUp();
    } catch {
      // Timed out or the session died: the session answers whatever still comes.
    }
  }

  /** DISCONNECT_REQ (if still up) and the wait for DISCONNECT_IND. */
  async hangUp(waitFirstMs = 0): Promise<void> {
    await this.settleQueued();
    if (!this.plciUp || this.plci === undefined || this.session.isDown) return;
    if (waitFirstMs > 0) {
      const m = await this.inbox.next(['DISCONNECT_IND'], waitFirstMs, 'hang-up').catch(() => undefined);
      if (m) {
        await this.onTerminal(m);
        return;
      }
    }
    await this.session
      .request<'DISCONNECT_REQ'>(
        { name: 'DISCONNECT_REQ', plci: this.plci },
        { timeoutMs: this.timeouts.confMs },
      )
      .catch(() => undefined);
    while (this.plciUp) {
      const m = await this.inbox.next(
        ['DISCONNECT_IND', 'DISCONNECT_B3_IND', 'DATA_B3_IND'],
        this.timeouts.disconnectMs,
        'hang-up',
      );
      if (m.name === 'DATA_B3_IND') {
        await this.session
          .send({ name: 'DATA_B3_RESP', ncci: m.ncci, dataHandle: m.dataHandle })
          .catch(() => {});
      } else await this.onTerminal(m);
    }
  }

  result(): FaxResult {
    this.dispose();
    const ok = this.completed && !this.aborted && this.reasonB3 === 0 && this.info === undefined;
    // "Not in this state" / "illegal NCCI" for a DATA_B3_REQ that crossed the remote's hang-up
    // on the wire is a consequence of that hang-up: the Reason / Reason_B3 is the cause.
    const consequence =
      (this.info === Info.ILLEGAL_STATE || this.info === Info.ILLEGAL_IDENTIFIER) &&
      (!isNormalClearing(this.reasonB3) || !isNormalClearing(this.reason));
    let cause = callCause({
      info: consequence ? undefined : this.info,
      reason: this.reason,
      reasonB3: this.reasonB3,
      completed: ok,
    });
    if (this.aborted && cause.class === 'protocol-error')
      cause = { ...cause, name: 'stopped by us', class: 'local-error' };
    if (this.error && cause.class === 'protocol-error' && this.reason === 0 && this.reasonB3 === 0) {
      cause = { ...cause, name: this.error.message, class: 'local-error' };
    }
    let pages = this.ncpi?.pages ?? 0;
    let pagesFrom: FaxResult['pagesFrom'] = 'ncpi';
    if (this.b3 === 4 && !this.finalNcpi && this.pageEnds) {
      const ends = this.pageEnds();
      pages = ok ? ends : Math.max(0, ends - 1);
      pagesFrom = 'page-ends';
    }
    return {
      ok,
      pages,
      pagesFrom,
      remoteStationId: this.ncpi?.receiveId || undefined,
      rate: this.ncpi?.rate || undefined,
      resolution: this.ncpi ? (ncpiHighResolution(this.ncpi) ? 'fine' : 'standard') : undefined,
      bytes: this.bytes,
      durationMs: Date.now() - this.started,
      phase: this.phase,
      aborted: this.aborted,
      cause,
      plci: this.plci,
      ncci: this.ncci,
    };
  }
}

export type ConnectB3ActiveInd = CapiMessageOf<'CONNECT_B3_ACTIVE_IND'>;
