/**
 * npm run capi:shm-cleanup -w @faxgate/capi-bindings
 *
 * Removes libcapi20's stale ApplID table (P11) when no process uses libcapi20; otherwise
 * names the processes that do and exits 1. Needs the rights to read /proc/<pid>/maps of
 * every process (root) to be sure.
 */
import { cleanupCapiSharedMemory } from './shm-cleanup.js';

const r = cleanupCapiSharedMemory();
if (r.blockedBy.length > 0) {
  console.error(`libcapi20 is in use by pid ${r.blockedBy.join(', ')}: nothing removed`);
  process.exit(1);
}
console.log(
  r.removed.length > 0 ? `removed ${r.removed.join(', ')}` : 'no libcapi20 shared memory to remove',
);
