// Signed checkpoints of the audit chain, kept outside the database (README "Checkpoints").
export * from './create.js';
export * from './files.js';
export * from './format.js';
export * from './keys.js';
export * from './sink.js';
export * from './verify.js';
