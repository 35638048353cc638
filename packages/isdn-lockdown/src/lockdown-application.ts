// Wraps a registered CAPI application (either transport) so that every message it sends
// passes the guard, and every incoming call is screened before the application sees it.
import { EventEmitter } from 'node:events';
import {
  type CapiApplication,
  CapiCodecError,
  type CapiMessage,
  decodeMessage,
  encodeMessage,
} from '@faxgate/capi-bindings';
import { LockdownViolationError } from './errors.js';
import { type GuardCounters, type LockdownEventSink, newCounters } from './events.js';
import { MessageGuard } from './guard.js';
import { decideIncoming, type IncomingContext, serviceName } from './incoming.js';
import type { LockdownPolicy } from './policy.js';

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

  private rejectCall(
    ind: Extract<CapiMessage, { name: 'CONNECT_IND' }>,
    reject: number,
    rule: string,
    reason: string,
  ) {
    this.counters.callsRejected++;
    this.counters.callsRejectedByRule[rule] = (this.counters.callsRejectedByRule[rule] ?? 0) + 1;
    const resp = encodeMessage({
      name: 'CONNECT_RESP',
      applId: ind.applId,
      messageNumber: ind.messageNumber,
      plci: ind.plci,
      reject,
    });
    this.report({
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
    this.inner.putMessage(resp).then(
      () => this.guard.observeSent(decodeMessage(resp)),
      (err: unknown) => this.emit('down', err instanceof Error ? err : new Error(String(err))),
    );
  }

  private report(event: Parameters<LockdownEventSink>[0]): void {
    const sink = this.options.onEvent;
    if (!sink) return;
    try {
      Promise.resolve(sink(event)).catch((e: unknown) => this.options.onSinkError?.(e));
    } catch (e) {
      this.options.onSinkError?.(e);
    }
  }
}
