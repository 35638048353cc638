// What happens to an incoming call before anything answers it. Every refusal happens in
// CONNECT_RESP without answering (no CONNECT_ACTIVE, no B channel through-connected).
import { type CapiMessageOf, Cip, numberType, Reject } from '@faxgate/capi-bindings';
import { type CallerNumbering, callerBlocked, type LockdownPolicy } from './policy.js';

export type IncomingDecision =
  | { action: 'offer' }
  | { action: 'reject'; reject: number; rule: IncomingRule; reason: string };

export type IncomingRule = 'outgoing-only' | 'service-not-allowed' | 'caller-blocked' | 'no-mailbox';

/**
 * Reject values (CONNECT_RESP, capi-reference §8.9):
 * - outgoing-only, blocked caller, no mailbox: 2 "normal call clearing" — the call is
 *   refused before it is answered, the caller is told nothing about why (a blocklist or
 *   the operating mode is not the caller's business), and no retry is invited as "busy" would.
 * - a service that is not fax (speech, data, video …): 7 "incompatible destination" — the
 *   truthful answer, and the one a terminal expects for a service it cannot take.
 */
export const REJECT_VALUES: Readonly<Record<IncomingRule, number>> = {
  'outgoing-only': Reject.NORMAL_CLEARING,
  'caller-blocked': Reject.NORMAL_CLEARING,
  'no-mailbox': Reject.NORMAL_CLEARING,
  'service-not-allowed': Reject.INCOMPATIBLE_DESTINATION,
};

const SERVICE_NAMES: Record<number, string> = {
  [Cip.ANY]: 'no predefined profile',
  [Cip.SPEECH]: 'speech',
  [Cip.UNRESTRICTED_DIGITAL]: 'unrestricted digital data',
  [Cip.RESTRICTED_DIGITAL]: 'restricted digital data',
  [Cip.AUDIO_3_1_KHZ]: '3.1 kHz audio',
  [Cip.AUDIO_7_KHZ]: '7 kHz audio',
  [Cip.VIDEO]: 'video',
  [Cip.PACKET_MODE]: 'packet mode',
  [Cip.TELEPHONY]: 'telephony',
  [Cip.FAX_G2_G3]: 'G2/G3 fax',
  [Cip.FAX_G4_CLASS1]: 'G4 fax',
  [Cip.VIDEO_TELEPHONY_1]: 'video telephony',
  [Cip.VIDEO_TELEPHONY_2]: 'video telephony',
};

export function serviceName(cip: number): string {
  return SERVICE_NAMES[cip] ?? `CIP ${cip}`;
}

export interface IncomingContext {
  /** Does a mailbox own this called number? Only asked when the policy rejects unknown numbers. */
  hasMailbox?: (calledNumber: string) => boolean;
  /** Caller and blocklist entries in E.164 before matching (the routing numbering plan). */
  numbering?: CallerNumbering;
}

export function decideIncoming(
  policy: LockdownPolicy,
  ind: Pick<CapiMessageOf<'CONNECT_IND'>, 'cipValue' | 'calledPartyNumber' | 'callingPartyNumber'>,
  ctx: IncomingContext = {},
): IncomingDecision {
  const reject = (rule: IncomingRule, reason: string): IncomingDecision => ({
    action: 'reject',
    reject: REJECT_VALUES[rule],
    rule,
    reason,
  });
  if (policy.mode === 'outgoing-only') return reject('outgoing-only', 'the gateway accepts no incoming call');
  const cip = ind.cipValue ?? 0;
  if (!policy.incomingServices.includes(cip)) {
    return reject(
      'service-not-allowed',
      `${serviceName(cip)} (CIP ${cip}) is not a fax service allowed here`,
    );
  }
  const caller = ind.callingPartyNumber?.digits;
  const typeOfNumber = numberType(ind.callingPartyNumber?.typePlan ?? 0);
  if (callerBlocked(policy, caller, ctx.numbering, typeOfNumber))
    return reject('caller-blocked', `caller ${caller} is on the blocklist`);
  const called = ind.calledPartyNumber?.digits ?? '';
  if (policy.unknownNumber === 'reject' && ctx.hasMailbox && !ctx.hasMailbox(called)) {
    return reject('no-mailbox', `no mailbox owns the called number "${called}"`);
  }
  return { action: 'offer' };
}
