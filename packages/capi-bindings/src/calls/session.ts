/**
 * CapiSession: one registered application. Numbers outgoing messages, pairs CONFs with their
 * REQs, routes indications to the call that owns the PLCI (NCCIs carry their PLCI in the low
 * 16 bits), and answers every indication nobody owns so the card never waits for us.
 */
import { EventEmitter } from 'node:events';
import { FAX_CIP_MASK } from '../codec/constants.js';
import { CapiCodecError } from '../codec/errors.js';
import {
  type CapiMessage,
  type CapiMessageBody,
  type CapiMessageOf,
  decodeMessage,
  decodeMessageRaw,
  encodeMessage,
  type MessageName,
} from '../codec/messages.js';
import { GuardedApplication } from '../guards/guarded-application.js';
import { CapiDownError, CapiInfoError, CapiTimeoutError } from '../transport/errors.js';
import type { CapiTransport, RegisterParams } from '../transport/types.js';

export type CallHandler = (msg: CapiMessage) => void;
export type IncomingCallHandler = (ind: CapiMessageOf<'CONNECT_IND'>) => void;

type ConfName = Extract<MessageName, `${string}_CONF`>;
type ReqName = Extract<MessageName, `${string}_REQ`>;
type ConfOf<R extends ReqName> = R extends `${infer B}_REQ`
  ? CapiMessageOf<Extract<`${B}_CONF`, ConfName>>
  : never;

interface Pending {
  resolve: (m: CapiMessage) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
  /** Bound synchronously when the CONF arrives (before any later message is dispatched). */
  bind?: CallHandler;
}

export interface SessionOptions extends Partial<RegisterParams> {
  /** Bound for every REQ → CONF (default 10 s). */
  confTimeoutMs?: number;
}

export class CapiSession extends EventEmitter<{
  down: [Error];
  warning: [string];
  message: ['in' | 'out', CapiMessage];
}> {
  private nextNumber = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly calls = new Map<number, CallHandler>();
  private incoming: IncomingCallHandler | undefined;
  private downError: Error | undefined;
  readonly confTimeoutMs: number;

  private constructor(
    readonly app: GuardedApplication,
    opts: SessionOptions,
  ) {
    super();
    // Every running call watches 'down': up to MaxLogicalConnection listeners are expected.
    this.setMaxListeners(0);
    this.confTimeoutMs = opts.confTimeoutMs ?? 10_000;
    app.on('message', (raw: Buffer, data?: Buffer) => this.dispatch(raw, data));
    app.on('warning', (w: string) => this.emit('warning', w));
    app.on('down', (e: Error) => this.fail(e));
  }

  /** Registers an application on `transport` (defaults: 30 connections, 7 blocks of 2048 bytes). */
  static async open(transport: CapiTransport, opts: SessionOptions = {}): Promise<CapiSession> {
    const params: RegisterParams = {
      maxLogicalConnection: opts.maxLogicalConnection ?? 30,
      maxBDataBlocks: opts.maxBDataBlocks ?? 7,
      maxBDataLen: opts.maxBDataLen ?? 2048,
    };
    const app = await transport.register(params);
    return new CapiSession(new GuardedApplication(app, params), opts);
  }

  get applId(): number {
    return this.app.applId;
  }

  get params(): RegisterParams {
    return this.app.params;
  }

  get isDown(): boolean {
    return this.downError !== undefined;
  }

  get error(): Error | undefined {
    return this.downError;
  }

  private number(): number {
    const n = this.nextNumber;
    this.nextNumber = n >= 0x7fff ? 1 : n + 1;
    return n;
  }

  /** Sends a message that expects no CONF (RESPs). */
  async send(body: CapiMessageBody): Promise<void> {
    if (this.downError) throw this.downError;
    const msg = { ...body, applId: this.applId, messageNumber: this.number() } as CapiMessage;
    this.emit('message', 'out', msg);
    await this.app.putMessage(encodeMessage(msg));
  }

  /**
   * Sends a REQ and resolves with its CONF (matched by message number). `bind` attaches a
   * call handler to the PLCI of the CONF the moment it arrives.
   */
  request<R extends ReqName>(
    body: CapiMessageBody<R>,
    opts: { timeoutMs?: number; bind?: CallHandler } = {},
  ): Promise<ConfOf<R>> {
    if (this.downError) return Promise.reject(this.downError);
    const messageNumber = this.number();
    const msg = { ...body, applId: this.applId, messageNumber } as CapiMessage;
    const timeoutMs = opts.timeoutMs ?? this.confTimeoutMs;
    return new Promise<ConfOf<R>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(messageNumber);
        reject(new CapiTimeoutError(`${msg.name}: no CONF within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(messageNumber, {
        resolve: resolve as (m: CapiMessage) => void,
        reject,
        timer,
        bind: opts.bind,
      });
      this.emit('message', 'out', msg);
      this.app.putMessage(encodeMessage(msg)).catch((e: Error) => {
        const p = this.pending.get(messageNumber);
        if (!p) return;
        clearTimeout(p.timer);
        this.pending.delete(messageNumber);
        reject(e);
      });
    });
  }

  /** Routes every message whose address has this PLCI (low 16 bits) to `handler`. */
  bindPlci(plci: number, handler: CallHandler): void {
    this.calls.set(plci & 0xffff, handler);
  }

  unbindPlci(plci: number): void {
    this.calls.delete(plci & 0xffff);
  }

  /** Handler for CONNECT_IND; it must answer (CONNECT_RESP) through `answerCall` or `send`. */
  onIncomingCall(handler: IncomingCallHandler | undefined): void {
    this.incoming = handler;
  }

  /** LISTEN_REQ on a controller (CIP mask 0 = listen for nothing: outgoing-only). */
  async listen(controller: number, cipMask = FAX_CIP_MASK, infoMask = 0): Promise<void> {
    const conf = await this.request<'LISTEN_REQ'>({
      name: 'LISTEN_REQ',
      controller,
      infoMask,
      cipMask,
      cipMask2: 0,
    });
    if (conf.info !== 0) throw new CapiInfoError('LISTEN_REQ', conf.info);
  }

  private dispatch(raw: Buffer, data?: Buffer): void {
    let msg: CapiMessage;
    try {
      msg = decodeMessage(raw, data);
    } catch (e) {
      this.emit('warning', `undecodable message: ${(e as Error).message}`);
      if (e instanceof CapiCodecError) this.answerMalformed(raw, data);
      return;
    }
    this.emit('message', 'in', msg);
    if (msg.name.endsWith('_CONF')) {
      const p = msg.name === 'DATA_B3_CONF' ? undefined : this.pending.get(msg.messageNumber);
      if (p) {
        clearTimeout(p.timer);
        this.pending.delete(msg.messageNumber);
        if (p.bind && msg.name === 'CONNECT_CONF' && msg.info === 0) this.bindPlci(msg.plci, p.bind);
        p.resolve(msg);
        return;
      }
      if (msg.name === 'CONNECT_CONF' && msg.info === 0 && !this.calls.has(msg.plci & 0xffff)) {
        // A CONF that came after its request timed out: nobody owns the PLCI, so free it.
        this.emit('warning', `late CONNECT_CONF for PLCI 0x${msg.plci.toString(16)}: disconnecting`);
        this.request<'DISCONNECT_REQ'>({ name: 'DISCONNECT_REQ', plci: msg.plci }).catch(() => {});
        return;
      }
      // DATA_B3_CONF (matched by DataHandle) and stray CONFs go to the call that owns the address.
    }
    if (msg.name === 'CONNECT_IND' && this.incoming && !this.calls.has(msg.plci & 0xffff)) {
      this.incoming(msg);
      return;
    }
    const addr =
      (msg as { plci?: number; ncci?: number; address?: number; controller?: number }).plci ??
      (msg as { ncci?: number }).ncci ??
      (msg as { address?: number }).address ??
      0;
    const handler = this.calls.get(addr & 0xffff);
    if (handler && (addr & 0xff00) !== 0) {
      handler(msg);
      return;
    }
    this.answerOrphan(msg);
  }

  /** Answers an indication nobody owns, so the controller is not left waiting. */
  answerOrphan(msg: CapiMessage): void {
    const resp = orphanResponse(msg);
    if (!resp) return;
    this.send(resp).catch((e: Error) => this.emit('warning', `answering ${msg.name}: ${e.message}`));
  }

  private answerMalformed(raw: Buffer, data?: Buffer): void {
    try {
      const r = decodeMessageRaw(raw, data);
      if (r.subcommand !== 0x82 || typeof r.params.plci !== 'number') {
        if (
          r.name === 'DATA_B3_IND' &&
          typeof r.params.ncci === 'number' &&
          typeof r.params.dataHandle === 'number'
        ) {
          void this.send({
            name: 'DATA_B3_RESP',
            ncci: r.params.ncci,
            dataHandle: r.params.dataHandle,
          }).catch(() => {});
        }
        return;
      }
      if (r.name === 'CONNECT_IND') {
        void this.send({ name: 'CONNECT_RESP', plci: r.params.plci, reject: 2 }).catch(() => {});
      } else if (r.name === 'DISCONNECT_IND') {
        void this.send({ name: 'DISCONNECT_RESP', plci: r.params.plci }).catch(() => {});
      }
    } catch {
      // Not even the header and addresses are readable: nothing to answer.
    }
  }

  private fail(e: Error): void {
    if (this.downError) return;
    this.downError = e instanceof CapiDownError ? e : new CapiDownError(e.message);
    for (const [n, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(this.downError);
      this.pending.delete(n);
    }
    this.emit('down', this.downError);
  }

  async close(): Promise<void> {
    this.fail(new CapiDownError('session closed'));
    await this.app.release();
  }
}

/** The RESP that acknowledges an indication without acting on it. */
export function orphanResponse(msg: CapiMessage): CapiMessageBody | undefined {
  switch (msg.name) {
    case 'CONNECT_IND':
      return { name: 'CONNECT_RESP', plci: msg.plci, reject: 1 };
    case 'CONNECT_ACTIVE_IND':
      return { name: 'CONNECT_ACTIVE_RESP', plci: msg.plci };
    case 'DISCONNECT_IND':
      return { name: 'DISCONNECT_RESP', plci: msg.plci };
    case 'INFO_IND':
      return { name: 'INFO_RESP', address: msg.address };
    case 'FACILITY_IND':
      return { name: 'FACILITY_RESP', address: msg.address, facilitySelector: msg.facilitySelector };
    case 'CONNECT_B3_IND':
      return { name: 'CONNECT_B3_RESP', ncci: msg.ncci, reject: 2 };
    case 'CONNECT_B3_ACTIVE_IND':
      return { name: 'CONNECT_B3_ACTIVE_RESP', ncci: msg.ncci };
    case 'CONNECT_B3_T90_ACTIVE_IND':
      return { name: 'CONNECT_B3_T90_ACTIVE_RESP', ncci: msg.ncci };
    case 'DISCONNECT_B3_IND':
      return { name: 'DISCONNECT_B3_RESP', ncci: msg.ncci };
    case 'DATA_B3_IND':
      return { name: 'DATA_B3_RESP', ncci: msg.ncci, dataHandle: msg.dataHandle };
    case 'RESET_B3_IND':
      return { name: 'RESET_B3_RESP', ncci: msg.ncci };
    case 'MANUFACTURER_IND':
      return {
        name: 'MANUFACTURER_RESP',
        controller: msg.controller,
        manuId: msg.manuId,
        manuClass: msg.manuClass,
        manuFunction: msg.manuFunction,
      };
    default:
      return undefined;
  }
}
