// @faxgate/capi-sim: a simulated ISDN exchange with active fax cards behind an rcapi server.
export type { ReceivedFax } from './card/card.js';
export type { CallRecord } from './card/model.js';
export {
  type ControllerConfig,
  type ControllerInput,
  DEFAULT_PARTIES,
  DEFAULT_TIMINGS,
  FAX_CARD_PROFILE,
  type PartyBehaviour,
  type ProfileMasks,
  resolveConfig,
  type SimConfig,
  type SimConfigInput,
  type Timings,
} from './config.js';
export { SimConfigError, SimDocumentError } from './errors.js';
export type { DocumentInput } from './fax/document.js';
export type { CallOutcome, CountersSnapshot } from './observe/counters.js';
export type { Trace, TraceRecord } from './observe/trace.js';
export {
  type InjectCallOptions,
  type RemoteParty,
  SERVICE_CIP,
  type Service,
  type Simulator,
  startSimulator,
} from './simulator.js';
