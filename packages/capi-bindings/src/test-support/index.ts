// Test support of capi-bindings, for its own tests and for packages that test against it
// (capi-sim's client tests): `@faxgate/capi-bindings/test-support`, resolved only under the
// "development" condition (tests, benches), never part of dist.
export {
  type ChildEvent,
  type ChildExit,
  canIsolate,
  capiHome,
  NativeChild,
} from './native-child-client.js';
export {
  capiMsg,
  dataB3Req,
  dataB3Resp,
  disconnectB3Resp,
  listenReq,
  type Parsed,
  parse,
} from './raw-messages.js';
export { once, PEER_PROFILE, PeerConn, type PeerMessage, type PeerOptions, RcapiPeer } from './rcapi-peer.js';
