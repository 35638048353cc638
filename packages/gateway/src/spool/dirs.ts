// The spool and temporary areas (paths.spool, paths.tmp; M 5.73: privileged only) are
// prepared at daemon start: created with mode 0700 for the service user (the user the
// daemon runs as), tightened to 0700 when they are wider, and refused — the daemon does
// not start — when they are not a real directory or belong to another user, since then
// someone else could read or plant fax data there.
import fs from 'node:fs/promises';
import path from 'node:path';
import { SpoolDirError } from './errors.js';

export interface PreparedDir {
  key: string;
  dir: string;
  created: boolean;
  /** The mode it had when that was not 0700 (it is 0700 now), else null. */
  modeWas: number | null;
}

const octal = (mode: number) => `0${(mode & 0o777).toString(8).padStart(3, '0')}`;

/** Creates or checks one directory; `uid` is the service user (default: this process's). */
export async function prepareDir(
  key: string,
  dir: string,
  uid = process.geteuid?.() ?? -1,
): Promise<PreparedDir> {
  if (!path.isAbsolute(dir)) throw new SpoolDirError(key, dir, 'must be an absolute path');
  let created = false;
  try {
    created = (await fs.mkdir(dir, { recursive: true, mode: 0o700 })) !== undefined;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST') throw new SpoolDirError(key, dir, `cannot create it (${code ?? String(e)})`);
  }
  const st = await fs.lstat(dir);
  if (st.isSymbolicLink()) throw new SpoolDirError(key, dir, 'is a symbolic link; give the real directory');
  if (!st.isDirectory()) throw new SpoolDirError(key, dir, 'is not a directory');
  if (uid >= 0 && st.uid !== uid) {
    throw new SpoolDirError(
      key,
      dir,
      `belongs to uid ${st.uid}, not to the service user (uid ${uid}); chown it to the service user (mode 0700)`,
    );
  }
  let modeWas: number | null = null;
  if ((st.mode & 0o777) !== 0o700) {
    try {
      await fs.chmod(dir, 0o700);
    } catch (e) {
      throw new SpoolDirError(
        key,
        dir,
        `has mode ${octal(st.mode)} and cannot be set to 0700 (${(e as NodeJS.ErrnoException).code ?? String(e)})`,
      );
    }
    modeWas = st.mode & 0o777;
  }
  return { key, dir, created, modeWas };
}

/** Prepares paths.spool and paths.tmp; throws SpoolDirError with the key and the reason. */
export async function prepareSpoolDirs(
  paths: { spool: string; tmp: string },
  uid?: number,
): Promise<PreparedDir[]> {
  return [await prepareDir('paths.spool', paths.spool, uid), await prepareDir('paths.tmp', paths.tmp, uid)];
}
