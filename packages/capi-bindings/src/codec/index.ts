export * from './constants.js';
export * from './errors.js';
export * from './info.js';
export * from './messages.js';
export * from './profile.js';
export { CapiReader } from './reader.js';
export * from './structs.js';
export { CapiWriter } from './writer.js';
