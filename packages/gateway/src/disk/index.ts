// The disk guard (M 5.75): free space and database size against thresholds; refuses work at critical.
export { type DiskConfig, diskSchema } from './config.js';
export {
  type DiskGuard,
  type DiskGuardOptions,
  type DiskState,
  type DiskTarget,
  startDiskGuard,
} from './guard.js';
export { type DiskLevel, directoryLevel } from './levels.js';
export { type SpaceProbe, type SpaceReading, statfsProbe } from './probe.js';
