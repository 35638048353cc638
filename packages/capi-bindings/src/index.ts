export * from './calls/index.js';
export * from './codec/index.js';
export * from './guards/index.js';
export * from './transport/index.js';
