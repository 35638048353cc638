// Numbers of an incoming call as the network presents them (digits + Q.931 type of number),
// read with the routing numbering plan: for the router's rules and the lockdown blocklist.
import { numberType } from '@faxgate/capi-bindings';
import type { CallerNumbering } from '@faxgate/isdn-lockdown';
import {
  type NumberingPlan,
  networkNumberToE164,
  numberPrefixToE164,
  type TypeOfNumber,
} from '@faxgate/router';

/** The router's type of number for a CAPI type/plan byte (undefined when there is none). */
export function typeOfNumber(typePlan: number | undefined): TypeOfNumber | undefined {
  if (typePlan === undefined) return undefined;
  switch (numberType(typePlan)) {
    case 1:
      return 'international';
    case 2:
      return 'national';
    case 4:
      return 'subscriber';
    default:
      return 'unknown';
  }
}

/**
 * Caller numbers and caller blocklist entries in E.164, by the numbering plan — or by the plan
 * `plan()` gives at each call (a routing configuration reloaded while running).
 */
export function callerNumbering(plan: NumberingPlan | (() => NumberingPlan)): CallerNumbering {
  const now = typeof plan === 'function' ? plan : () => plan;
  return {
    caller: (digits, ton) => networkNumberToE164(digits, typeOfNumber(ton << 4), now()),
    entry: (text, prefix) =>
      prefix ? numberPrefixToE164(text, now()) : networkNumberToE164(text, 'unknown', now()),
  };
}
