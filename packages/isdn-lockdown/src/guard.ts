// The message guard: every CAPI message an application sends is checked here before it
// reaches the card. It keeps just enough call state to know which PLCIs/NCCIs are fax calls.
import { type CapiMessage, plciOf, tryDecodeFaxNcpi } from '@faxgate/capi-bindings';
import { faxOptionsViolation, faxProtocolViolation } from './fax-protocol.js';
import { type LockdownPolicy, listenCipMask } from './policy.js';

export interface GuardVerdict {
  /** A short stable rule name, e.g. "message-not-allowed", "not-fax-protocol". */
  rule: string;
  reason: string;
}

/** Messages an application may never send, whatever the state (the fax call set excludes them). */
const FORBIDDEN: Partial<Record<CapiMessage['name'], string>> = {
  FACILITY_REQ: 'supplementary services, DTMF and handset are not part of fax',
  MANUFACTURER_REQ: 'manufacturer-specific functions are disabled',
  MANUFACTURER_RESP: 'manufacturer-specific functions are disabled',
  RESET_B3_REQ: 'RESET_B3 has no use in a fax call',
  INFO_REQ: 'overlap sending and keypad facilities are not part of fax',
  CONNECT_B3_T90_ACTIVE_RESP: 'T.90 is not fax',
};

export class MessageGuard {
  /** PLCIs of calls set up with a fax B protocol (ours or accepted by us) → their B3 protocol. */
  private readonly faxPlcis = new Map<number, number>();
  /** Our CONNECT_REQs waiting for their CONNECT_CONF: message number → B3 protocol. */
  private readonly dialling = new Map<number, number>();
  /** Incoming calls announced by CONNECT_IND and not yet answered: PLCI → CIP. */
  private readonly offered = new Map<number, number>();

  constructor(private readonly policy: LockdownPolicy) {}

  /** The B3 protocol of a fax call we know (4 or 5), by PLCI. */
  b3Of(plci: number): number | undefined {
    return this.faxPlcis.get(plci);
  }

  /** Returns why `msg` must not be sent, or undefined when it may go to the card. */
  check(msg: CapiMessage): GuardVerdict | undefined {
    const forbidden = FORBIDDEN[msg.name];
    if (forbidden) return { rule: 'message-not-allowed', reason: forbidden };
    switch (msg.name) {
      case 'LISTEN_REQ': {
        const allowed = listenCipMask(this.policy);
        const mask = msg.cipMask ?? 0;
        if ((mask & ~allowed) >>> 0 !== 0 || (msg.cipMask2 ?? 0) !== 0) {
          return {
            rule: 'listen-mask',
            reason: `CIP mask 0x${mask.toString(16)} offers services outside 0x${allowed.toString(16)} (${this.policy.mode})`,
          };
        }
        return undefined;
      }
      case 'CONNECT_REQ': {
        if (!this.policy.outgoingServices.includes(msg.cipValue ?? 0)) {
          return {
            rule: 'service-not-allowed',
            reason: `CIP ${msg.cipValue ?? 0} is not an allowed outgoing service`,
          };
        }
        return this.protocolVerdict(msg.bProtocol);
      }
      case 'CONNECT_RESP': {
        if ((msg.reject ?? 0) !== 0) return undefined; // refusing a call is always allowed
        if (this.policy.mode === 'outgoing-only') {
          return { rule: 'outgoing-only', reason: 'no incoming call may be answered in outgoing-only mode' };
        }
        const cip = this.offered.get(msg.plci);
        if (cip === undefined)
          return {
            rule: 'unknown-call',
            reason: `no incoming call offered on PLCI 0x${msg.plci.toString(16)}`,
          };
        if (!this.policy.incomingServices.includes(cip)) {
          return { rule: 'service-not-allowed', reason: `incoming service CIP ${cip} is not allowed` };
        }
        return this.protocolVerdict(msg.bProtocol);
      }
      case 'ALERT_REQ':
        if (this.policy.mode === 'outgoing-only') {
          return { rule: 'outgoing-only', reason: 'no incoming call may be alerted in outgoing-only mode' };
        }
        return this.offered.has(msg.plci) ? undefined : this.notFax('ALERT_REQ', msg.plci);
      case 'SELECT_B_PROTOCOL_REQ':
        return this.faxPlcis.has(msg.plci)
          ? this.protocolVerdict(msg.bProtocol)
          : this.notFax(msg.name, msg.plci);
      case 'CONNECT_B3_REQ': {
        if (!this.faxPlcis.has(msg.plci)) return this.notFax(msg.name, msg.plci);
        return this.ncpiVerdict(this.faxPlcis.get(msg.plci), msg.ncpi);
      }
      case 'CONNECT_B3_RESP':
        if (!this.faxPlcis.has(plciOf(msg.ncci))) return this.notFax(msg.name, msg.ncci);
        return (msg.reject ?? 0) === 0
          ? this.ncpiVerdict(this.faxPlcis.get(plciOf(msg.ncci)), msg.ncpi)
          : undefined;
      case 'CONNECT_B3_ACTIVE_RESP':
      case 'DISCONNECT_B3_REQ':
      case 'DISCONNECT_B3_RESP':
      case 'DATA_B3_REQ':
      case 'DATA_B3_RESP':
        return this.faxPlcis.has(plciOf(msg.ncci)) ? undefined : this.notFax(msg.name, msg.ncci);
      case 'CONNECT_ACTIVE_RESP':
      case 'DISCONNECT_REQ':
      case 'DISCONNECT_RESP':
      case 'INFO_RESP':
      case 'FACILITY_RESP':
      case 'RESET_B3_RESP':
        return undefined; // answers and hang-ups keep the protocol correct; they enable nothing
      default:
        return { rule: 'message-not-allowed', reason: `${msg.name} is not a message an application sends` };
    }
  }

  /** Learns call state from what the card sends (and from what we let through). */
  observeIncoming(msg: CapiMessage): void {
    switch (msg.name) {
      case 'CONNECT_CONF': {
        // Every CONNECT_REQ that passed the guard asked for a fax protocol.
        const b3 = this.dialling.get(msg.messageNumber);
        this.dialling.delete(msg.messageNumber);
        if ((msg.info ?? 0) === 0 && b3 !== undefined) this.faxPlcis.set(msg.plci, b3);
        break;
      }
      case 'CONNECT_IND':
        this.offered.set(msg.plci, msg.cipValue ?? 0);
        break;
      case 'DISCONNECT_IND':
        this.faxPlcis.delete(msg.plci);
        this.offered.delete(msg.plci);
        break;
    }
  }

  observeSent(msg: CapiMessage): void {
    if (msg.name === 'CONNECT_REQ') {
      this.dialling.set(msg.messageNumber, msg.bProtocol?.b3 ?? 4);
    } else if (msg.name === 'CONNECT_RESP') {
      this.offered.delete(msg.plci);
      if ((msg.reject ?? 0) === 0) this.faxPlcis.set(msg.plci, msg.bProtocol?.b3 ?? 4);
    } else if (msg.name === 'SELECT_B_PROTOCOL_REQ' && msg.bProtocol) {
      this.faxPlcis.set(msg.plci, msg.bProtocol.b3);
    }
  }

  private protocolVerdict(bp: Parameters<typeof faxProtocolViolation>[0]): GuardVerdict | undefined {
    const why = faxProtocolViolation(bp, this.policy);
    return why ? { rule: 'not-fax-protocol', reason: why } : undefined;
  }

  private ncpiVerdict(b3: number | undefined, ncpi: Uint8Array | undefined): GuardVerdict | undefined {
    // Only B3 = 5 carries T.30 options in the NCPI of CONNECT_B3_REQ/RESP.
    if (b3 !== 5 || !ncpi || ncpi.length === 0) return undefined;
    const decoded = tryDecodeFaxNcpi(5, ncpi);
    if (decoded?.b3 !== 5) return { rule: 'not-fax-protocol', reason: 'NCPI is not a fax NCPI' };
    const why = faxOptionsViolation(decoded.options, this.policy);
    return why ? { rule: 'not-fax-protocol', reason: why } : undefined;
  }

  private notFax(name: string, address: number): GuardVerdict {
    return {
      rule: 'not-a-fax-call',
      reason: `${name} on 0x${address.toString(16)}, which is not a fax call of ours`,
    };
  }
}
