/**
 * Names for Info and Reason values (capi-reference §8.10) and a classification of call
 * outcomes into a few classes the gateway's retry policy understands.
 */

const INFO_NAMES: Record<number, string> = {
  0: 'ok',
  1: 'NCPI not supported by current protocol, ignored',
  2: 'flags not supported by current protocol, ignored',
  3: 'alert already sent by another application',
  4097: 'too many applications',
  4098: 'logical block size too small (< 128)',
  4099: 'buffer exceeds 64 KB',
  4100: 'message buffer size too small (< 1024)',
  4101: 'max. number of logical connections not supported',
  4102: 'reserved',
  4103: 'register: busy',
  4104: 'register: OS resource error',
  4105: 'CAPI not installed',
  4106: 'controller does not support external equipment',
  4107: 'controller supports only external equipment',
  4353: 'illegal application id',
  4354: 'illegal command or subcommand, or message shorter than 12 bytes',
  4355: 'send queue full',
  4356: 'receive queue empty',
  4357: 'receive queue overflow, a message was lost',
  4358: 'unknown notification parameter',
  4359: 'message exchange: busy',
  4360: 'message exchange: OS resource error',
  4361: 'message exchange: CAPI not installed',
  4362: 'message exchange: controller does not support external equipment',
  4363: 'message exchange: controller supports only external equipment',
  8193: 'message not supported in current state',
  8194: 'illegal controller / PLCI / NCCI',
  8195: 'out of PLCI',
  8196: 'out of NCCI',
  8197: 'out of LISTEN',
  8198: 'out of fax resources (T.30)',
  8199: 'illegal message parameter coding',
  12289: 'B1 protocol not supported',
  12290: 'B2 protocol not supported',
  12291: 'B3 protocol not supported',
  12292: 'B1 protocol parameter not supported',
  12293: 'B2 protocol parameter not supported',
  12294: 'B3 protocol parameter not supported',
  12295: 'B protocol combination not supported',
  12296: 'NCPI not supported',
  12297: 'CIP value unknown',
  12298: 'flags not supported (reserved bits)',
  12299: 'facility not supported',
  12300: 'data length not supported by current protocol',
  12301: 'reset procedure not supported by current protocol',
  13057: 'layer 1 protocol error (line broken or B channel removed)',
  13058: 'layer 2 protocol error',
  13059: 'layer 3 protocol error',
  13060: 'another application got the call',
  13073: 'remote station is not a G3 fax machine',
  13074: 'fax training error',
  13075: 'disconnected before transfer (remote does not support the transfer mode)',
  13076: 'disconnected during transfer (remote abort)',
  13077: 'disconnected during transfer (remote procedure error)',
  13078: 'disconnected during transfer (local transmit data underrun)',
  13079: 'disconnected during transfer (local receive data overflow)',
  13080: 'disconnected during transfer (local abort)',
  13081: 'illegal parameter coding (e.g. SFF coding error)',
  13568: 'modem: normal end of connection',
  13569: 'modem: carrier lost',
  13570: 'modem: error-correction negotiation failed',
  13571: 'modem: no answer to protocol request',
  13572: 'modem: remote works in synchronous mode only',
  13573: 'modem: framing failed',
  13574: 'modem: protocol negotiation failed',
  13575: 'modem: wrong protocol request from remote',
  13576: 'modem: sync information missing',
  13577: 'modem: normal end of connection from remote',
  13578: 'modem: no answer from remote modem',
  13579: 'modem: protocol error',
  13580: 'modem: compression error',
  13581: 'modem: no connect (timeout or wrong modulation)',
  13582: 'modem: no protocol fall-back allowed',
  13583: 'no modem or fax at the requested number',
  13584: 'modem: handshake error',
};

/** Q.850 cause values (the low 7 bits of a 0x34xx reason). */
const Q850: Record<number, string> = {
  1: 'unallocated (unassigned) number',
  2: 'no route to specified transit network',
  3: 'no route to destination',
  6: 'channel unacceptable',
  7: 'call awarded and being delivered in an established channel',
  16: 'normal call clearing',
  17: 'user busy',
  18: 'no user responding',
  19: 'no answer from user (user alerted)',
  21: 'call rejected',
  22: 'number changed',
  26: 'non-selected user clearing',
  27: 'destination out of order',
  28: 'invalid number format',
  29: 'facility rejected',
  30: 'response to STATUS ENQUIRY',
  31: 'normal, unspecified',
  34: 'no circuit/channel available',
  38: 'network out of order',
  41: 'temporary failure',
  42: 'switching equipment congestion',
  43: 'access information discarded',
  44: 'requested circuit/channel not available',
  47: 'resources unavailable, unspecified',
  49: 'quality of service unavailable',
  50: 'requested facility not subscribed',
  57: 'bearer capability not authorized',
  58: 'bearer capability not presently available',
  63: 'service or option not available, unspecified',
  65: 'bearer capability not implemented',
  66: 'channel type not implemented',
  69: 'requested facility not implemented',
  70: 'only restricted digital information bearer capability is available',
  79: 'service or option not implemented, unspecified',
  81: 'invalid call reference value',
  82: 'identified channel does not exist',
  83: 'a suspended call exists, but this call identity does not',
  84: 'call identity in use',
  85: 'no call suspended',
  86: 'call having the requested call identity has been cleared',
  88: 'incompatible destination',
  91: 'invalid transit network selection',
  95: 'invalid message, unspecified',
  96: 'mandatory information element is missing',
  97: 'message type non-existent or not implemented',
  98: 'message not compatible with call state or message type non-existent',
  99: 'information element non-existent or not implemented',
  100: 'invalid information element contents',
  101: 'message not compatible with call state',
  102: 'recovery on timer expiry',
  111: 'protocol error, unspecified',
  127: 'interworking, unspecified',
};

function hex(code: number): string {
  return `0x${code.toString(16).padStart(4, '0')}`;
}

/** Text for an Info value (as in CONF messages or as returned by CAPI functions). */
export function infoName(code: number): string {
  const n = INFO_NAMES[code];
  if (n) return n;
  if ((code & 0xff00) === 0x3400) return reasonName(code);
  return `unknown info ${hex(code)}`;
}

/** Text for a Reason / Reason_B3 value (0x33xx, 0x34xx network cause, 0x35xx, 0). */
export function reasonName(code: number): string {
  if (code === 0) return 'normal clearing, no cause available';
  if ((code & 0xff00) === 0x3400) {
    const cause = code & 0x7f;
    return `network: ${Q850[cause] ?? `cause ${cause}`}`;
  }
  return INFO_NAMES[code] ?? `unknown reason ${hex(code)}`;
}

export type CauseClass =
  | 'ok'
  | 'busy'
  | 'no-answer'
  | 'rejected'
  | 'not-a-fax'
  | 'line-error'
  | 'protocol-error'
  | 'local-error';

/** Is this Reason a normal clearing (0, 0x3490, 0x349F, 0x3500, 0x3509)? */
export function isNormalClearing(reason: number): boolean {
  return reason === 0 || reason === 0x3490 || reason === 0x349f || reason === 0x3500 || reason === 0x3509;
}

/** Class of one Reason / Reason_B3 value (normal clearing → 'ok'). */
export function classifyReason(code: number): CauseClass {
  if (isNormalClearing(code)) return 'ok';
  if ((code & 0xff00) === 0x3400) {
    const cause = code & 0x7f;
    switch (cause) {
      case 17: // user busy
      case 34: // no circuit available
      case 42: // congestion
      case 44: // requested channel not available
      case 47: // resources unavailable
        return 'busy';
      case 18: // no user responding
      case 19: // no answer
        return 'no-answer';
      case 1: // unallocated number
      case 3: // no route to destination
      case 21: // call rejected
      case 22: // number changed
      case 28: // invalid number format
      case 29: // facility rejected
      case 50: // facility not subscribed
      case 57: // bearer capability not authorized
        return 'rejected';
      case 58:
      case 65:
      case 88: // incompatible destination
        return 'not-a-fax';
      case 27: // destination out of order
      case 38: // network out of order
      case 41: // temporary failure
      case 102: // recovery on timer expiry
        return 'line-error';
      default:
        return cause >= 81 ? 'protocol-error' : 'line-error';
    }
  }
  switch (code) {
    case 0x3301:
    case 0x3302:
    case 0x3303:
    case 0x3312: // training error: line quality
    case 0x3501:
    case 0x350d:
      return 'line-error';
    case 0x3304:
      return 'rejected';
    case 0x3311:
    case 0x350f:
      return 'not-a-fax';
    case 0x3313:
    case 0x3314:
    case 0x3315:
      return 'protocol-error';
    case 0x3316:
    case 0x3317:
    case 0x3318:
    case 0x3319:
      return 'local-error';
  }
  if ((code & 0xff00) === 0x3500) return 'protocol-error';
  if (code >= 0x1000 && code < 0x3100) return 'local-error';
  return 'protocol-error';
}

export interface CallCause {
  /** A non-zero Info from a CONF (the request was refused), if any. */
  info?: number;
  /** Reason from DISCONNECT_IND (0 when none was received). */
  reason: number;
  /** Reason_B3 from DISCONNECT_B3_IND (0 when none was received). */
  reasonB3: number;
  /** Text of the value that decided the class. */
  name: string;
  class: CauseClass;
}

/**
 * The cause of a call's end from its Info / Reason / Reason_B3. A refusing Info wins; then
 * a non-normal Reason_B3 (the fax protocol's verdict); then the Reason. `completed` tells
 * whether the call did what it was meant to do — a normal clearing of a call that did not
 * complete is a 'protocol-error' rather than 'ok'.
 */
export function callCause(p: {
  info?: number;
  reason?: number;
  reasonB3?: number;
  completed?: boolean;
}): CallCause {
  const reason = p.reason ?? 0;
  const reasonB3 = p.reasonB3 ?? 0;
  const base = p.info !== undefined && p.info !== 0 ? { info: p.info } : {};
  if (p.info !== undefined && p.info >= 0x1000) {
    let cls: CauseClass = 'local-error';
    if (p.info === 0x2003 || p.info === 0x2004 || p.info === 0x2006) cls = 'busy';
    return { ...base, reason, reasonB3, name: infoName(p.info), class: cls };
  }
  if (!isNormalClearing(reasonB3)) {
    return { ...base, reason, reasonB3, name: reasonName(reasonB3), class: classifyReason(reasonB3) };
  }
  let cls = classifyReason(reason);
  if (cls === 'ok' && p.completed === false) cls = 'protocol-error';
  return { ...base, reason, reasonB3, name: reasonName(reason), class: cls };
}
