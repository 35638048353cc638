// The public face: startSimulator() wires the rcapi server, the exchange (controllers,
// parties), the card, trace, counters and (optionally) the HTTP control port together.
import { EventEmitter } from 'node:events';
import {
  decodeHeader,
  decodeMessage,
  manufacturerReply,
  messageName,
  profileReply,
  RcapiFunction,
  rcapiFunctionName,
  serialReply,
  versionReply,
} from '@faxgate/capi-bindings';
import type { BilevelPage } from '@faxgate/fax-core';
import { Card, type ReceivedFax, type SenderPlan } from './card/card.js';
import type { CallRecord } from './card/model.js';
import {
  type PartyBehaviour,
  type ProfileMasks,
  resolveConfig,
  type SimConfig,
  type SimConfigInput,
} from './config.js';
import { type ControlServer, startControlServer } from './control/http.js';
import { Controller } from './exchange/controller.js';
import { type DocumentInput, loadDocument } from './fax/document.js';
import { buildSff } from './fax/sff.js';
import { Counters, type CountersSnapshot } from './observe/counters.js';
import { Trace, type TraceRecord } from './observe/trace.js';
import { FritzboxConnection } from './rcapi/fritzbox.js';
import { RcapiServer } from './rcapi/server.js';
import { scaledClock } from './timing.js';

/** Services of an injected incoming call. */
export type Service = 'fax' | 'speech' | 'audio' | 'data' | 'video';

/** CIP value per service: fax arrives as 3.1 kHz audio (4) unless told (17). */
export const SERVICE_CIP: Record<Service, number> = { fax: 4, speech: 1, audio: 4, data: 2, video: 6 };

/** Calling party type/plan byte per type of number (ISDN/telephony plan). */
const CALLER_TYPE_PLAN = { unknown: 0x01, international: 0x11, national: 0x21, subscriber: 0x41 } as const;

export interface InjectCallOptions {
  from: string;
  to: string;
  /** Default 'fax' when a document is given, else 'speech'. */
  service?: Service;
  /** Overrides the CIP value of the service (e.g. 17 for G3 fax, 27 for video telephony). */
  cip?: number;
  /** Pages, or a file (SFF / TIFF / PBM by content), or its bytes. */
  document?: DocumentInput;
  /** The sender's station ID (CSI/TSI). */
  csi?: string;
  /** Highest rate the sender trains to. */
  rate?: number;
  /** The sender hangs up after this many pages. */
  hangUpAfterPage?: number;
  /**
   * The sender stops after this many pages (the next page header begun, so the page is
   * complete for a receiver) and stays on the line, sending nothing more: crash tests.
   */
  holdAfterPage?: number;
  /** Type of number of the calling party (default national, as the simulator always gave). */
  callerType?: 'unknown' | 'international' | 'national' | 'subscriber';
  /** Offer the call to every application, LISTEN or not (lockdown tests). */
  ignoreListen?: boolean;
  /** Controller to use instead of the number plan. */
  controller?: number;
}

export interface RemoteParty {
  number: string;
  behaviour: PartyBehaviour;
  /** Documents this number received (fax parties). */
  received: ReceivedFax[];
}

export interface Simulator {
  /** The rcapi TCP port. */
  readonly port: number;
  readonly host: string;
  /** The fritzbox-protocol port, when enabled. */
  readonly fritzboxPort: number | undefined;
  /** The HTTP control port, when enabled. */
  readonly controlPort: number | undefined;
  readonly config: SimConfig;
  /** Every CAPI message in and out. */
  readonly trace: Trace;
  readonly counters: CountersSnapshot;
  /** 'call' (CallRecord) when a call ends; 'fax' (number, ReceivedFax) when a party stores one. */
  readonly events: EventEmitter<{ call: [CallRecord]; fax: [string, ReceivedFax]; page: [string, number] }>;
  /** The last calls (newest last, at most 1000). */
  readonly calls: readonly CallRecord[];
  remoteParty(number: string): RemoteParty;
  parties(): RemoteParty[];
  /** Adds or replaces a remote party at run time. */
  setParty(number: string, behaviour: PartyBehaviour): void;
  /** An incoming call from a remote sender; resolves when the call is over. */
  injectCall(options: InjectCallOptions): Promise<CallRecord>;
  /** Changes a controller's profile (takes effect for the next GET_PROFILE and call). */
  setProfile(controller: number, profile: Partial<ProfileMasks>): void;
  profile(controller: number): ProfileMasks;
  /** Drops the line on active calls (Reason 0x3301); returns how many. */
  dropLines(controller?: number): number;
  /** B channels in use per controller. */
  channelsBusy(): number[];
  /** PLCIs still allocated per controller (0 everywhere when no call is left). */
  plcisInUse(): number[];
  setTimeFactor(f: number): void;
  /** Resolves with the next call record that matches. */
  waitForCall(match?: (c: CallRecord) => boolean): Promise<CallRecord>;
  /**
   * The remote-CAPI server goes away as in a crash or restart: every connection is closed
   * (applications gone, their calls cleared, channels freed) and the port refuses connections
   * until restart(). The exchange (parties, received faxes, profiles, call records) stays.
   */
  stopServing(): Promise<void>;
  /** Listens again on the same port(s) after stopServing(). */
  restart(): Promise<void>;
  /** False between stopServing() and restart(). */
  readonly serving: boolean;
  close(): Promise<void>;
}

function describeMessage(msg: Buffer): { name: string; message?: unknown; error?: string } {
  if (msg.length < 8) return { name: '?', error: `${msg.length} bytes` };
  if (msg[4] === 0x20 && (msg[5] === 0x80 || msg[5] === 0x81) && msg.length >= 13) {
    const fn = ['REGISTER', 'RELEASE', 'GET_PROFILE'][msg.readUInt16LE(11)] ?? 'FUNCTION';
    return { name: `FRITZBOX_${fn}_${msg[5] === 0x80 ? 'REQ' : 'CONF'}` };
  }
  if (msg[5] === RcapiFunction.SUBCOMMAND) {
    return { name: rcapiFunctionName(msg[4]) ?? `FUNCTION_0x${msg[4].toString(16)}` };
  }
  const name = messageName(msg[4], msg[5]) ?? `0x${msg[4].toString(16)}/0x${msg[5].toString(16)}`;
  try {
    decodeHeader(msg);
    const m = decodeMessage(msg) as { data?: Uint8Array };
    if (m.data) return { name, message: { ...m, data: undefined, dataBytes: m.data.length } };
    return { name, message: m };
  } catch (e) {
    return { name, error: (e as Error).message };
  }
}

class SimulatorImpl implements Simulator {
  port = 0;
  controlPort: number | undefined;
  fritzboxPort: number | undefined;
  private fritzbox?: RcapiServer;
  readonly trace: Trace;
  readonly events = new EventEmitter<{
    call: [CallRecord];
    fax: [string, ReceivedFax];
    page: [string, number];
  }>();
  readonly calls: CallRecord[] = [];
  private readonly counterState = new Counters();
  private readonly controllers: Controller[];
  private readonly card: Card;
  private readonly server: RcapiServer;
  private readonly received = new Map<string, ReceivedFax[]>();
  private control?: ControlServer;

  constructor(readonly config: SimConfig) {
    this.controllers = config.controllers.map((c, i) => new Controller(i + 1, c));
    this.trace = new Trace(config.traceSize, describeMessage, config.traceFile);
    const clock = scaledClock(() => this.config.timeFactor);
    this.card = new Card(config, this.controllers, clock, this.counterState, (n, f) => {
      const list = this.received.get(n) ?? [];
      list.push(f);
      this.received.set(n, list);
    });
    this.card.on('call', (c) => {
      this.calls.push(c);
      if (this.calls.length > 1000) this.calls.shift();
      this.events.emit('call', c);
    });
    this.card.on('fax', (n, f) => this.events.emit('fax', n, f));
    this.card.on('page', (n, p) => this.events.emit('page', n, p));
    const counters = this.counterState;
    const hooks: ConstructorParameters<typeof RcapiServer>[0] = {
      opened: () => {
        counters.connectionsOpen++;
        counters.connectionsTotal++;
      },
      closed: (conn) => {
        counters.connectionsOpen--;
        this.card.appGone(conn);
      },
      protocolError: () => {
        counters.protocolErrors++;
      },
      traced: (dir, conn, msg, note) => this.trace.record(dir, conn.id, msg, note),
      message: (conn, msg) => this.card.message(conn, msg),
      register: (conn, p) => {
        counters.message('in', 'REGISTER');
        if (!p) return 0x1008;
        return this.card.register(conn, p);
      },
      func: (_conn, cmd, ctrl) => {
        counters.message('in', rcapiFunctionName(cmd) ?? 'FUNCTION?');
        switch (cmd) {
          case RcapiFunction.GET_MANUFACTURER_REQ:
            return manufacturerReply(this.config.manufacturer);
          case RcapiFunction.GET_VERSION_REQ: {
            const v = this.config.version;
            return versionReply({
              capiMajor: v.capiMajor,
              capiMinor: v.capiMinor,
              manufacturerMajor: v.manuMajor,
              manufacturerMinor: v.manuMinor,
            });
          }
          case RcapiFunction.GET_SERIAL_NUMBER_REQ:
            return serialReply(this.config.serial);
          case RcapiFunction.GET_PROFILE_REQ: {
            if (ctrl === 0) return profileReply(0, this.controllers[0].profileBytes(this.controllers.length));
            const c = ctrl <= 0x7f ? this.controllers[ctrl - 1] : undefined;
            return c ? profileReply(0, c.profileBytes(this.controllers.length)) : profileReply(0x2002);
          }
          default:
            return undefined;
        }
      },
    };
    this.server = new RcapiServer(hooks);
    if (config.fritzboxPort !== undefined) {
      this.fritzbox = new RcapiServer(
        hooks,
        (id, socket, h) => new FritzboxConnection(id, socket, h, (ctrl) => this.profileFor(ctrl)),
      );
    }
  }

  /** The 64-byte profile for a controller (0 = the count only, as the library reads it). */
  private profileFor(ctrl: number): Buffer {
    const c = this.controllers[(ctrl || 1) - 1];
    return c ? c.profileBytes(this.controllers.length) : Buffer.alloc(64);
  }

  async start(): Promise<void> {
    this.port = await this.server.listen(this.config.port, this.config.host);
    if (this.fritzbox)
      this.fritzboxPort = await this.fritzbox.listen(this.config.fritzboxPort ?? 0, this.config.host);
    this.serving = true;
    if (this.config.controlPort !== undefined) {
      this.control = await startControlServer(this, this.config.host, this.config.controlPort);
      this.controlPort = this.control.port;
    }
  }

  get host(): string {
    return this.config.host;
  }

  get counters(): CountersSnapshot {
    return this.counterState.snapshot(
      this.controllers.map((c) => ({
        controller: c.id,
        busy: c.channelsBusy,
        total: c.bChannels,
        plcisInUse: c.plcisInUse,
      })),
    );
  }

  remoteParty(number: string): RemoteParty {
    const behaviour = this.config.parties[number];
    if (!behaviour) throw new RangeError(`no remote party ${number}`);
    return { number, behaviour, received: this.received.get(number) ?? [] };
  }

  parties(): RemoteParty[] {
    return Object.keys(this.config.parties).map((n) => this.remoteParty(n));
  }

  setParty(number: string, behaviour: PartyBehaviour): void {
    resolveConfig({ parties: { [number]: behaviour } });
    this.config.parties[number] = behaviour;
  }

  async injectCall(o: InjectCallOptions): Promise<CallRecord> {
    const service: Service = o.service ?? (o.document ? 'fax' : 'speech');
    if (!SERVICE_CIP[service]) throw new RangeError(`unknown service '${service}'`);
    if (!/^\+?\d{1,32}$/.test(o.to) || !/^\+?\d{0,32}$/.test(o.from)) {
      throw new RangeError(`numbers must be digits: from '${o.from}' to '${o.to}'`);
    }
    if (o.callerType !== undefined && !(o.callerType in CALLER_TYPE_PLAN)) {
      throw new RangeError(`unknown caller type '${o.callerType}'`);
    }
    const plan: SenderPlan = {
      from: o.from,
      to: o.to,
      cip: o.cip ?? SERVICE_CIP[service],
      fax: service === 'fax',
      csi: o.csi ?? o.from,
      rate: o.rate ?? this.config.maxRate,
      hangUpAfterPage: o.hangUpAfterPage,
      holdAfterPage: o.holdAfterPage,
      callerTypePlan: CALLER_TYPE_PLAN[o.callerType ?? 'national'],
      ignoreListen: o.ignoreListen,
      controller: o.controller,
    };
    if (plan.controller !== undefined && !this.controllers[plan.controller - 1]) {
      throw new RangeError(`no controller ${plan.controller}`);
    }
    if (service === 'fax') {
      if (!o.document) throw new RangeError('a fax call needs a document');
      const pages: BilevelPage[] = await loadDocument(o.document);
      const sff = buildSff(pages);
      plan.sff = sff.bytes;
      plan.pageEnds = sff.pageEnds;
      plan.fine = sff.fine;
    }
    return this.card.offer(plan);
  }

  setProfile(controller: number, profile: Partial<ProfileMasks>): void {
    const c = this.controllers[controller - 1];
    if (!c) throw new RangeError(`no controller ${controller}`);
    for (const [k, v] of Object.entries(profile)) {
      if (
        !['globalOptions', 'b1', 'b2', 'b3'].includes(k) ||
        !Number.isInteger(v) ||
        v < 0 ||
        v > 0xffffffff
      ) {
        throw new RangeError(`profile ${k}=${v} is invalid`);
      }
    }
    c.profile = { ...c.profile, ...profile };
  }

  profile(controller: number): ProfileMasks {
    const c = this.controllers[controller - 1];
    if (!c) throw new RangeError(`no controller ${controller}`);
    return { ...c.profile };
  }

  dropLines(controller?: number): number {
    return this.card.dropLines(controller);
  }

  channelsBusy(): number[] {
    return this.controllers.map((c) => c.channelsBusy);
  }

  plcisInUse(): number[] {
    return this.controllers.map((c) => c.plcisInUse);
  }

  setTimeFactor(f: number): void {
    if (!(f >= 0 && f <= 1000)) throw new RangeError(`time factor ${f} is outside 0..1000`);
    this.config.timeFactor = f;
  }

  waitForCall(match: (c: CallRecord) => boolean = () => true): Promise<CallRecord> {
    return new Promise((resolve) => {
      const on = (c: CallRecord) => {
        if (!match(c)) return;
        this.events.off('call', on);
        resolve(c);
      };
      this.events.on('call', on);
    });
  }

  serving = false;

  async stopServing(): Promise<void> {
    if (!this.serving) return;
    this.serving = false;
    await this.server.close();
    await this.fritzbox?.close();
  }

  async restart(): Promise<void> {
    if (this.serving) return;
    await this.server.listen(this.port, this.config.host);
    if (this.fritzbox && this.fritzboxPort !== undefined)
      await this.fritzbox.listen(this.fritzboxPort, this.config.host);
    this.serving = true;
  }

  async close(): Promise<void> {
    await this.control?.close();
    if (this.serving) {
      await this.server.close();
      await this.fritzbox?.close();
    }
    this.serving = false;
    await this.trace.close();
  }
}

/** Starts a simulator; with no arguments: 2 controllers × 2 B channels, the default parties, port 0. */
export async function startSimulator(config: SimConfigInput = {}): Promise<Simulator> {
  const sim = new SimulatorImpl(resolveConfig(config));
  await sim.start();
  return sim;
}

export type { TraceRecord };
