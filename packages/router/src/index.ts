// @faxgate/router — routing decisions, no side effects: outbound number normalisation, internal
// short-circuit, destination policy, inbound routing. Callers pass in mailboxes and configuration.

export { NumberError, type NumberProblem, RouterConfigError } from './errors.js';
export {
  type CalledNumberMode,
  calledToE164,
  decideIncoming,
  type InboundDecision,
  type InboundRule,
  type IncomingCall,
  type MailboxRef,
  matchNumber,
  matchRules,
  type NumberMatch,
  networkNumberToE164,
  numberPrefixToE164,
  type ResolvedCall,
  TSI_MAX_LENGTH,
  type TypeOfNumber,
} from './inbound.js';
export { E164_MAX_DIGITS, type NormalisedNumber, normaliseNumber } from './normalise.js';
export {
  COUNTRY_DEFAULTS,
  NUMBER_KINDS,
  type NumberingPlan,
  type NumberingPlanInput,
  type NumberKind,
  numberingPlan,
  UNIVERSAL_EMERGENCY_NUMBERS,
} from './plan.js';
export {
  type DestinationDecision,
  type DestinationPolicy,
  decideDestination,
  type GroupPolicy,
} from './policy.js';
export { createRouter, type MailboxInput, type OutgoingDecision, type Router } from './router.js';
export {
  type RouterConfig,
  type RouterConfigInput,
  routerConfigSchema,
  validateRouterConfig,
} from './schema.js';
