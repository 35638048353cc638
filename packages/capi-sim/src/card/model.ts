// The objects a call is made of. A LineCall is the call on the line (one PLCI, one B channel);
// each application that sees the call has its own PlciView (an incoming call can be offered
// to several); the B3 connection of the owning view is an Ncci.
import type { PartyBehaviour } from '../config.js';
import type { Controller } from '../exchange/controller.js';
import type { CallOutcome } from '../observe/counters.js';
import type { AppConnection } from '../rcapi/server.js';
import type { BStack } from './bprotocol.js';

export interface Listen {
  infoMask: number;
  cipMask: number;
}

export class App {
  applId = 1;
  private msgNum = 0;
  readonly listens = new Map<number, Listen>();
  readonly plcis = new Map<number, PlciView>();
  readonly nccis = new Map<number, Ncci>();

  constructor(
    readonly conn: AppConnection,
    readonly maxLogicalConnection: number,
    readonly maxBDataBlocks: number,
    readonly maxBDataLen: number,
  ) {}

  nextMessageNumber(): number {
    this.msgNum = (this.msgNum + 1) & 0x7fff;
    return this.msgNum;
  }
}

export type PlciState =
  | 'dialing' // outgoing: CONNECT_CONF sent, network not done yet
  | 'offered' // incoming: CONNECT_IND sent, waiting for CONNECT_RESP
  | 'activating' // CONNECT_ACTIVE_IND sent, waiting for CONNECT_ACTIVE_RESP
  | 'active'
  | 'disconnecting' // DISCONNECT_REQ received
  | 'disconnected'; // DISCONNECT_IND sent, waiting for DISCONNECT_RESP

export type NcciState =
  | 'connecting' // outgoing: CONNECT_B3_CONF sent, training
  | 'offered' // incoming: CONNECT_B3_IND sent, waiting for CONNECT_B3_RESP
  | 'training' // incoming: accepted, training
  | 'activating' // CONNECT_B3_ACTIVE_IND sent, waiting for its RESP
  | 'active'
  | 'disconnecting' // DISCONNECT_B3_REQ received, finishing T.30
  | 'disconnected'; // DISCONNECT_B3_IND sent, waiting for DISCONNECT_B3_RESP

export class PlciView {
  state: PlciState;
  stack?: BStack;
  ncci?: Ncci;
  alerted = false;
  /** Set when this application rejected an offered call (the network Reason it chose). */
  rejectReason?: number;
  constructor(
    readonly app: App,
    readonly call: LineCall,
    state: PlciState,
  ) {
    this.state = state;
  }
}

export class Ncci {
  state: NcciState = 'connecting';
  constructor(
    readonly id: number,
    readonly view: PlciView,
  ) {}
}

/** A call as the exchange sees it; `result` is filled when the line clears. */
export interface CallRecord {
  id: number;
  direction: 'outgoing' | 'incoming';
  controller: number;
  plci: number;
  from: string;
  to: string;
  cip: number;
  outcome: CallOutcome;
  /** Reason of DISCONNECT_IND (0x34xx network cause, 0x3301 line drop, …). */
  reason: number;
  /** Reason_B3 of DISCONNECT_B3_IND, when there was a B3 connection. */
  reasonB3?: number;
  /** Pages moved (sent to a remote fax, or delivered to the application). */
  pages: number;
  rate?: number;
  fine?: boolean;
  /** The remote station ID the card reported. */
  remoteId?: string;
  /** Simulated line time in real-time milliseconds (before the time factor). */
  lineMs: number;
  /** Connection id of the application that handled the call. */
  conn?: number;
  /** B channel (1..bChannels) the call held on its controller; unset when it got none. */
  bChannel?: number;
  startedAt: number;
  endedAt?: number;
}

export class LineCall {
  readonly views: PlciView[] = [];
  owner?: PlciView;
  /** The B channel the call holds (1..n), while it holds one. */
  channel?: number;
  /** The line is cleared (channel released, remote gone). */
  cleared = false;
  readonly timers = new Set<() => void>();
  readonly record: CallRecord;
  /** Outgoing: the remote party called (undefined = unallocated number). */
  party?: PartyBehaviour;
  /** Outcome of the B3 phase, once it ended. */
  b3Outcome?: CallOutcome;
  /** A remote hang-up waiting for the DISCONNECT_B3_RESP: [outcome, reason]. */
  pendingHangup?: [CallOutcome, number];
  plciFreed = false;
  /** Per-call session (fax transmitter/receiver), set when B3 runs. */
  session?: { abort(): void };

  constructor(
    readonly ctrl: Controller,
    readonly plci: number,
    direction: 'outgoing' | 'incoming',
    id: number,
    from: string,
    to: string,
    cip: number,
  ) {
    this.record = {
      id,
      direction,
      controller: ctrl.id,
      plci,
      from,
      to,
      cip,
      outcome: 'error',
      reason: 0,
      pages: 0,
      lineMs: 0,
      startedAt: Date.now(),
    };
  }

  cancelTimers(): void {
    for (const c of this.timers) c();
    this.timers.clear();
  }
}
