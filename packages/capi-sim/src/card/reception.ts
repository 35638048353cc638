// Fax reception: a remote fax machine calls and sends its SFF document; the application
// receives it with DATA_B3_IND. Blocks leave at line speed, never more outstanding than
// MaxBDataBlocks and never across a page end, so the page count, a hang-up after page k
// (Reason_B3 0x3314) and a sender that holds the line after page k stay exact.
import { Reason } from '@faxgate/capi-bindings';
import { lineMs } from '../timing.js';
import type { LineCall, Ncci } from './model.js';
import { finalNcpi } from './ncpi.js';
import type { CardState } from './state.js';
import { b3Ends, remoteHangsUp } from './teardown.js';

/** A remote fax (or other) caller for an incoming call. */
export interface SenderPlan {
  from: string;
  to: string;
  cip: number;
  /** true: a fax machine calls (T.30 answers); false: speech, data, video … */
  fax: boolean;
  /** The SFF stream to transmit (fax only). */
  sff?: Buffer;
  pageEnds?: number[];
  fine?: boolean;
  csi: string;
  rate: number;
  hangUpAfterPage?: number;
  /**
   * The sender stops after page k — its last row and the first byte of the next page header
   * sent, so a receiver knows page k is complete — and stays on the line without sending.
   */
  holdAfterPage?: number;
  /** Type/plan byte of the calling party number (default 0x21: national, ISDN plan). */
  callerTypePlan?: number;
  /** Offer the call to every registered application, LISTEN or not. */
  ignoreListen?: boolean;
  /** Preferred controller (else from the number plan). */
  controller?: number;
}

/** DataHandles are 16-bit and never 0. */
const MAX_HANDLE = 0xffff;

/** A remote sender calls; the application receives (DATA_B3_IND). */
export class FaxReception {
  rate = 14400;
  private offset = 0;
  private nextHandle = 1;
  private readonly outstanding = new Set<number>();
  private sending = false;
  private aborted = false;
  private started = false;
  private pagesSent = 0;
  private hangUpPending = false;

  constructor(
    private readonly card: CardState,
    private readonly call: LineCall,
    readonly plan: SenderPlan,
  ) {}

  /** CONNECT_B3_ACTIVE_RESP: the sender starts. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.pump();
  }

  abort(): void {
    this.aborted = true;
  }

  /** DATA_B3_RESP for a block. */
  resp(handle: number): void {
    if (!this.outstanding.delete(handle)) return;
    const ncci = this.call.owner?.ncci;
    if (this.hangUpPending && ncci) {
      this.abortWhenDrained(ncci);
      return;
    }
    this.pump();
  }

  private pump(): void {
    if (this.aborted || this.sending) return;
    const ncci = this.call.owner?.ncci;
    if (ncci?.state !== 'active') return;
    const app = ncci.view.app;
    const sff = this.plan.sff ?? Buffer.alloc(0);
    const ends = this.plan.pageEnds ?? [];
    if (this.offset >= sff.length) {
      if (this.outstanding.size === 0) this.finish(ncci);
      return;
    }
    if (this.outstanding.size >= app.maxBDataBlocks) return;
    const k = this.plan.hangUpAfterPage;
    const h = this.plan.holdAfterPage;
    // Held: page h and the FE of the next page header are out, nothing more comes.
    const holdAt = h !== undefined && h >= 1 && h <= ends.length ? ends[h - 1] + 1 : undefined;
    if (holdAt !== undefined && this.offset >= holdAt) return;
    // Never cut across a page end: the page count and a hang-up after page k stay exact.
    const nextEnd = Math.min(ends.find((e) => e > this.offset) ?? sff.length, holdAt ?? sff.length);
    const len = Math.min(app.maxBDataLen, nextEnd - this.offset);
    const block = sff.subarray(this.offset, this.offset + len);
    const endsPage = this.offset + len === nextEnd && ends.includes(nextEnd);
    const ms = lineMs(len, this.rate) + (endsPage ? this.card.timings.pageEndMs : 0);
    this.call.record.lineMs += ms;
    this.sending = true;
    this.card.after(this.call, ms, () => {
      this.sending = false;
      if (this.aborted || ncci.state !== 'active') return;
      const handle = this.nextHandle;
      this.nextHandle = (this.nextHandle + 1) & MAX_HANDLE || 1;
      this.outstanding.add(handle);
      this.offset += len;
      this.card.ind<'DATA_B3_IND'>(ncci.view.app, {
        name: 'DATA_B3_IND',
        ncci: ncci.id,
        dataHandle: handle,
        data: block,
        flags: 0,
      });
      if (endsPage) {
        this.pagesSent++;
        this.call.record.pages = this.pagesSent;
        if (k !== undefined && this.pagesSent >= k && this.offset < sff.length) {
          this.aborted = true;
          this.hangUpPending = true;
          this.abortWhenDrained(ncci);
          return;
        }
      }
      this.pump();
    });
  }

  /** The remote sender hangs up after page k, once the application answered the blocks it has. */
  private abortWhenDrained(ncci: Ncci): void {
    if (this.outstanding.size > 0 || ncci.state !== 'active') return;
    this.hangUpPending = false;
    b3Ends(
      this.card,
      ncci,
      Reason.FAX_REMOTE_ABORT,
      'remote-abort',
      finalNcpi(this.card, this.call, this.pagesSent),
    );
    remoteHangsUp(this.card, this.call, 'remote-abort', Reason.NORMAL_CLEARING);
  }

  private finish(ncci: Ncci): void {
    this.aborted = true;
    const ms = this.card.timings.releaseMs;
    this.call.record.lineMs += ms;
    this.card.after(this.call, ms, () => {
      if (ncci.state !== 'active') return;
      b3Ends(this.card, ncci, Reason.NORMAL, 'completed', finalNcpi(this.card, this.call, this.pagesSent));
      remoteHangsUp(this.card, this.call, 'completed', Reason.NORMAL_CLEARING);
    });
  }
}
