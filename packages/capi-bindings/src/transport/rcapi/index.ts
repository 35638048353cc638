export { RcapiApplication } from './application.js';
export { type ConnectOptions, RcapiConnection } from './connection.js';
export { RcapiTransport, type RcapiTransportOptions } from './transport.js';
