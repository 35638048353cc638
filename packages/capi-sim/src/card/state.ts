// The shared state of the simulated card and the primitives every concern of it uses: the
// registered applications, the incoming calls waiting for their result, sending CONF/IND
// messages, timers bound to a call, addressing, and the events the simulator forwards.
// The concerns themselves (outgoing.ts, incoming.ts, data.ts, disconnect.ts, teardown.ts,
// transmission.ts, reception.ts) are functions over this state; card.ts dispatches to them.
import { EventEmitter } from 'node:events';
import {
  type CapiMessage,
  type CapiMessageOf,
  controllerOf as controllerIdOf,
  encodeMessage,
  type MessageName,
  plciOf,
} from '@faxgate/capi-bindings';
import type { SimConfig } from '../config.js';
import type { Controller } from '../exchange/controller.js';
import type { Counters } from '../observe/counters.js';
import type { Clock } from '../timing.js';
import type { BStack } from './bprotocol.js';
import type { App, CallRecord, LineCall } from './model.js';
import type { ReceivedFax } from './transmission.js';

export const EMPTY = new Uint8Array(0);

/** The header fields a CONF copies from its REQ. */
export interface ReqHeader {
  applId: number;
  messageNumber: number;
}

export interface CardEvents {
  call: [CallRecord];
  fax: [string, ReceivedFax];
  /** A remote fax machine confirmed a page of a call in progress: its number, pages so far. */
  page: [string, number];
}

/** Bits of an address dword above the controller byte (a PLCI or NCCI part). */
const ABOVE_CONTROLLER = 0xffffff00;

/** A controller address with no PLCI/NCCI part (bit 7, external equipment, allowed). */
export function isControllerAddress(address: number): boolean {
  return (address & ABOVE_CONTROLLER) === 0;
}

/** A PLCI address with no NCCI part. */
export function isPlciAddress(address: number): boolean {
  return plciOf(address) === address;
}

export class CardState extends EventEmitter<CardEvents> {
  private nextId = 1;
  readonly apps = new Set<App>();
  /** Incoming calls waiting for their result. */
  readonly waiting = new Map<LineCall, (r: CallRecord) => void>();

  constructor(
    readonly cfg: SimConfig,
    readonly controllers: Controller[],
    private readonly clock: Clock,
    readonly counters: Counters,
    private readonly received: (number: string, fax: ReceivedFax) => void,
  ) {
    super();
  }

  nextCallId(): number {
    return this.nextId++;
  }

  get timings(): SimConfig['timings'] {
    return this.cfg.timings;
  }

  // ---------------------------------------------------------------------------------------
  // messages to the application

  send(app: App, msg: CapiMessage): void {
    this.counters.message('out', msg.name);
    app.conn.send(encodeMessage(msg));
  }

  ind<N extends MessageName>(app: App, body: Omit<CapiMessageOf<N>, 'applId' | 'messageNumber'>): void {
    this.send(app, {
      ...body,
      applId: app.applId,
      messageNumber: app.nextMessageNumber(),
    } as unknown as CapiMessage);
  }

  conf(app: App, req: ReqHeader, body: Record<string, unknown>): void {
    this.send(app, { ...body, applId: req.applId, messageNumber: req.messageNumber } as CapiMessage);
  }

  // ---------------------------------------------------------------------------------------
  // addressing

  controllerOf(address: number): Controller | undefined {
    const id = controllerIdOf(address);
    return id >= 1 ? this.controllers[id - 1] : undefined;
  }

  validAddress(app: App, address: number): boolean {
    if (!isPlciAddress(address)) return app.nccis.has(address);
    if (!isControllerAddress(address)) return app.plcis.has(plciOf(address));
    return this.controllerOf(address) !== undefined;
  }

  // ---------------------------------------------------------------------------------------
  // timers

  /** Runs fn after simulated time unless the call is cleared first. */
  after(call: LineCall, realMs: number, fn: () => void): void {
    const cancel = this.clock.after(Math.max(0, realMs), () => {
      call.timers.delete(cancel);
      if (!call.cleared) fn();
    });
    call.timers.add(cancel);
  }

  /** Like after(), for waits on an application: real time, at least as long as simulated. */
  afterReal(call: LineCall, ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      call.timers.delete(cancel);
      if (!call.cleared) fn();
    }, ms * Math.max(1, this.cfg.timeFactor));
    const cancel = () => clearTimeout(t);
    call.timers.add(cancel);
  }

  // ---------------------------------------------------------------------------------------
  // the line

  /** The fax rate: the card's maximum, limited by B1config and the remote machine. */
  negotiatedRate(stack: BStack, partyMax?: number): number {
    let rate = this.cfg.maxRate;
    if (stack.maxRate) rate = Math.min(rate, stack.maxRate);
    if (partyMax) rate = Math.min(rate, partyMax);
    return rate;
  }

  /** The remote fax machine stored a document. */
  deliver(number: string, fax: ReceivedFax): void {
    this.received(number, fax);
    this.emit('fax', number, fax);
  }
}
