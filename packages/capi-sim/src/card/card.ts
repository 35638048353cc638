// The simulated active fax card as the simulator and the rcapi server see it: applications
// register and go away, each CAPI message is decoded and handed to the concern that owns it,
// and the messages no call concern owns are answered here (LISTEN, SELECT_B_PROTOCOL, INFO,
// FACILITY, RESET_B3, CONNECT_ACTIVE_RESP, an undecodable REQ). The concerns:
//   state.ts         shared card state and message/timer primitives
//   outgoing.ts      CONNECT_REQ … CONNECT_B3_REQ, the remote party's reaction
//   incoming.ts      offers (CONNECT_IND), ALERT, CONNECT_RESP, CONNECT_B3_IND/RESP
//   data.ts          CONNECT_B3_ACTIVE, DATA_B3 to the fax session or a transparent line
//   transmission.ts  fax transmission (the remote machine receives our SFF)
//   reception.ts     fax reception (a remote machine sends to us)
//   disconnect.ts    the application's DISCONNECT_B3 / DISCONNECT
//   teardown.ts      how calls end: B3 and line cleared, remote hang-up, line drop
//   reasons.ts       Reject → Reason, Reason → outcome, services, party numbers
//   ncpi.ts          the fax NCPI; model.ts, bprotocol.ts: call objects, B-protocol checks
import {
  type CapiMessage,
  type CapiMessageOf,
  decodeMessage,
  Info,
  Limits,
  type MessageName,
  messageName,
  plciOf,
  Reason,
  Subcommand,
} from '@faxgate/capi-bindings';
import type { AppConnection } from '../rcapi/server.js';
import { checkBProtocol } from './bprotocol.js';
import { connectB3ActiveResp, dataB3Req, dataB3Resp } from './data.js';
import { disconnectB3Req, disconnectB3Resp, disconnectReq, disconnectResp } from './disconnect.js';
import { alertReq, checkOffers, connectB3Resp, connectResp, incomingActive, offer } from './incoming.js';
import { App, type CallRecord } from './model.js';
import { connectB3Req, connectReq } from './outgoing.js';
import type { SenderPlan } from './reception.js';
import { CardState, EMPTY, isControllerAddress, isPlciAddress } from './state.js';
import { clearLine, dropLines, removeView } from './teardown.js';

export type { SenderPlan } from './reception.js';
export type { ReceivedFax } from './transmission.js';

/** REGISTER limits: ApplIDs the card hands out, the smallest B3 block an application may ask for. */
const MAX_APPLICATIONS = 1023;
const MIN_B_DATA_LEN = 128;

/** Header bytes of a CAPI message (capi-reference §8.1): fixed part and where fields sit. */
const HEADER_LEN = 12;
const SUBCOMMAND_AT = 5;
const COMMAND_AT = 4;
const APPL_ID_AT = 2;
const MESSAGE_NUMBER_AT = 6;
const ADDRESS_AT = 8;
/** DATA_B3_REQ: DataHandle after NCCI, Data32 and DataLength; FACILITY_REQ: its selector. */
const DATA_HANDLE_AT = 18;
const FACILITY_SELECTOR_AT = 12;

export class Card extends CardState {
  // ---------------------------------------------------------------------------------------
  // applications

  register(
    conn: AppConnection,
    p: { maxLogicalConnection: number; maxBDataBlocks: number; maxBDataLen: number },
  ): number {
    if (p.maxBDataLen < MIN_B_DATA_LEN) return Info.LOGICAL_BLOCK_SIZE_TOO_SMALL;
    if (p.maxLogicalConnection < 1) return Info.MAX_LOGICAL_CONNECTIONS_NOT_SUPPORTED;
    if (this.apps.size >= MAX_APPLICATIONS) return Info.TOO_MANY_APPLICATIONS;
    // DATA_B3_IND blocks must fit a 4096-byte frame; the library never asks for more than 2048.
    const app = new App(
      conn,
      p.maxLogicalConnection,
      Math.max(1, Math.min(p.maxBDataBlocks, Limits.MAX_OUTSTANDING_B3_BLOCKS)),
      Math.min(p.maxBDataLen, Limits.DEFAULT_B_DATA_LEN),
    );
    conn.app = app;
    this.apps.add(app);
    this.counters.applications = this.apps.size;
    return Info.OK;
  }

  /** The connection closed: the application is gone, its calls are cleared. */
  appGone(conn: AppConnection): void {
    const app = conn.app as App | undefined;
    if (!app || !this.apps.has(app)) return;
    this.apps.delete(app);
    this.counters.applications = this.apps.size;
    for (const view of [...app.plcis.values()]) {
      const call = view.call;
      removeView(view);
      if (call.owner === view && !call.cleared) {
        call.session?.abort();
        clearLine(this, call, 'app-gone', Reason.NORMAL_CLEARING);
      } else if (!call.owner && !call.cleared && call.record.direction === 'incoming') {
        checkOffers(this, call);
      }
    }
  }

  /** Offers a call from a remote sender; resolves when the call is over. */
  offer(plan: SenderPlan): Promise<CallRecord> {
    return offer(this, plan);
  }

  /** Drops the line on calls of one controller (or all): Reason 0x3301 layer-1 error. */
  dropLines(controller?: number): number {
    return dropLines(this, controller);
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
        connectReq(this, app, m);
        return;
      case 'CONNECT_RESP':
        connectResp(this, app, m);
        return;
      case 'CONNECT_ACTIVE_RESP':
        this.connectActiveResp(app, m);
        return;
      case 'ALERT_REQ':
        alertReq(this, app, m);
        return;
      case 'INFO_REQ':
        this.conf(app, m, {
          name: 'INFO_CONF',
          address: m.address,
          info: this.validAddress(app, m.address) ? Info.OK : Info.ILLEGAL_IDENTIFIER,
        });
        return;
      case 'SELECT_B_PROTOCOL_REQ':
        this.selectB(app, m);
        return;
      case 'FACILITY_REQ':
        this.conf(app, m, {
          name: 'FACILITY_CONF',
          address: m.address,
          info: Info.FACILITY_NOT_SUPPORTED,
          facilitySelector: m.facilitySelector,
          facilityConfirmationParameter: EMPTY,
        });
        return;
      case 'CONNECT_B3_REQ':
        connectB3Req(this, app, m);
        return;
      case 'CONNECT_B3_RESP':
        connectB3Resp(this, app, m);
        return;
      case 'CONNECT_B3_ACTIVE_RESP':
        connectB3ActiveResp(app, m);
        return;
      case 'DATA_B3_REQ':
        dataB3Req(this, app, m);
        return;
      case 'DATA_B3_RESP':
        dataB3Resp(app, m);
        return;
      case 'DISCONNECT_B3_REQ':
        disconnectB3Req(this, app, m);
        return;
      case 'DISCONNECT_B3_RESP':
        disconnectB3Resp(this, app, m);
        return;
      case 'DISCONNECT_REQ':
        disconnectReq(this, app, m);
        return;
      case 'DISCONNECT_RESP':
        disconnectResp(app, m);
        return;
      case 'RESET_B3_REQ':
        this.conf(app, m, {
          name: 'RESET_B3_CONF',
          ncci: m.ncci,
          info: app.nccis.has(m.ncci) ? Info.RESET_NOT_SUPPORTED : Info.ILLEGAL_IDENTIFIER,
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
    if (raw.length < HEADER_LEN || raw[SUBCOMMAND_AT] !== Subcommand.REQ) return;
    const name = messageName(raw[COMMAND_AT], raw[SUBCOMMAND_AT]);
    if (!name) return;
    const addr = raw.readUInt32LE(ADDRESS_AT);
    const confName = `${name.slice(0, -4)}_CONF` as MessageName;
    const h = { applId: raw.readUInt16LE(APPL_ID_AT), messageNumber: raw.readUInt16LE(MESSAGE_NUMBER_AT) };
    const info = Info.ILLEGAL_PARAMETER_CODING;
    switch (confName) {
      case 'DATA_B3_CONF': {
        const handle = raw.length >= DATA_HANDLE_AT + 2 ? raw.readUInt16LE(DATA_HANDLE_AT) : 0;
        this.conf(app, h, { name: confName, ncci: addr, dataHandle: handle, info });
        return;
      }
      case 'FACILITY_CONF':
        this.conf(app, h, {
          name: confName,
          address: addr,
          info,
          facilitySelector:
            raw.length >= FACILITY_SELECTOR_AT + 2 ? raw.readUInt16LE(FACILITY_SELECTOR_AT) : 0,
        });
        return;
      case 'MANUFACTURER_CONF':
        return;
      case 'CONNECT_B3_CONF':
      case 'DISCONNECT_B3_CONF':
      case 'RESET_B3_CONF':
        this.conf(app, h, { name: confName, ncci: addr, info });
        return;
      case 'LISTEN_CONF':
        this.conf(app, h, { name: confName, controller: addr, info });
        return;
      case 'INFO_CONF':
        this.conf(app, h, { name: confName, address: addr, info });
        return;
      default:
        this.conf(app, h, { name: confName, plci: addr, info });
        return;
    }
  }

  // ---------------------------------------------------------------------------------------
  // LISTEN, SELECT_B_PROTOCOL, CONNECT_ACTIVE_RESP

  private listen(app: App, m: CapiMessageOf<'LISTEN_REQ'>): void {
    const ctrl = this.controllerOf(m.controller);
    if (!ctrl || !isControllerAddress(m.controller)) {
      this.conf(app, m, { name: 'LISTEN_CONF', controller: m.controller, info: Info.ILLEGAL_IDENTIFIER });
      return;
    }
    if (m.cipMask === 0) app.listens.delete(ctrl.id);
    else app.listens.set(ctrl.id, { infoMask: m.infoMask, cipMask: m.cipMask >>> 0 });
    this.conf(app, m, { name: 'LISTEN_CONF', controller: m.controller, info: Info.OK });
  }

  private selectB(app: App, m: CapiMessageOf<'SELECT_B_PROTOCOL_REQ'>): void {
    const view = app.plcis.get(plciOf(m.plci));
    const reply = (info: number) => this.conf(app, m, { name: 'SELECT_B_PROTOCOL_CONF', plci: m.plci, info });
    if (!view || !isPlciAddress(m.plci)) {
      reply(Info.ILLEGAL_IDENTIFIER);
      return;
    }
    if (view.state !== 'active' || view.ncci) {
      reply(Info.ILLEGAL_STATE);
      return;
    }
    const b = checkBProtocol(m.bProtocol, view.call.ctrl.profile);
    if (!b.ok) {
      reply(b.info);
      return;
    }
    view.stack = b.stack;
    reply(Info.OK);
  }

  /** Either direction; an accepted incoming call then goes on to B3. */
  private connectActiveResp(app: App, m: CapiMessageOf<'CONNECT_ACTIVE_RESP'>): void {
    const view = app.plcis.get(plciOf(m.plci));
    if (view?.state !== 'activating') return;
    view.state = 'active';
    const call = view.call;
    if (call.record.direction === 'incoming') incomingActive(this, call, view);
  }
}
