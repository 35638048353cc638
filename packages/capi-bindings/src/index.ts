export * from './codec/index.js';
export * from './transport/index.js';
