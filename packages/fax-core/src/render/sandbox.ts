// Where a render worker runs. PDFium and libvips parse hostile bytes; the process isolation of
// the pool keeps a crash out of the gateway, and this file keeps an *exploit* in: each worker
// starts under bubblewrap with its own user, mount, pid, ipc, uts, cgroup and network
// namespaces (no interface but a down loopback, so no network at all), no capabilities, an
// unprivileged uid inside and — when the gateway is root — outside too, a read-only view of
// only the system libraries, the node binary and the worker's own package and node_modules,
// a fresh /proc and minimal /dev, and a private size-capped tmpfs at the configured tmp dir.
// On x86-64 a seccomp filter (seccomp.ts) refuses the kernel interfaces a renderer never needs.
// Mode 'none' forks the worker as before and says so loudly.
import { type ChildProcess, fork, type StdioOptions, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SandboxUnavailableError } from './errors.js';
import { seccompProgram } from './seccomp.js';

export type SandboxMode = 'bubblewrap' | 'none';

export interface SandboxOptions {
  mode: SandboxMode;
  /**
   * The gateway's tmp dir (paths.tmp). Under bubblewrap a private tmpfs is mounted there inside
   * the sandbox (nothing of the host's directory is visible); it is the worker's TMPDIR.
   */
  tmpDir: string;
  /** The bwrap binary (default: `bwrap` from PATH, then /usr/bin/bwrap). */
  bwrapPath?: string;
  /** Size of the private tmpfs, bytes (default 64 MiB; tmpfs pages are not in the worker's RSS). */
  tmpBytes?: number;
}

/** What status and the lockdown report show. */
export interface SandboxInfo {
  mode: SandboxMode;
  tmpDir: string;
  /** The bwrap binary in use (bubblewrap only). */
  bwrap?: string;
  /** The uid workers have outside the sandbox (bubblewrap only; 65534 when the gateway is root). */
  hostUid?: number;
  /** Whether the seccomp filter is on (bubblewrap on x86-64). */
  seccomp?: boolean;
  /** Set when workers are less confined than they should be. */
  warning?: string;
}

/** A way to start workers, checked to work. */
export interface Sandbox {
  readonly info: SandboxInfo;
  /** Starts `node <execArgv> <workerFile>` with stderr piped and an IPC channel ('advanced'). */
  start(execArgv: string[]): ChildProcess;
}

const NOBODY = 65534;
const IPC_FD = 3;
const STDIO: ['ignore', 'ignore', 'pipe', 'ipc'] = ['ignore', 'ignore', 'pipe', 'ipc'];
/** bwrap reads the seccomp program from its stdin (then closed; node gets /dev/null). */
const SECCOMP_FD = 0;

export const UNSANDBOXED_WARNING =
  'render workers run WITHOUT a sandbox (render.sandbox: none): a document that exploits PDFium or ' +
  "libvips runs as the gateway's user, with its network, capabilities and files";

/** The worker's environment: nothing of the gateway's (no database URL, no secrets). */
function workerEnv(tmpDir: string): Record<string, string> {
  const env: Record<string, string> = {
    PATH: '/usr/bin:/bin',
    NODE_ENV: process.env.NODE_ENV ?? 'production',
    TMPDIR: tmpDir,
    HOME: tmpDir,
    // A fixed mmap threshold: glibc's dynamic one rises after the first page buffer (0.5 MB) is
    // freed, and later ones then stay in the heap, resident after the job (~15 MiB per worker).
    MALLOC_MMAP_THRESHOLD_: '131072',
  };
  // the header line's default time zone is the gateway's
  if (process.env.TZ) env.TZ = process.env.TZ;
  return env;
}

function findBwrap(given: string | undefined): string {
  const candidates = given
    ? [given]
    : [...(process.env.PATH ?? '').split(':').filter(Boolean), '/usr/bin', '/bin'].map((d) =>
        path.join(d, 'bwrap'),
      );
  for (const c of candidates) {
    try {
      fs.accessSync(c, fs.constants.X_OK);
      if (fs.statSync(c).isFile()) return c;
    } catch {
      // next
    }
  }
  throw new SandboxUnavailableError(
    given ? `bubblewrap not found at ${given}` : 'bubblewrap (bwrap) not found in PATH or /usr/bin',
  );
}

/** The directory of the nearest package.json at or above `file`. */
function packageDir(file: string): string {
  for (let d = path.dirname(file); ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, 'package.json'))) return d;
    if (path.dirname(d) === d) return path.dirname(file);
  }
}

/** Read-only binds the worker needs: its package, every node_modules above it, tsconfig files for tsx. */
function codeDirs(workerFile: string): string[] {
  const pkg = packageDir(workerFile);
  const out = [pkg];
  for (let d = pkg; ; d = path.dirname(d)) {
    const nm = path.join(d, 'node_modules');
    // bound at its own path (a symlinked node_modules is followed by the mount, so it still resolves)
    if (fs.existsSync(nm)) out.push(nm);
    if (workerFile.endsWith('.ts') && d !== pkg)
      for (const t of ['tsconfig.base.json', 'tsconfig.json'])
        if (fs.existsSync(path.join(d, t))) out.push(path.join(d, t));
    if (path.dirname(d) === d) break;
  }
  return [...new Set(out)];
}

/** The bwrap arguments up to and including `--`; exported for the tests and the README. */
export function bwrapArgs(opts: {
  workerFile: string;
  nodePath: string;
  tmpDir: string;
  tmpBytes: number;
  env: Record<string, string>;
  /** Read a seccomp program from fd 0. */
  seccomp: boolean;
}): string[] {
  const a = [
    '--unshare-all',
    '--unshare-user',
    '--disable-userns',
    '--die-with-parent',
    '--new-session',
    '--uid',
    String(NOBODY),
    '--gid',
    String(NOBODY),
    '--cap-drop',
    'ALL',
    '--hostname',
    'faxgate-render',
    ...(opts.seccomp ? ['--seccomp', String(SECCOMP_FD)] : []),
    '--ro-bind',
    '/usr',
    '/usr',
  ];
  for (const top of ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32']) {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(top);
    } catch {
      continue;
    }
    if (st.isSymbolicLink()) a.push('--symlink', fs.readlinkSync(top), top);
    else if (st.isDirectory()) a.push('--ro-bind', top, top);
  }
  // the dynamic linker's cache (libstdc++ & co. in multiarch dirs) and the local time zone
  a.push('--ro-bind-try', '/etc/ld.so.cache', '/etc/ld.so.cache');
  a.push('--ro-bind-try', '/etc/localtime', '/etc/localtime');
  const code = codeDirs(opts.workerFile);
  if (!opts.nodePath.startsWith('/usr/')) code.unshift(opts.nodePath);
  // bwrap mounts in order: a private tmp that contains the code (a checkout under /tmp) must
  // come first, or it would hide the code; one inside the code must come after it.
  const tmpHoldsCode = code.some((d) => d.startsWith(`${opts.tmpDir}/`));
  const privateTmp = ['--size', String(opts.tmpBytes), '--tmpfs', opts.tmpDir];
  if (tmpHoldsCode) a.push(...privateTmp);
  for (const d of code) a.push('--ro-bind', d, d);
  // bwrap's /dev is a writable, unbounded tmpfs (shm pages are not in a process' RSS either):
  // read-only, so the private tmp is the only place a worker can write
  a.push('--proc', '/proc', '--dev', '/dev', '--remount-ro', '/dev');
  if (!tmpHoldsCode) a.push(...privateTmp);
  // the root bwrap builds is a tmpfs: read-only once everything is mounted (not recursive, so
  // the private tmp stays writable)
  a.push('--remount-ro', '/');
  a.push('--chdir', packageDir(opts.workerFile), '--clearenv');
  for (const [k, v] of Object.entries(opts.env)) a.push('--setenv', k, v);
  a.push('--');
  return a;
}

/**
 * Runs `node --version` in the sandbox (bwrap set-up, the node binary and its libraries; ~5 ms
 * of node, so the synchronous check blocks little); returns bwrap's complaint, or undefined.
 */
function probe(
  bwrap: string,
  args: string[],
  nodePath: string,
  uid: number | undefined,
  seccomp: Buffer | undefined,
): string | undefined {
  const r = spawnSync(bwrap, [...args, nodePath, '--version'], {
    stdio: [seccomp ? 'pipe' : 'ignore', 'ignore', 'pipe'],
    input: seccomp,
    encoding: 'utf8',
    timeout: 15_000,
    env: {},
    ...(uid !== undefined ? { uid, gid: uid } : {}),
  });
  if (r.error) return r.error.message;
  if (r.status === 0) return undefined;
  const said = (r.stderr || `exit ${r.status ?? r.signal}`).trim().split('\n').slice(-2).join(' | ');
  // --size and --disable-userns came with bubblewrap 0.8 (Debian 12, Ubuntu 24.04)
  return /Unknown option/i.test(said) ? `${said}: bubblewrap 0.8 or later is needed` : said;
}

/** Sandboxes found to work, per bwrap and argv (failures are probed again: bwrap may get fixed). */
const probed = new Map<string, { hostUid: number | undefined; warning?: string }>();

/**
 * Checks the sandbox works for this worker file and returns the way to start workers in it.
 * Throws SandboxUnavailableError when bubblewrap is missing or cannot create its namespaces.
 */
export function prepareSandbox(
  options: SandboxOptions | undefined,
  workerFile: string,
  onWarning: (message: string) => void,
): Sandbox {
  const mode = options?.mode ?? 'bubblewrap';
  const tmpDir = path.resolve(options?.tmpDir ?? os.tmpdir());
  const env = workerEnv(tmpDir);
  if (mode === 'none') {
    onWarning(UNSANDBOXED_WARNING);
    return {
      info: { mode, tmpDir, warning: UNSANDBOXED_WARNING },
      start: (execArgv) => fork(workerFile, [], { execArgv, serialization: 'advanced', stdio: STDIO, env }),
    };
  }
  if (mode !== 'bubblewrap') throw new SandboxUnavailableError(`unknown sandbox mode '${String(mode)}'`);
  const bwrap = findBwrap(options?.bwrapPath);
  const nodePath = fs.realpathSync(process.execPath);
  const tmpBytes = options?.tmpBytes ?? 64 * 1024 * 1024;
  const filter = seccompProgram();
  const args = bwrapArgs({ workerFile, nodePath, tmpDir, tmpBytes, env, seccomp: filter !== undefined });
  const key = JSON.stringify([bwrap, args]);
  let found: { hostUid: number | undefined; warning?: string } | string | undefined = probed.get(key);
  if (found === undefined) {
    const root = process.getuid?.() === 0;
    // As root, bwrap itself runs as nobody, so the worker is nobody on the host too (needs
    // unprivileged user namespaces); if the kernel refuses that, bwrap runs as root: the
    // worker is still uid 65534 with no capabilities inside, but root's uid on the host.
    const first = probe(bwrap, args, nodePath, root ? NOBODY : undefined, filter);
    const second = root && first !== undefined ? probe(bwrap, args, nodePath, undefined, filter) : first;
    if (first === undefined) found = { hostUid: root ? NOBODY : process.getuid?.() };
    else if (second === undefined)
      found = {
        hostUid: 0,
        warning: `bubblewrap cannot run unprivileged here (${first}); render workers are uid ${NOBODY} without capabilities in the sandbox but root on the host`,
      };
    else
      found = `bubblewrap cannot create the sandbox (${root ? `as uid ${NOBODY}: ${first}; as root: ${second}` : first})`;
    if (typeof found !== 'string') probed.set(key, found);
  }
  if (typeof found === 'string') throw new SandboxUnavailableError(found);
  const { hostUid, warning } = found;
  if (warning) onWarning(warning);
  const ids = hostUid === NOBODY && process.getuid?.() === 0 ? { uid: NOBODY, gid: NOBODY } : {};
  const channelEnv = ['--setenv', 'NODE_CHANNEL_FD', String(IPC_FD)];
  channelEnv.push('--setenv', 'NODE_CHANNEL_SERIALIZATION_MODE', 'advanced');
  return {
    info: { mode, tmpDir, bwrap, hostUid, seccomp: filter !== undefined, ...(warning ? { warning } : {}) },
    start: (execArgv) => {
      // the IPC fd survives bwrap's exec of node; the channel variables are set again after --clearenv
      const argv = [...args.slice(0, -1), ...channelEnv, '--', nodePath, ...execArgv, workerFile];
      const stdio: StdioOptions = [filter ? 'pipe' : 'ignore', 'ignore', 'pipe', 'ipc'];
      const child = spawn(bwrap, argv, { stdio, serialization: 'advanced', env: {}, ...ids });
      if (filter) child.stdin?.on('error', () => {}).end(filter);
      return child;
    },
  };
}
