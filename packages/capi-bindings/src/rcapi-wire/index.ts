// The rcapi wire protocol (capi-reference §3), both directions: framing, function codes,
// function requests and replies. Used by RcapiTransport, capi-sim's rcapi server and the
// test peer.
export { RcapiWireError, type RcapiWireErrorCode } from './errors.js';
export {
  encodeFrame,
  FrameReader,
  RCAPI_LENGTH_BYTES,
  RCAPI_MAX_FRAME_BODY,
  RCAPI_MIN_FRAME_BODY,
  splitFrameBody,
} from './frame.js';
export {
  infoRequest,
  isFunctionFrame,
  manufacturerReply,
  parseRegisterRequest,
  parseReply,
  profileReply,
  RcapiFunction,
  type RcapiRegisterRequest,
  rcapiFunctionName,
  registerReply,
  registerRequest,
  replyPayload,
  requestController,
  requestFunction,
  serialReply,
  versionReply,
} from './functions.js';
