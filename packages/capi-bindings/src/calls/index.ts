export {
  type CallPhase,
  DEFAULT_FAX_TIMEOUTS,
  type FaxResult,
  type FaxTimeouts,
} from './call-core.js';
export { type ChunkStream, createChunkStream } from './chunk-stream.js';
export { CallAbortedError } from './inbox.js';
export {
  type AcceptDecision,
  type IncomingCall,
  type IncomingDecision,
  type ReceiveOptions,
  receiveFaxes,
  type TrainedInfo,
  type TrainedVerdict,
} from './receive-fax.js';
export { FaxOptionsError, type SendFaxOptions, sendFax } from './send-fax.js';
export { CapiSession, orphanResponse, type SessionOptions } from './session.js';
