// Where `faxgate login` keeps the caller's token: $XDG_CONFIG_HOME/faxgate/token (default
// ~/.config/faxgate/token), one entry per gateway API URL, in a directory 0700 and a file
// 0600 owned by the caller. A token file others can read (or owned by someone else) is
// refused, never used: it may have been read, or planted.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CliError, TokenFileError } from './errors.js';

export interface StoredToken {
  token: string;
  user: string;
  /** ISO time the session ends (null for an API token without expiry). */
  expiresAt: string | null;
}

type TokenFile = Record<string, StoredToken>;

/** The token file of the current OS user. */
export function tokenFilePath(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(env.HOME || os.homedir(), '.config');
  return path.join(base, 'faxgate', 'token');
}

/** Throws unless the file is private to us: mode without group/other bits, owned by our uid. */
function checkPrivate(file: string, st: fs.Stats): void {
  if ((st.mode & 0o077) !== 0) {
    throw new TokenFileError(
      `refusing the token file ${file}: it is readable by others (mode ${(st.mode & 0o777).toString(8)}); run faxgate logout to remove it, then faxgate login`,
      file,
    );
  }
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) {
    throw new TokenFileError(
      `refusing the token file ${file}: it belongs to uid ${st.uid}, not to you`,
      file,
    );
  }
}

function readAll(file: string): TokenFile {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new TokenFileError(`cannot read the token file ${file}: ${(e as Error).message}`, file);
  }
  if (!st.isFile()) throw new TokenFileError(`refusing the token file ${file}: not a regular file`, file);
  checkPrivate(file, st);
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('not an object');
    return parsed as TokenFile;
  } catch (e) {
    throw new CliError(
      `the token file ${file} is damaged (${(e as Error).message}); run faxgate login again`,
      2,
    );
  }
}

/** The stored token for this API URL, or null when there is none. */
export function readStoredToken(apiUrl: string, file = tokenFilePath()): StoredToken | null {
  const entry = readAll(file)[apiUrl];
  return entry && typeof entry.token === 'string' ? entry : null;
}

/** Writes the whole file anew (0600 from the start, then renamed into place). */
function writeAll(file: string, all: TokenFile): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const dst = fs.statSync(dir);
  if ((dst.mode & 0o077) !== 0) fs.chmodSync(dir, 0o700);
  if (Object.keys(all).length === 0) {
    fs.rmSync(file, { force: true });
    return;
  }
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(all, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  fs.renameSync(tmp, file);
}

export function storeToken(apiUrl: string, entry: StoredToken, file = tokenFilePath()): void {
  const all = readAll(file);
  all[apiUrl] = entry;
  writeAll(file, all);
}

/** Forgets the token of this API URL; the file goes when it holds no other. Returns whether one was kept. */
export function removeStoredToken(apiUrl: string, file = tokenFilePath()): boolean {
  const all = readAll(file);
  if (!(apiUrl in all)) return false;
  delete all[apiUrl];
  writeAll(file, all);
  return true;
}

/** Removes a refused or damaged token file (logout): it is never read, only deleted. */
export function discardTokenFile(file = tokenFilePath()): void {
  const st = fs.lstatSync(file, { throwIfNoEntry: false });
  if (st && !st.isDirectory()) fs.rmSync(file, { force: true });
}
