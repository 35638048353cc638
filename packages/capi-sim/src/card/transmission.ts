// Fax transmission: the application sends an SFF document with DATA_B3_REQ and a remote fax
// machine (a party) receives it. Each block crosses the line at the negotiated rate before
// its DATA_B3_CONF; the SFF is checked as it arrives (a coding error ends B3 with 0x3319, a
// fine page to a standard-only machine with 0x3313); the machine keeps what it got.
import { Info, Reason } from '@faxgate/capi-bindings';
import type { BilevelPage, SffPageInfo } from '@faxgate/fax-core';
import type { PartyBehaviour } from '../config.js';
import { decodeWatched, SffCodingError, SffWatcher } from '../fax/sff.js';
import type { CallOutcome } from '../observe/counters.js';
import { lineMs } from '../timing.js';
import type { LineCall, Ncci } from './model.js';
import { finalNcpi } from './ncpi.js';
import type { CardState, ReqHeader } from './state.js';
import { b3Ends, remoteHangsUp } from './teardown.js';

/** What a receiving remote fax machine got. */
export interface ReceivedFax {
  callId: number;
  from: string;
  to: string;
  /** Every byte of SFF the machine received. */
  sff: Buffer;
  /** The pages it got (complete pages only), decoded from `sff` when first read. */
  readonly pages: BilevelPage[];
  /** pages.length, without decoding them. */
  pageCount: number;
  /** true when the document ended normally (Reason_B3 0). */
  complete: boolean;
  reasonB3: number;
  rate: number;
  fine: boolean;
  receivedAt: number;
}

interface Block {
  handle: number;
  h: ReqHeader;
  data: Buffer;
}

/** The application sends a fax; the remote machine (a party) receives it. */
export class FaxTransmission {
  private readonly queue: Block[] = [];
  private busy = false;
  private finishing = false;
  private aborted = false;
  private stored = false;
  private readonly watcher = new SffWatcher();

  constructor(
    private readonly card: CardState,
    private readonly call: LineCall,
    private readonly ncci: Ncci,
    private readonly party: Extract<PartyBehaviour, { kind: 'fax' }>,
    private readonly rate: number,
    private readonly fine: boolean,
  ) {}

  get queued(): number {
    return this.queue.length + (this.busy ? 1 : 0);
  }

  enqueue(handle: number, messageNumber: number, applId: number, data: Buffer): void {
    this.queue.push({ handle, h: { applId, messageNumber }, data });
    this.pump();
  }

  /** DISCONNECT_B3_REQ: send what is queued, then end the document. */
  finish(): void {
    this.finishing = true;
    this.pump();
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.queue.length = 0;
    // Whatever arrived is what the remote machine got.
    if (this.watcher.byteCount > 0 || this.watcher.pageCount > 0)
      this.store(false, this.call.record.reasonB3 ?? Reason.FAX_LOCAL_ABORT);
  }

  private pump(): void {
    if (this.busy || this.aborted) return;
    const block = this.queue.shift();
    if (!block) {
      if (this.finishing) this.end();
      return;
    }
    this.busy = true;
    let completed: SffPageInfo[];
    try {
      completed = this.watcher.push(block.data);
    } catch (e) {
      if (e instanceof SffCodingError) {
        this.fail(Reason.FAX_ILLEGAL_PARAMETER_CODING, 'sff-error');
        return;
      }
      throw e;
    }
    const before = this.call.record.pages;
    for (const page of completed) {
      if (page.resolution !== 'standard' && this.party.fine === false) {
        this.fail(Reason.FAX_DISCONNECT_BEFORE_TRANSFER, 'mode-refused');
        return;
      }
      this.call.record.pages++;
    }
    const k = this.party.hangUpAfterPage;
    if (
      k !== undefined &&
      this.call.record.pages >= k &&
      !this.watcher.complete &&
      this.call.record.pages > before
    ) {
      // The remote machine stops after page k; it keeps what it got.
      this.call.record.pages = k;
      this.fail(Reason.FAX_REMOTE_ABORT, 'remote-abort', true);
      return;
    }
    const t = this.card.timings;
    const ms = lineMs(block.data.length, this.rate) + completed.length * t.pageEndMs;
    this.call.record.lineMs += ms;
    const pagesNow = this.call.record.pages;
    this.card.after(this.call, ms, () => {
      this.busy = false;
      if (this.aborted) return;
      if (completed.length > 0) this.card.emit('page', this.call.record.to, pagesNow);
      this.card.conf(this.ncci.view.app, block.h, {
        name: 'DATA_B3_CONF',
        ncci: this.ncci.id,
        dataHandle: block.handle,
        info: Info.OK,
      });
      this.pump();
    });
  }

  private end(): void {
    let last: SffPageInfo[];
    const whole = this.watcher.complete;
    try {
      last = this.watcher.end();
    } catch (e) {
      if (e instanceof SffCodingError) {
        this.fail(Reason.FAX_ILLEGAL_PARAMETER_CODING, 'sff-error');
        return;
      }
      throw e;
    }
    if (!whole) {
      // DISCONNECT_B3_REQ before the end-of-document record, between two records: the
      // application stopped the transfer. The page in progress is lost.
      this.fail(Reason.FAX_LOCAL_ABORT, 'local-abort');
      return;
    }
    for (const page of last) {
      if (page.resolution !== 'standard' && this.party.fine === false) {
        this.fail(Reason.FAX_DISCONNECT_BEFORE_TRANSFER, 'mode-refused');
        return;
      }
      this.call.record.pages++;
    }
    const t = this.card.timings;
    const ms = last.length * t.pageEndMs + t.releaseMs;
    this.call.record.lineMs += ms;
    this.busy = true;
    this.card.after(this.call, ms, () => {
      this.aborted = true;
      const pages = this.call.record.pages;
      if (last.length > 0) this.card.emit('page', this.call.record.to, pages);
      this.store(true, Reason.NORMAL);
      b3Ends(this.card, this.ncci, Reason.NORMAL, 'completed', finalNcpi(this.card, this.call, pages));
    });
  }

  /** The transfer fails: B3 ends with reasonB3; a remote abort also hangs up the line. */
  private fail(reasonB3: number, outcome: CallOutcome, hangUp = false): void {
    this.aborted = true;
    this.queue.length = 0;
    this.call.record.reasonB3 = reasonB3;
    this.store(false, reasonB3);
    b3Ends(this.card, this.ncci, reasonB3, outcome, finalNcpi(this.card, this.call, this.call.record.pages));
    if (hangUp) remoteHangsUp(this.card, this.call, outcome, Reason.NORMAL_CLEARING);
  }

  private store(complete: boolean, reasonB3: number): void {
    if (this.stored) return;
    this.stored = true;
    const rec = this.call.record;
    const doc = this.watcher.document(complete ? undefined : rec.pages);
    let pages: BilevelPage[] | undefined;
    this.card.deliver(rec.to, {
      callId: rec.id,
      from: rec.from,
      to: rec.to,
      sff: doc.bytes,
      // decoded when someone looks: a bench run never does, and a page is 0.5 MB of pixels
      get pages() {
        pages ??= decodeWatched(doc);
        return pages;
      },
      pageCount: doc.pages,
      complete,
      reasonB3,
      rate: this.rate,
      fine: this.fine,
      receivedAt: Date.now(),
    });
  }
}
