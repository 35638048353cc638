// The simulated active fax card: PLCI/NCCI state machines for outgoing and incoming calls
// (capi-reference §8.3), the Info codes for messages in the wrong state or with bad
// parameters, and the link to the exchange (remote parties, remote fax senders).
import { EventEmitter } from 'node:events';
import {
  type CapiMessage,
  type CapiMessageOf,
  decodeMessage,
  encodeFaxNcpi,
  encodeMessage,
  type MessageName,
  messageName,
} from '@faxgate/capi-bindings';
import type { BilevelPage, SffPageInfo } from '@faxgate/fax-core';
import type { PartyBehaviour, SimConfig } from '../config.js';
import type { Controller } from '../exchange/controller.js';
import { decodeWatched, SffCodingError, SffWatcher } from '../fax/sff.js';
import type { CallOutcome, Counters } from '../observe/counters.js';
import type { AppConnection } from '../rcapi/server.js';
import { type Clock, lineMs } from '../timing.js';
import { type BStack, checkBProtocol } from './bprotocol.js';
import { App, type CallRecord, LineCall, Ncci, PlciView } from './model.js';

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

const EMPTY = new Uint8Array(0);

/** CONNECT_RESP Reject values → network Reason (capi-reference §8.9). */
function rejectReason(reject: number): number {
  if (reject >= 0x3400 && reject <= 0x34ff) return reject;
  const map: Record<number, number> = {
    2: 0x3490,
    3: 0x3491,
    4: 0x34a2,
    5: 0x349d,
    6: 0x34a2,
    7: 0x34d8,
    8: 0x349b,
  };
  return map[reject] ?? 0x3490;
}

function outcomeOfReason(reason: number): CallOutcome {
  switch (reason) {
    case 0x3491:
      return 'busy';
    case 0x3492:
    case 0x3493:
      return 'no-answer';
    case 0x3481:
      return 'unallocated';
    case 0x34d8:
      return 'incompatible';
    case 0x34a2:
      return 'no-channel';
    case 0x3301:
      return 'line-drop';
    default:
      return 'rejected';
  }
}

interface CardEvents {
  call: [CallRecord];
  fax: [string, ReceivedFax];
  /** A remote fax machine confirmed a page of a call in progress: its number, pages so far. */
  page: [string, number];
}

export class Card extends EventEmitter<CardEvents> {
  private nextCallId = 1;
  readonly apps = new Set<App>();
  /** Incoming calls waiting for their result. */
  private readonly waiting = new Map<LineCall, (r: CallRecord) => void>();

  constructor(
    private readonly cfg: SimConfig,
    readonly controllers: Controller[],
    private readonly clock: Clock,
    private readonly counters: Counters,
    private readonly received: (number: string, fax: ReceivedFax) => void,
  ) {
    super();
  }

  // ---------------------------------------------------------------------------------------
  // applications

  register(
    conn: AppConnection,
    p: { maxLogicalConnection: number; maxBDataBlocks: number; maxBDataLen: number },
  ): number {
    if (p.maxBDataLen < 128) return 0x1002;
    if (p.maxLogicalConnection < 1) return 0x1005;
    if (this.apps.size >= 1023) return 0x1001;
    // DATA_B3_IND blocks must fit a 4096-byte frame; the library never asks for more than 2048.
    const app = new App(
      conn,
      p.maxLogicalConnection,
      Math.max(1, Math.min(p.maxBDataBlocks, 7)),
      Math.min(p.maxBDataLen, 2048),
    );
    conn.app = app;
    this.apps.add(app);
    this.counters.applications = this.apps.size;
    return 0;
  }

  /** The connection closed: the application is gone, its calls are cleared. */
  appGone(conn: AppConnection): void {
    const app = conn.app as App | undefined;
    if (!app || !this.apps.has(app)) return;
    this.apps.delete(app);
    this.counters.applications = this.apps.size;
    for (const view of [...app.plcis.values()]) {
      const call = view.call;
      this.removeView(view);
      if (call.owner === view && !call.cleared) {
        this.abortSession(call, 'app-gone');
        this.clearLine(call, 'app-gone', 0x3490);
      } else if (!call.owner && !call.cleared && call.record.direction === 'incoming') {
        this.checkOffers(call);
      }
    }
  }

  private send(app: App, msg: CapiMessage): void {
    this.counters.message('out', msg.name);
    app.conn.send(encodeMessage(msg));
  }

  private ind<N extends MessageName>(
    app: App,
    body: Omit<CapiMessageOf<N>, 'applId' | 'messageNumber'>,
  ): void {
    this.send(app, {
      ...body,
      applId: app.applId,
      messageNumber: app.nextMessageNumber(),
    } as unknown as CapiMessage);
  }

  private conf(
    app: App,
    req: { applId: number; messageNumber: number },
    body: Record<string, unknown>,
  ): void {
    this.send(app, { ...body, applId: req.applId, messageNumber: req.messageNumber } as CapiMessage);
  }

  // ---------------------------------------------------------------------------------------
  // inbound dispatch

  message(conn: AppConnection, raw: Buffer): void {
    const app = conn.app as App;
    let m: CapiMessage;
    try {
      m = decodeMessage(raw);
    } catch (e) {
      this.undecodable(app, raw, (e as Error).message);
      return;
    }
    app.applId = m.applId;
    this.counters.message('in', m.name);
    switch (m.name) {
      case 'LISTEN_REQ':
        this.listen(app, m);
        return;
      case 'CONNECT_REQ':
        this.connectReq(app, m);
        return;
      case 'CONNECT_RESP':
        this.connectResp(app, m);
        return;
      case 'CONNECT_ACTIVE_RESP':
        this.connectActiveResp(app, m);
        return;
      case 'ALERT_REQ':
        this.alertReq(app, m);
        return;
      case 'INFO_REQ':
        this.conf(app, m, {
          name: 'INFO_CONF',
          address: m.address,
          info: this.validAddress(app, m.address) ? 0 : 0x2002,
        });
        return;
      case 'SELECT_B_PROTOCOL_REQ':
        this.selectB(app, m);
        return;
      case 'FACILITY_REQ':
        this.conf(app, m, {
          name: 'FACILITY_CONF',
          address: m.address,
          info: 0x300b,
          facilitySelector: m.facilitySelector,
          facilityConfirmationParameter: EMPTY,
        });
        return;
      case 'CONNECT_B3_REQ':
        this.connectB3Req(app, m);
        return;
      case 'CONNECT_B3_RESP':
        this.connectB3Resp(app, m);
        return;
      case 'CONNECT_B3_ACTIVE_RESP':
        this.connectB3ActiveResp(app, m);
        return;
      case 'DATA_B3_REQ':
        this.dataB3Req(app, m);
        return;
      case 'DATA_B3_RESP':
        this.dataB3Resp(app, m);
        return;
      case 'DISCONNECT_B3_REQ':
        this.disconnectB3Req(app, m);
        return;
      case 'DISCONNECT_B3_RESP':
        this.disconnectB3Resp(app, m);
        return;
      case 'DISCONNECT_REQ':
        this.disconnectReq(app, m);
        return;
      case 'DISCONNECT_RESP':
        this.disconnectResp(app, m);
        return;
      case 'RESET_B3_REQ':
        this.conf(app, m, {
          name: 'RESET_B3_CONF',
          ncci: m.ncci,
          info: app.nccis.has(m.ncci) ? 0x300d : 0x2002,
        });
        return;
      default:
        // RESPs to INDs we never send, CONF/IND from the application, MANUFACTURER: ignored.
        return;
    }
  }

  /** A REQ that does not decode gets its CONF with 0x2007; anything else is ignored. */
  private undecodable(app: App, raw: Buffer, _why: string): void {
    this.counters.protocolErrors++;
    if (raw.length < 12 || raw[5] !== 0x80) return;
    const name = messageName(raw[4], raw[5]);
    if (!name) return;
    const addr = raw.readUInt32LE(8);
    const confName = `${name.slice(0, -4)}_CONF` as MessageName;
    const h = { applId: raw.readUInt16LE(2), messageNumber: raw.readUInt16LE(6) };
    switch (confName) {
      case 'DATA_B3_CONF': {
        const handle = raw.length >= 20 ? raw.readUInt16LE(18) : 0;
        this.conf(app, h, { name: confName, ncci: addr, dataHandle: handle, info: 0x2007 });
        return;
      }
      case 'FACILITY_CONF':
        this.conf(app, h, {
          name: confName,
          address: addr,
          info: 0x2007,
          facilitySelector: raw.length >= 14 ? raw.readUInt16LE(12) : 0,
        });
        return;
      case 'MANUFACTURER_CONF':
        return;
      case 'CONNECT_B3_CONF':
      case 'DISCONNECT_B3_CONF':
      case 'RESET_B3_CONF':
        this.conf(app, h, { name: confName, ncci: addr, info: 0x2007 });
        return;
      case 'LISTEN_CONF':
        this.conf(app, h, { name: confName, controller: addr, info: 0x2007 });
        return;
      case 'INFO_CONF':
        this.conf(app, h, { name: confName, address: addr, info: 0x2007 });
        return;
      default:
        this.conf(app, h, { name: confName, plci: addr, info: 0x2007 });
        return;
    }
  }

  private controllerOf(address: number): Controller | undefined {
    const id = address & 0x7f;
    return id >= 1 ? this.controllers[id - 1] : undefined;
  }

  private validAddress(app: App, address: number): boolean {
    if (address & 0xffff0000) return app.nccis.has(address);
    if (address & 0xff00) return app.plcis.has(address & 0xffff);
    return this.controllerOf(address) !== undefined;
  }

  // ---------------------------------------------------------------------------------------
  // LISTEN

  private listen(app: App, m: CapiMessageOf<'LISTEN_REQ'>): void {
    const ctrl = this.controllerOf(m.controller);
    if (!ctrl || m.controller & 0xffffff00) {
      this.conf(app, m, { name: 'LISTEN_CONF', controller: m.controller, info: 0x2002 });
      return;
    }
    if (m.cipMask === 0) app.listens.delete(ctrl.id);
    else app.listens.set(ctrl.id, { infoMask: m.infoMask, cipMask: m.cipMask >>> 0 });
    this.conf(app, m, { name: 'LISTEN_CONF', controller: m.controller, info: 0 });
  }

  private selectB(app: App, m: CapiMessageOf<'SELECT_B_PROTOCOL_REQ'>): void {
    const view = app.plcis.get(m.plci & 0xffff);
    const reply = (info: number) => this.conf(app, m, { name: 'SELECT_B_PROTOCOL_CONF', plci: m.plci, info });
    if (!view || m.plci & 0xffff0000) {
      reply(0x2002);
      return;
    }
    if (view.state !== 'active' || view.ncci) {
      reply(0x2001);
      return;
    }
    const b = checkBProtocol(m.bProtocol, view.call.ctrl.profile);
    if (!b.ok) {
      reply(b.info);
      return;
    }
    view.stack = b.stack;
    reply(0);
  }

  // ---------------------------------------------------------------------------------------
  // outgoing calls

  private connectReq(app: App, m: CapiMessageOf<'CONNECT_REQ'>): void {
    const reply = (plci: number, info: number) => this.conf(app, m, { name: 'CONNECT_CONF', plci, info });
    const ctrl = this.controllerOf(m.controller);
    if (!ctrl || m.controller & 0xffffff00) {
      reply(m.controller, 0x2002);
      return;
    }
    if (m.cipValue > 28) {
      reply(m.controller, 0x3009);
      return;
    }
    const b = checkBProtocol(m.bProtocol, ctrl.profile);
    if (!b.ok) {
      reply(m.controller, b.info);
      return;
    }
    let active = 0;
    for (const v of app.plcis.values()) if (v.call.record.direction === 'outgoing') active++;
    if (active >= app.maxLogicalConnection) {
      reply(m.controller, 0x2003);
      return;
    }
    const plci = ctrl.allocPlci();
    if (plci === undefined) {
      reply(m.controller, 0x2003);
      return;
    }
    reply(plci, 0);

    const to = m.calledPartyNumber?.digits ?? '';
    const from = m.callingPartyNumber?.digits ?? '';
    const call = new LineCall(ctrl, plci, 'outgoing', this.nextCallId++, from, to, m.cipValue);
    call.record.conn = app.conn.id;
    const view = new PlciView(app, call, 'dialing');
    view.stack = b.stack;
    call.views.push(view);
    call.owner = view;
    app.plcis.set(plci, view);

    const channel = ctrl.seizeChannel();
    if (channel === undefined) {
      this.after(call, 0, () => this.networkClears(call, 0x34a2));
      return;
    }
    call.channel = channel;
    call.record.bChannel = channel;
    if (!/^\+?\d+$/.test(to)) {
      this.after(call, 0, () => this.networkClears(call, 0x349c));
      return;
    }
    const party = this.cfg.parties[to];
    call.party = party;
    this.after(call, this.cfg.timings.answerMs, () => this.remoteReacts(call, party));
  }

  private remoteReacts(call: LineCall, party: PartyBehaviour | undefined): void {
    if (!party) {
      this.networkClears(call, 0x3481);
      return;
    }
    const cip = call.record.cip;
    const voiceBand = cip === 1 || cip === 4 || cip === 16 || cip === 17 || cip === 0;
    switch (party.kind) {
      case 'busy':
        this.networkClears(call, 0x3491);
        return;
      case 'reject':
        this.networkClears(call, party.cause ?? 0x3495);
        return;
      case 'no-answer':
        this.after(call, this.cfg.timings.noAnswerMs - this.cfg.timings.answerMs, () =>
          this.networkClears(call, party.cause ?? 0x3493),
        );
        return;
      case 'data':
        if (cip !== 2) {
          this.networkClears(call, 0x34d8);
          return;
        }
        this.answered(call);
        return;
      default:
        if (!voiceBand) {
          this.networkClears(call, 0x34d8);
          return;
        }
        this.answered(call);
        return;
    }
  }

  private answered(call: LineCall): void {
    const view = call.owner;
    if (view?.state !== 'dialing') return;
    view.state = 'activating';
    this.ind<'CONNECT_ACTIVE_IND'>(view.app, {
      name: 'CONNECT_ACTIVE_IND',
      plci: call.plci,
      connectedNumber: { typePlan: 0x81, presentation: 0x80, digits: call.record.to },
    });
  }

  private connectActiveResp(app: App, m: CapiMessageOf<'CONNECT_ACTIVE_RESP'>): void {
    const view = app.plcis.get(m.plci & 0xffff);
    if (view?.state !== 'activating') return;
    view.state = 'active';
    const call = view.call;
    if (call.record.direction === 'incoming') this.incomingActive(call, view);
  }

  private connectB3Req(app: App, m: CapiMessageOf<'CONNECT_B3_REQ'>): void {
    const view = app.plcis.get(m.plci & 0xffff);
    const reply = (ncci: number, info: number) => this.conf(app, m, { name: 'CONNECT_B3_CONF', ncci, info });
    if (!view || m.plci & 0xffff0000) {
      reply(m.plci, 0x2002);
      return;
    }
    if (view.state !== 'active' || view.ncci || view.call.record.direction !== 'outgoing') {
      reply(m.plci, 0x2001);
      return;
    }
    const call = view.call;
    const ncci = new Ncci(call.ctrl.allocNcci(call.plci), view);
    view.ncci = ncci;
    app.nccis.set(ncci.id, ncci);
    reply(ncci.id, 0);
    ncci.state = 'connecting';
    const stack = view.stack!;
    const party = call.party!;
    if (!stack.fax) {
      // Transparent B3: the line just carries bytes at 64 kbit/s.
      this.after(call, 0, () => this.b3Active(ncci, EMPTY, 64000));
      return;
    }
    if (party.kind !== 'fax') {
      // No fax tones from a telephone or a data terminal: T.30 phase B fails.
      this.after(call, this.cfg.timings.noFaxToneMs, () => {
        call.record.lineMs += this.cfg.timings.noFaxToneMs;
        this.b3Ends(ncci, 0x3311, 'not-fax');
      });
      return;
    }
    const rate = this.negotiatedRate(stack, party.maxRate);
    const fine = stack.fine && party.fine !== false;
    call.record.rate = rate;
    call.record.fine = fine;
    call.record.remoteId = party.csi ?? '';
    this.after(call, this.cfg.timings.trainingMs, () => {
      call.record.lineMs += this.cfg.timings.trainingMs;
      const ncpi = encodeFaxNcpi(
        stack.b3 === 4
          ? { b3: 4, rate, resolution: fine ? 1 : 0, format: 0, pages: 0, receiveId: party.csi ?? '' }
          : { b3: 5, rate, options: fine ? 1 : 0, format: 0, pages: 0, receiveId: party.csi ?? '' },
      );
      this.b3Active(ncci, ncpi, rate);
      const tx = new FaxTransmission(this, call, ncci, party, rate, fine);
      call.session = tx;
    });
  }

  private negotiatedRate(stack: BStack, partyMax?: number): number {
    let rate = this.cfg.maxRate;
    if (stack.maxRate) rate = Math.min(rate, stack.maxRate);
    if (partyMax) rate = Math.min(rate, partyMax);
    return rate;
  }

  private b3Active(ncci: Ncci, ncpi: Uint8Array, _rate: number): void {
    if (ncci.state !== 'connecting' && ncci.state !== 'training') return;
    ncci.state = 'activating';
    this.ind<'CONNECT_B3_ACTIVE_IND'>(ncci.view.app, { name: 'CONNECT_B3_ACTIVE_IND', ncci: ncci.id, ncpi });
  }

  private connectB3ActiveResp(app: App, m: CapiMessageOf<'CONNECT_B3_ACTIVE_RESP'>): void {
    const ncci = app.nccis.get(m.ncci);
    if (ncci?.state !== 'activating') return;
    ncci.state = 'active';
    const s = ncci.view.call.session;
    if (s instanceof FaxReception) s.start();
  }

  // ---------------------------------------------------------------------------------------
  // DATA_B3

  private dataB3Req(app: App, m: CapiMessageOf<'DATA_B3_REQ'>): void {
    const ncci = app.nccis.get(m.ncci);
    const reply = (info: number) =>
      this.conf(app, m, { name: 'DATA_B3_CONF', ncci: m.ncci, dataHandle: m.dataHandle, info });
    if (!ncci) {
      reply(0x2002);
      return;
    }
    if (ncci.state !== 'active' && ncci.state !== 'activating') {
      reply(0x2001);
      return;
    }
    if (m.data.length > app.maxBDataLen || m.data.length === 0) {
      reply(0x300c);
      return;
    }
    if ((m.flags ?? 0) & ~0x0f) {
      reply(0x300a);
      return;
    }
    const s = ncci.view.call.session;
    if (s instanceof FaxTransmission) {
      if (s.queued >= app.maxBDataBlocks) {
        reply(0x1103);
        return;
      }
      s.enqueue(m.dataHandle, m.messageNumber, m.applId, Buffer.from(m.data));
      return;
    }
    if (s instanceof FaxReception) {
      reply(0x2001);
      return;
    }
    // Transparent B3: confirm after the bytes crossed a 64 kbit/s line.
    const call = ncci.view.call;
    const ms = lineMs(m.data.length, 64000);
    call.record.lineMs += ms;
    this.after(call, ms, () => {
      if (ncci.state === 'active' || ncci.state === 'disconnecting') reply(0);
    });
  }

  /** DATA_B3_CONF for a block the fax transmission finished. */
  dataConf(ncci: Ncci, handle: number, h: { applId: number; messageNumber: number }, info: number): void {
    this.conf(ncci.view.app, h, { name: 'DATA_B3_CONF', ncci: ncci.id, dataHandle: handle, info });
  }

  dataInd(ncci: Ncci, handle: number, data: Uint8Array): void {
    this.ind<'DATA_B3_IND'>(ncci.view.app, {
      name: 'DATA_B3_IND',
      ncci: ncci.id,
      dataHandle: handle,
      data,
      flags: 0,
    });
  }

  private dataB3Resp(app: App, m: CapiMessageOf<'DATA_B3_RESP'>): void {
    const ncci = app.nccis.get(m.ncci);
    const s = ncci?.view.call.session;
    if (s instanceof FaxReception) s.resp(m.dataHandle);
  }

  // ---------------------------------------------------------------------------------------
  // incoming calls

  /** Offers a call from a remote sender; resolves when the call is over. */
  offer(plan: SenderPlan): Promise<CallRecord> {
    const ctrl =
      plan.controller !== undefined
        ? this.controllers[plan.controller - 1]
        : this.controllers.find((c) => c.owns(plan.to));
    const fake = (outcome: CallOutcome, reason: number): Promise<CallRecord> => {
      const rec: CallRecord = {
        id: this.nextCallId++,
        direction: 'incoming',
        controller: ctrl?.id ?? 0,
        plci: 0,
        from: plan.from,
        to: plan.to,
        cip: plan.cip,
        outcome,
        reason,
        pages: 0,
        lineMs: 0,
        startedAt: Date.now(),
        endedAt: Date.now(),
      };
      this.counters.call('incoming', outcome);
      this.emit('call', rec);
      return Promise.resolve(rec);
    };
    if (!ctrl) return fake('unallocated', 0x3481);
    const channel = ctrl.seizeChannel();
    if (channel === undefined) return fake('no-channel', 0x3491);
    const plci = ctrl.allocPlci();
    if (plci === undefined) {
      ctrl.releaseChannel(channel);
      return fake('no-channel', 0x34a2);
    }
    const call = new LineCall(ctrl, plci, 'incoming', this.nextCallId++, plan.from, plan.to, plan.cip);
    call.channel = channel;
    call.record.bChannel = channel;
    call.session = new FaxReception(this, call, plan);
    const targets = [...this.apps].filter((a) => {
      if (plan.ignoreListen) return true;
      const l = a.listens.get(ctrl.id);
      return l !== undefined && (((l.cipMask >>> plan.cip) & 1) === 1 || (l.cipMask & 1) === 1);
    });
    const done = new Promise<CallRecord>((resolve) => this.waiting.set(call, resolve));
    if (targets.length === 0) {
      this.clearLine(call, 'no-listener', 0x3481);
      return done;
    }
    for (const app of targets) {
      const view = new PlciView(app, call, 'offered');
      call.views.push(view);
      app.plcis.set(plci, view);
      this.ind<'CONNECT_IND'>(app, {
        name: 'CONNECT_IND',
        plci,
        cipValue: plan.cip,
        calledPartyNumber: { typePlan: 0x81, digits: plan.to },
        callingPartyNumber: { typePlan: plan.callerTypePlan ?? 0x21, presentation: 0x81, digits: plan.from },
      });
    }
    // The caller gives up when nobody answers. This waits on applications, not on the line,
    // so it runs in real time even at time factor 0.
    this.afterReal(call, this.cfg.timings.noAnswerMs, () => {
      if (!call.owner) this.clearLine(call, 'no-answer', 0x3490);
    });
    return done;
  }

  private alertReq(app: App, m: CapiMessageOf<'ALERT_REQ'>): void {
    const view = app.plcis.get(m.plci & 0xffff);
    if (!view || m.plci & 0xffff0000) {
      this.conf(app, m, { name: 'ALERT_CONF', plci: m.plci, info: 0x2002 });
      return;
    }
    if (view.state !== 'offered') {
      this.conf(app, m, { name: 'ALERT_CONF', plci: m.plci, info: 0x2001 });
      return;
    }
    const already = view.call.views.some((v) => v.alerted);
    view.alerted = true;
    this.conf(app, m, { name: 'ALERT_CONF', plci: m.plci, info: already ? 0x0003 : 0 });
  }

  private connectResp(app: App, m: CapiMessageOf<'CONNECT_RESP'>): void {
    const view = app.plcis.get(m.plci & 0xffff);
    if (view?.state !== 'offered') return;
    const call = view.call;
    if (m.reject === 1) {
      this.removeView(view);
      this.checkOffers(call);
      return;
    }
    if (m.reject !== 0) {
      view.rejectReason = rejectReason(m.reject);
      this.disconnectInd(view, view.rejectReason);
      this.checkOffers(call);
      return;
    }
    const b = checkBProtocol(m.bProtocol, call.ctrl.profile);
    if (!b.ok) {
      // No CONF exists for a RESP: the card clears the call with the Info as Reason.
      view.rejectReason = b.info;
      this.disconnectInd(view, b.info);
      this.checkOffers(call);
      return;
    }
    view.stack = b.stack;
    call.owner = view;
    call.record.conn = app.conn.id;
    for (const other of call.views) {
      if (other !== view && other.state === 'offered') this.disconnectInd(other, 0x3304);
    }
    view.state = 'activating';
    this.ind<'CONNECT_ACTIVE_IND'>(app, {
      name: 'CONNECT_ACTIVE_IND',
      plci: call.plci,
      connectedNumber: { typePlan: 0x81, presentation: 0x80, digits: call.record.to },
    });
  }

  /** Every offer decided and nobody accepted: the caller hears the rejection. */
  private checkOffers(call: LineCall): void {
    if (call.owner || call.cleared) return;
    if (call.views.some((v) => v.state === 'offered')) return;
    const rejected = call.views.find((v) => v.rejectReason !== undefined);
    if (rejected) this.clearLine(call, 'rejected', rejected.rejectReason!);
    else this.clearLine(call, 'ignored', 0x3490);
  }

  private incomingActive(call: LineCall, view: PlciView): void {
    const rx = call.session as FaxReception;
    const stack = view.stack!;
    if (!stack.fax) {
      // A fax caller meets a non-fax B channel: it hears no answer tone and hangs up.
      // A speech/data caller talks for a while, then hangs up.
      const ms = this.cfg.timings.noFaxToneMs;
      this.after(call, ms, () => {
        call.record.lineMs += ms;
        this.remoteHangsUp(call, rx.plan.fax ? 'not-fax' : 'completed', 0x3490);
      });
      return;
    }
    const ncci = new Ncci(call.ctrl.allocNcci(call.plci), view);
    ncci.state = 'offered';
    view.ncci = ncci;
    view.app.nccis.set(ncci.id, ncci);
    this.ind<'CONNECT_B3_IND'>(view.app, { name: 'CONNECT_B3_IND', ncci: ncci.id, ncpi: EMPTY });
  }

  private connectB3Resp(app: App, m: CapiMessageOf<'CONNECT_B3_RESP'>): void {
    const ncci = app.nccis.get(m.ncci);
    if (ncci?.state !== 'offered') return;
    const call = ncci.view.call;
    const rx = call.session as FaxReception;
    if (m.reject !== 0) {
      this.b3Ends(ncci, 0, 'rejected');
      this.remoteHangsUp(call, 'rejected', 0x3490);
      return;
    }
    ncci.state = 'training';
    const stack = ncci.view.stack!;
    if (!rx.plan.fax) {
      const ms = this.cfg.timings.noFaxToneMs;
      this.after(call, ms, () => {
        call.record.lineMs += ms;
        this.b3Ends(ncci, 0x3311, 'not-fax');
        this.remoteHangsUp(call, 'not-fax', 0x3490);
      });
      return;
    }
    const rate = this.negotiatedRate(stack, rx.plan.rate);
    const fine = rx.plan.fine ?? false;
    call.record.rate = rate;
    call.record.fine = fine;
    call.record.remoteId = rx.plan.csi;
    rx.rate = rate;
    this.after(call, this.cfg.timings.trainingMs, () => {
      call.record.lineMs += this.cfg.timings.trainingMs;
      const ncpi = encodeFaxNcpi(
        stack.b3 === 4
          ? { b3: 4, rate, resolution: fine ? 1 : 0, format: 0, pages: 0, receiveId: rx.plan.csi }
          : { b3: 5, rate, options: fine ? 1 : 0, format: 0, pages: 0, receiveId: rx.plan.csi },
      );
      this.b3Active(ncci, ncpi, rate);
    });
  }

  // ---------------------------------------------------------------------------------------
  // clearing

  private disconnectB3Req(app: App, m: CapiMessageOf<'DISCONNECT_B3_REQ'>): void {
    const ncci = app.nccis.get(m.ncci);
    const reply = (info: number) => this.conf(app, m, { name: 'DISCONNECT_B3_CONF', ncci: m.ncci, info });
    if (!ncci) {
      reply(0x2002);
      return;
    }
    if (ncci.state === 'disconnecting' || ncci.state === 'disconnected' || ncci.state === 'offered') {
      reply(0x2001);
      return;
    }
    reply(0);
    const call = ncci.view.call;
    const s = call.session;
    if (ncci.state === 'active' && s instanceof FaxTransmission) {
      ncci.state = 'disconnecting';
      s.finish();
      return;
    }
    // Anything else (training, transparent, receiving): the local side ends B3 now.
    const local = s instanceof FaxReception || s instanceof FaxTransmission;
    if (s) s.abort();
    this.b3Ends(
      ncci,
      local && ncci.state !== 'connecting' && ncci.state !== 'training' ? 0x3318 : 0,
      'local-abort',
    );
    if (s instanceof FaxReception) this.remoteHangsUp(call, 'local-abort', 0x3490);
  }

  /** Sends DISCONNECT_B3_IND and records the B3 result; the NCCI lives until its RESP. */
  b3Ends(ncci: Ncci, reasonB3: number, outcome: CallOutcome, ncpi: Uint8Array = EMPTY): void {
    if (ncci.state === 'disconnected') return;
    ncci.state = 'disconnected';
    const call = ncci.view.call;
    call.record.reasonB3 = reasonB3;
    call.b3Outcome = outcome;
    this.ind<'DISCONNECT_B3_IND'>(ncci.view.app, {
      name: 'DISCONNECT_B3_IND',
      ncci: ncci.id,
      reasonB3,
      ncpi,
    });
  }

  /** Final fax NCPI: rate, resolution, pages, remote ID. */
  finalNcpi(call: LineCall, pages: number): Uint8Array {
    const stack = call.owner?.stack;
    const rate = call.record.rate ?? 0;
    const fine = call.record.fine ?? false;
    const id = call.record.remoteId ?? '';
    if (!stack?.fax) return EMPTY;
    if (stack.b3 === 4 && this.cfg.finalNcpi === 'b3-5-only') return EMPTY;
    return encodeFaxNcpi(
      stack.b3 === 4
        ? { b3: 4, rate, resolution: fine ? 1 : 0, format: 0, pages, receiveId: id }
        : { b3: 5, rate, options: fine ? 1 : 0, format: 0, pages, receiveId: id },
    );
  }

  private disconnectB3Resp(app: App, m: CapiMessageOf<'DISCONNECT_B3_RESP'>): void {
    const ncci = app.nccis.get(m.ncci);
    if (ncci?.state !== 'disconnected') return;
    app.nccis.delete(ncci.id);
    if (ncci.view.ncci === ncci) ncci.view.ncci = undefined;
    const call = ncci.view.call;
    if (call.pendingHangup) {
      const [outcome, reason] = call.pendingHangup;
      call.pendingHangup = undefined;
      this.clearLine(call, outcome, reason);
    }
  }

  private disconnectReq(app: App, m: CapiMessageOf<'DISCONNECT_REQ'>): void {
    const view = app.plcis.get(m.plci & 0xffff);
    const reply = (info: number) => this.conf(app, m, { name: 'DISCONNECT_CONF', plci: m.plci, info });
    if (!view || m.plci & 0xffff0000) {
      reply(0x2002);
      return;
    }
    if (view.state === 'disconnecting' || view.state === 'disconnected') {
      reply(0x2001);
      return;
    }
    reply(0);
    const call = view.call;
    if (view.state === 'offered') {
      view.rejectReason = 0x3490;
      this.disconnectInd(view, 0x3490);
      this.checkOffers(call);
      return;
    }
    view.state = 'disconnecting';
    const ncci = view.ncci;
    // A finished B3 phase keeps its outcome (completed, not-fax …); anything else is our abort.
    const outcome: CallOutcome = call.b3Outcome ?? 'local-abort';
    if (ncci && ncci.state !== 'disconnected') {
      call.session?.abort();
      this.b3Ends(
        ncci,
        ncci.state === 'connecting' || ncci.state === 'offered' ? 0 : 0x3318,
        'local-abort',
        this.finalNcpi(call, call.record.pages),
      );
    }
    this.clearLine(call, outcome, 0x3490);
  }

  private disconnectResp(app: App, m: CapiMessageOf<'DISCONNECT_RESP'>): void {
    const view = app.plcis.get(m.plci & 0xffff);
    if (view?.state !== 'disconnected') return;
    this.removeView(view);
  }

  private disconnectInd(view: PlciView, reason: number): void {
    if (view.state === 'disconnected') return;
    view.state = 'disconnected';
    this.ind<'DISCONNECT_IND'>(view.app, { name: 'DISCONNECT_IND', plci: view.call.plci, reason });
  }

  private removeView(view: PlciView): void {
    const app = view.app;
    const call = view.call;
    if (app.plcis.get(call.plci) === view) app.plcis.delete(call.plci);
    if (view.ncci) app.nccis.delete(view.ncci.id);
    view.ncci = undefined;
    const i = call.views.indexOf(view);
    if (i >= 0) call.views.splice(i, 1);
    this.maybeFreePlci(call);
  }

  private maybeFreePlci(call: LineCall): void {
    if (call.cleared && call.views.length === 0 && !call.plciFreed) {
      call.plciFreed = true;
      call.ctrl.freePlci(call.plci);
    }
  }

  /** The network clears an outgoing call before it was answered. */
  private networkClears(call: LineCall, reason: number): void {
    this.clearLine(call, outcomeOfReason(reason), reason);
  }

  /**
   * The remote side hangs up. With a B3 connection still open, DISCONNECT_IND waits for the
   * DISCONNECT_B3_RESP (applications free B3 buffers first).
   */
  remoteHangsUp(call: LineCall, outcome: CallOutcome, reason: number): void {
    if (call.cleared) return;
    const ncci = call.owner?.ncci;
    if (ncci && ncci.state === 'disconnected' && call.owner!.app.nccis.has(ncci.id)) {
      call.pendingHangup = [outcome, reason];
      // Bound the wait: a client that never answers still gets its line cleared.
      this.afterReal(call, 5000, () => {
        if (call.pendingHangup) {
          call.pendingHangup = undefined;
          this.clearLine(call, outcome, reason);
        }
      });
      return;
    }
    if (ncci && ncci.state !== 'disconnected')
      this.b3Ends(ncci, reason === 0x3301 ? 0x3301 : 0x3314, outcome);
    this.clearLine(call, outcome, reason);
  }

  /** The line is released: channel free, every view told, the result recorded. */
  clearLine(call: LineCall, outcome: CallOutcome, reason: number): void {
    if (call.cleared) return;
    call.cleared = true;
    call.cancelTimers();
    call.session?.abort();
    if (call.channel !== undefined) {
      call.ctrl.releaseChannel(call.channel);
      call.channel = undefined;
    }
    const rec = call.record;
    rec.outcome =
      call.b3Outcome && call.b3Outcome !== 'completed' && outcome !== 'line-drop' ? call.b3Outcome : outcome;
    if (call.b3Outcome === 'completed' && outcome !== 'line-drop') rec.outcome = 'completed';
    rec.reason = reason;
    rec.endedAt = Date.now();
    for (const view of [...call.views]) {
      if (view.state !== 'disconnected') this.disconnectInd(view, view === call.owner ? reason : 0x3490);
      if (!this.apps.has(view.app)) this.removeView(view);
    }
    this.maybeFreePlci(call);
    this.counters.call(rec.direction, rec.outcome);
    this.emit('call', rec);
    const resolve = this.waiting.get(call);
    if (resolve) {
      this.waiting.delete(call);
      resolve(rec);
    }
  }

  private abortSession(call: LineCall, _why: CallOutcome): void {
    call.session?.abort();
  }

  /** Drops the line on calls of one controller (or all): Reason 0x3301 layer-1 error. */
  dropLines(controller?: number): number {
    let n = 0;
    const calls = new Set<LineCall>();
    for (const app of this.apps) for (const v of app.plcis.values()) calls.add(v.call);
    for (const call of calls) {
      if (call.cleared || (controller !== undefined && call.ctrl.id !== controller)) continue;
      n++;
      const ncci = call.owner?.ncci;
      call.session?.abort();
      if (ncci && ncci.state !== 'disconnected')
        this.b3Ends(ncci, 0x3301, 'line-drop', this.finalNcpi(call, call.record.pages));
      this.clearLine(call, 'line-drop', 0x3301);
    }
    return n;
  }

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

  /** The remote fax machine stored a document. */
  deliver(number: string, fax: ReceivedFax): void {
    this.received(number, fax);
    this.emit('fax', number, fax);
  }

  get timings(): SimConfig['timings'] {
    return this.cfg.timings;
  }
}

// -------------------------------------------------------------------------------------------
// Fax sessions

interface Block {
  handle: number;
  h: { applId: number; messageNumber: number };
  data: Buffer;
}

/** The application sends a fax; the remote machine (a party) receives it. */
class FaxTransmission {
  private readonly queue: Block[] = [];
  private busy = false;
  private finishing = false;
  private aborted = false;
  private readonly watcher = new SffWatcher();

  constructor(
    private readonly card: Card,
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
      this.store(false, this.call.record.reasonB3 ?? 0x3318);
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
        this.fail(0x3319, 'sff-error');
        return;
      }
      throw e;
    }
    const before = this.call.record.pages;
    for (const page of completed) {
      if (page.resolution !== 'standard' && this.party.fine === false) {
        this.fail(0x3313, 'mode-refused');
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
      this.fail(0x3314, 'remote-abort', true);
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
      this.card.dataConf(this.ncci, block.handle, block.h, 0);
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
        this.fail(0x3319, 'sff-error');
        return;
      }
      throw e;
    }
    if (!whole) {
      // DISCONNECT_B3_REQ before the end-of-document record, between two records: the
      // application stopped the transfer. The page in progress is lost.
      this.fail(0x3318, 'local-abort');
      return;
    }
    for (const page of last) {
      if (page.resolution !== 'standard' && this.party.fine === false) {
        this.fail(0x3313, 'mode-refused');
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
      this.store(true, 0);
      this.card.b3Ends(this.ncci, 0, 'completed', this.card.finalNcpi(this.call, pages));
    });
  }

  /** The transfer fails: B3 ends with reasonB3; a remote abort also hangs up the line. */
  private fail(reasonB3: number, outcome: CallOutcome, remoteHangsUp = false): void {
    this.aborted = true;
    this.queue.length = 0;
    this.call.record.reasonB3 = reasonB3;
    this.store(false, reasonB3);
    this.card.b3Ends(this.ncci, reasonB3, outcome, this.card.finalNcpi(this.call, this.call.record.pages));
    if (remoteHangsUp) this.card.remoteHangsUp(this.call, outcome, 0x3490);
  }

  private stored = false;
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

/** A remote sender calls; the application receives (DATA_B3_IND). */
class FaxReception {
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
    private readonly card: Card,
    private readonly call: LineCall,
    readonly plan: SenderPlan,
  ) {}

  start(): void {
    if (this.started) return;
    this.started = true;
    this.pump();
  }

  abort(): void {
    this.aborted = true;
  }

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
      this.nextHandle = (this.nextHandle + 1) & 0xffff || 1;
      this.outstanding.add(handle);
      this.offset += len;
      this.card.dataInd(ncci, handle, block);
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
    this.card.b3Ends(ncci, 0x3314, 'remote-abort', this.card.finalNcpi(this.call, this.pagesSent));
    this.card.remoteHangsUp(this.call, 'remote-abort', 0x3490);
  }

  private finish(ncci: Ncci): void {
    this.aborted = true;
    const ms = this.card.timings.releaseMs;
    this.call.record.lineMs += ms;
    this.card.after(this.call, ms, () => {
      if (ncci.state !== 'active') return;
      this.card.b3Ends(ncci, 0, 'completed', this.card.finalNcpi(this.call, this.pagesSent));
      this.card.remoteHangsUp(this.call, 'completed', 0x3490);
    });
  }
}
