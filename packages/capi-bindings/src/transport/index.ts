export * from './errors.js';
export * from './rcapi/index.js';
export * from './types.js';
