// The edge of the disk guard: free space of the filesystem holding a path. Injectable, so
// the guard's logic is tested without filling a real disk.
import fs from 'node:fs/promises';
import path from 'node:path';

export interface SpaceReading {
  totalBytes: number;
  /** Free to an unprivileged process (f_bavail): what the daemon can still write. */
  freeBytes: number;
}

export type SpaceProbe = (path: string) => Promise<SpaceReading>;

/** `fs.statfs` of the path (its nearest existing parent when it does not exist yet). */
export const statfsProbe: SpaceProbe = async (p) => {
  let at = path.resolve(p);
  for (;;) {
    try {
      const s = await fs.statfs(at);
      return { totalBytes: s.blocks * s.bsize, freeBytes: s.bavail * s.bsize };
    } catch (e) {
      // A directory made on first use (the archive): its parent's filesystem is where it goes.
      const up = path.dirname(at);
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || up === at) throw e;
      at = up;
    }
  }
};
