export * from './calls/index.js';
export * from './codec/index.js';
export * from './guards/index.js';
// The native addon is loaded lazily (by `new NativeTransport()`), so exporting it costs nothing.
export * from './native/index.js';
export * from './rcapi-wire/index.js';
export * from './transport/index.js';
