// Wraps a registered CAPI application (either transport) so that every message it sends
// passes the guard, and every incoming call is screened before the application sees it.
import { EventEmitter } from 'node:events';
import {
  type CapiApplication,
  CapiCodecError,
  type CapiMessage,
  decodeMessage,
  encodeMessage,
  plciOf,
  tryDecodeFaxNcpi,
} from '@faxgate/capi-bindings';
import { LockdownViolationError } from './errors.js';
import { type GuardCounters, type LockdownEventSink, newCounters } from './events.js';
import { MessageGuard } from './guard.js';
import { decideIncoming, type IncomingContext, serviceName } from './incoming.js';
import { type LockdownPolicy, tsiBlocked } from './policy.js';

/**
 * Message numbers for the guard's own DISCONNECT_B3_REQ (a blocked TSI): the upper half of
 * the u16 range, which CapiSession never uses (it counts 1..0x7fff); their CONFs are kept
 * from the application.
 */
const OWN_MESSAGE_NUMBERS = 0x8000;

export interface LockdownOptions extends IncomingContext {
  policy: LockdownPolicy;
  /** Receives violations and rejected calls (the gateway appends them to the audit trail). */
  onEvent?: LockdownEventSink;
  /** Shared counters (one set per gateway, reported by `faxgate lockdown report`). */
  counters?: GuardCounters;
  /** Called when the event sink fails; the guard itself never fails open. */
  onSinkError?: (err: unknown) => void;
}

export class LockdownApplication extends EventEmitter implements CapiApplication {
  readonly counters: GuardCounters;
  private readonly guard: MessageGuard;
  /** Incoming calls we answered (PLCIs), where the sender's TSI is screened. */
  private readonly answered = new Set<number>();
  /** NCCIs whose sender has a blocked TSI: cleared once the application has answered. */
  private readonly blockedNccis = new Map<number, string>();
  private readonly ownRequests = new Set<number>();
  private nextOwn = 0;

  constructor(
    private readonly inner: CapiApplication,
    private readonly options: LockdownOptions,
  ) {
    super();
    this.counters = options.counters ?? newCounters();
    this.guard = new MessageGuard(options.policy);
    inner.on('message', (raw: Buffer, data?: Buffer) => this.onIncoming(raw, data));
    inner.on('down', (err: Error) => this.emit('down', err));
  }

  get applId(): number {
    return this.inner.applId;
  }

  async putMessage(raw: Buffer, data?: Uint8Array): Promise<void> {
    this.counters.checked++;
    let msg: CapiMessage;
    try {
      msg = decodeMessage(raw, data);
    } catch (e) {
      const why = e instanceof CapiCodecError ? e.message : String(e);
      this.refuse('malformed', 'unknown', `the message does not decode: ${why}`);
    }
    const verdict = this.guard.check(msg);
    if (verdict) this.refuse(verdict.rule, msg.name, verdict.reason, msg);
    await this.inner.putMessage(raw, data);
    this.counters.allowed++;
    this.guard.observeSent(msg);
    if (msg.name === 'CONNECT_RESP' && (msg.reject ?? 0) === 0) this.answered.add(msg.plci);
    if (msg.name === 'CONNECT_B3_ACTIVE_RESP' && this.blockedNccis.has(msg.ncci)) {
      await this.clearBlockedSender(msg.applId, msg.ncci);
    }
  }

  /** M 4.37: a sender whose TSI is on the blocklist is cut off right after training. */
  private async clearBlockedSender(applId: number, ncci: number): Promise<void> {
    this.blockedNccis.delete(ncci);
    const messageNumber = OWN_MESSAGE_NUMBERS + (this.nextOwn++ & 0x7fff);
    this.ownRequests.add(messageNumber);
    await this.inner.putMessage(encodeMessage({ name: 'DISCONNECT_B3_REQ', applId, messageNumber, ncci }));
  }

  release(): Promise<void> {
    return this.inner.release();
  }

  private refuse(rule: string, name: string, reason: string, msg?: CapiMessage): never {
    this.counters.refused++;
    this.counters.refusedByRule[rule] = (this.counters.refusedByRule[rule] ?? 0) + 1;
    const address = msg && 'plci' in msg ? msg.plci : msg && 'ncci' in msg ? msg.ncci : undefined;
    this.report({ type: 'lockdown.violation', details: { rule, message: name, reason, address } });
    throw new LockdownViolationError(rule, name, reason);
  }

  private onIncoming(raw: Buffer, data?: Buffer): void {
    let msg: CapiMessage | undefined;
    try {
      msg = decodeMessage(raw, data);
    } catch {
      msg = undefined; // the application's own decoder reports it
    }
    if (msg) this.guard.observeIncoming(msg);
    if (msg?.name === 'DISCONNECT_B3_CONF' && this.ownRequests.delete(msg.messageNumber)) return;
    if (msg?.name === 'DISCONNECT_IND') this.answered.delete(msg.plci);
    if (msg?.name === 'CONNECT_B3_ACTIVE_IND' && this.answered.has(plciOf(msg.ncci))) this.screenTsi(msg);
    if (msg?.name === 'CONNECT_IND') {
      const decision = decideIncoming(this.options.policy, msg, this.options);
      if (decision.action === 'reject') {
        this.rejectCall(msg, decision.reject, decision.rule, decision.reason);
        return; // the application never sees a call it may not take
      }
      this.counters.callsOffered++;
    }
    this.emit('message', raw, data);
  }

  private screenTsi(ind: Extract<CapiMessage, { name: 'CONNECT_B3_ACTIVE_IND' }>): void {
    const b3 = this.guard.b3Of(plciOf(ind.ncci)) === 5 ? 5 : 4;
    const tsi = tryDecodeFaxNcpi(b3, ind.ncpi)?.receiveId?.trim();
    if (!tsi || !tsiBlocked(this.options.policy, tsi)) return;
    this.blockedNccis.set(ind.ncci, tsi);
    this.countRejected('tsi-blocked');
    this.report({
      type: 'lockdown.call_rejected',
      details: {
        rule: 'tsi-blocked',
        reason: `sender TSI "${tsi}" is on the blocklist`,
        ncci: ind.ncci,
        tsi,
      },
    });
  }

  private rejectCall(
    ind: Extract<CapiMessage, { name: 'CONNECT_IND' }>,
    reject: number,
    rule: string,
    reason: string,
  ) {
    this.countRejected(rule);
    const resp = encodeMessage({
      name: 'CONNECT_RESP',
      applId: ind.applId,
      messageNumber: ind.messageNumber,
      plci: ind.plci,
      reject,
    });
    // The event is written with the action: the reject goes out once the sink has it (or
    // failed, or took longer than REJECT_RECORD_WAIT_MS — the call is refused either way,
    // and the exchange expects the answer within seconds), so whoever sees the rejection
    // also finds it on record.
    const recorded = this.report({
      type: 'lockdown.call_rejected',
      details: {
        rule,
        reason,
        reject,
        plci: ind.plci,
        service: serviceName(ind.cipValue ?? 0),
        cip: ind.cipValue ?? 0,
        called: ind.calledPartyNumber?.digits ?? '',
        caller: ind.callingPartyNumber?.digits ?? '',
      },
    });
    void boundedWait(recorded, REJECT_RECORD_WAIT_MS)
      .then(() => this.inner.putMessage(resp))
      .then(
        () => this.guard.observeSent(decodeMessage(resp)),
        (err: unknown) => this.emit('down', err instanceof Error ? err : new Error(String(err))),
      );
  }

  private countRejected(rule: string): void {
    this.counters.callsRejected++;
    this.counters.callsRejectedByRule[rule] = (this.counters.callsRejectedByRule[rule] ?? 0) + 1;
  }

  /** Hands the event to the sink; resolves when the sink settled (never rejects). */
  private report(event: Parameters<LockdownEventSink>[0]): Promise<void> {
    const sink = this.options.onEvent;
    if (!sink) return Promise.resolve();
    try {
      return Promise.resolve(sink(event)).catch((e: unknown) => this.options.onSinkError?.(e));
    } catch (e) {
      this.options.onSinkError?.(e);
      return Promise.resolve();
    }
  }
}

/** How long a call's reject waits for its audit event to be written. */
const REJECT_RECORD_WAIT_MS = 2000;

function boundedWait(p: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
