// What the simulated line says in numbers: the network Reason a CONNECT_RESP Reject value
// gives the caller (capi-reference §8.9), the call outcome a network Reason stands for, which
// services a telephone or fax machine answers, and the party numbers the card reports.
import {
  type CalledPartyNumber,
  type CallingPartyNumber,
  Cip,
  NumberingPlan,
  NumberType,
  Presentation,
  Reason,
  Reject,
  Screening,
  TYPE_PLAN_EXT,
  typePlanOf,
} from '@faxgate/capi-bindings';
import type { CallOutcome } from '../observe/counters.js';

const REJECT_REASON: Record<number, number> = {
  [Reject.NORMAL_CLEARING]: Reason.NORMAL_CLEARING,
  [Reject.USER_BUSY]: Reason.USER_BUSY,
  [Reject.CHANNEL_NOT_AVAILABLE]: Reason.NO_CIRCUIT_AVAILABLE,
  [Reject.FACILITY_REJECTED]: Reason.FACILITY_REJECTED,
  [Reject.CHANNEL_UNACCEPTABLE]: Reason.NO_CIRCUIT_AVAILABLE,
  [Reject.INCOMPATIBLE_DESTINATION]: Reason.INCOMPATIBLE_DESTINATION,
  [Reject.DESTINATION_OUT_OF_ORDER]: Reason.DESTINATION_OUT_OF_ORDER,
};

/** Reasons 0x3400–0x34FF are network causes (Q.850 cause | 0x80 in the low byte, §8.10). */
const NETWORK_CAUSES = { first: 0x3400, last: 0x34ff } as const;

function isNetworkCause(value: number): boolean {
  return value >= NETWORK_CAUSES.first && value <= NETWORK_CAUSES.last;
}

/** CONNECT_RESP Reject value → the network Reason the caller hears (a 0x34xx passes through). */
export function rejectReason(reject: number): number {
  if (isNetworkCause(reject)) return reject;
  return REJECT_REASON[reject] ?? Reason.NORMAL_CLEARING;
}

/** The outcome of a call the network cleared with this Reason before it was answered. */
export function outcomeOfReason(reason: number): CallOutcome {
  switch (reason) {
    case Reason.USER_BUSY:
      return 'busy';
    case Reason.NO_USER_RESPONDING:
    case Reason.NO_ANSWER:
      return 'no-answer';
    case Reason.UNALLOCATED_NUMBER:
      return 'unallocated';
    case Reason.INCOMPATIBLE_DESTINATION:
      return 'incompatible';
    case Reason.NO_CIRCUIT_AVAILABLE:
      return 'no-channel';
    case Reason.LAYER1_ERROR:
      return 'line-drop';
    default:
      return 'rejected';
  }
}

/** Services a telephone or a fax machine answers (anything on the analogue voice band). */
export function isVoiceBand(cip: number): boolean {
  return (
    cip === Cip.SPEECH ||
    cip === Cip.AUDIO_3_1_KHZ ||
    cip === Cip.TELEPHONY ||
    cip === Cip.FAX_G2_G3 ||
    cip === Cip.ANY
  );
}

/** The highest CIP value the card knows; a higher one in CONNECT_REQ is 0x3009. */
export const MAX_CIP = Cip.VIDEO_TELEPHONY_2;

/** Type/plan of the ConnectedNumber and CalledPartyNumber the card reports: unknown, ISDN. */
const UNKNOWN_ISDN = TYPE_PLAN_EXT | typePlanOf(NumberType.UNKNOWN, NumberingPlan.ISDN);

/** ConnectedNumber of CONNECT_ACTIVE_IND: the number the call reached. */
export function connectedNumber(digits: string): CallingPartyNumber {
  return { typePlan: UNKNOWN_ISDN, presentation: Presentation.ALLOWED, digits };
}

/** CalledPartyNumber of CONNECT_IND. */
export function calledNumber(digits: string): CalledPartyNumber {
  return { typePlan: UNKNOWN_ISDN, digits };
}

/** Type/plan of a caller when the plan does not say: national, ISDN. */
const NATIONAL_ISDN = typePlanOf(NumberType.NATIONAL, NumberingPlan.ISDN);

/** CallingPartyNumber of CONNECT_IND: presentation allowed, user-provided, verified and passed. */
export function callingNumber(digits: string, typePlan = NATIONAL_ISDN): CallingPartyNumber {
  return { typePlan, presentation: Presentation.ALLOWED | Screening.USER_VERIFIED_PASSED, digits };
}
