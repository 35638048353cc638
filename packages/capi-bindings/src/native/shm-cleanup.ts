/**
 * libcapi20 keeps its ApplID table in POSIX shared memory shared by every process on the
 * machine. A client that dies abnormally (abort, SIGKILL) never frees its slots (P11), so
 * later clients get ApplID 2, 3, … and the table can fill up. The files may only go when no
 * process uses libcapi20, otherwise live applications would lose their entries.
 */
import fs from 'node:fs';
import path from 'node:path';

export const CAPI_SHM_FILES = ['CAPI20_shared_memory.v01000010', 'sem.CAPI20_shared_sem.v01000010'] as const;

export interface ShmCleanupOptions {
  /** Where the files live (default /dev/shm). */
  shmDir?: string;
  /** Where to look for running processes (default /proc). */
  procDir?: string;
}

export interface ShmCleanupResult {
  /** Files removed (full paths). */
  removed: string[];
  /** PIDs of processes that map libcapi20 or its shared table; nothing is removed while any runs. */
  blockedBy: number[];
}

/** Processes that have libcapi20 or the table mapped (this process included). */
export function capiProcesses(opts: ShmCleanupOptions = {}): number[] {
  const procDir = opts.procDir ?? '/proc';
  const table = path.join(opts.shmDir ?? '/dev/shm', CAPI_SHM_FILES[0]);
  const pids: number[] = [];
  for (const entry of fs.readdirSync(procDir)) {
    if (!/^\d+$/.test(entry)) continue;
    let maps: string;
    try {
      maps = fs.readFileSync(path.join(procDir, entry, 'maps'), 'utf8');
    } catch {
      continue; // exited meanwhile, or not ours to read
    }
    if (maps.includes('/libcapi20.so') || maps.includes(table)) pids.push(Number(entry));
  }
  return pids;
}

/** Removes the stale table and semaphore, but only when no CAPI process runs. */
export function cleanupCapiSharedMemory(opts: ShmCleanupOptions = {}): ShmCleanupResult {
  const blockedBy = capiProcesses(opts);
  if (blockedBy.length > 0) return { removed: [], blockedBy };
  const removed: string[] = [];
  for (const f of CAPI_SHM_FILES) {
    const p = path.join(opts.shmDir ?? '/dev/shm', f);
    try {
      fs.unlinkSync(p);
      removed.push(p);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  return { removed, blockedBy };
}
