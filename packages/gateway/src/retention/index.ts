// Retention and archive (issue 17 item 1): see README.md.
export { type ArchiveConfig, archiveSchema, type RetentionConfig, retentionSchema } from './config.js';
export { clearHold, type HoldTarget, type LegalHold, listHolds, setHold } from './holds.js';
export {
  describeSummary,
  RETENTION_ACTOR,
  RETENTION_TASK,
  RetentionBusyError,
  retentionTask,
  runRetentionLocked,
} from './job.js';
export { type ArchiveCheck, type PackageCheck, verifyArchive, verifyPackage } from './package.js';
export { findDue, type RetentionSummary, runRetention } from './run.js';
