// @faxgate/audit — tamper-evident audit trail, send/receive log, logging.
export * from './append.js';
export * from './canonical.js';
export * from './checkpoint/index.js';
export * from './csv.js';
export * from './events.js';
export * from './export.js';
export * from './insert-along.js';
export * from './logging.js';
export * from './migrations/index.js';
export * from './privileged-read.js';
export * from './roles.js';
export * from './seal.js';
export * from './verify.js';
export * from './xfer-pseudonym.js';
export * from './xferlog.js';
