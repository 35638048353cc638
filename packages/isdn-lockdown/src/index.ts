export * from './errors.js';
export * from './events.js';
export * from './fax-protocol.js';
export * from './guard.js';
export * from './incoming.js';
export * from './lockdown-application.js';
export * from './policy.js';
