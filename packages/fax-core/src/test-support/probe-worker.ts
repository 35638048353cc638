// A stand-in render worker for sandbox.test.ts: started exactly like the real worker (same
// bwrap argv, same IPC channel), it answers one 'probe' message with what a document exploit
// running in a worker could reach: network, files, capabilities, ids, processes, environment.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';

export interface ProbeRequest {
  type: 'probe';
  /** Host paths that must stay out of reach. */
  writeTargets: string[];
  existTargets: string[];
  tcpTargets: Array<{ host: string; port: number }>;
  unixSockets: string[];
  /** A pid of the host (the test process): not visible from another pid namespace. */
  hostPid: number;
}

export interface Outcome {
  ok: boolean;
  code?: string;
}

export interface ProbeReport {
  type: 'probes';
  uid: number;
  gid: number;
  pid: number;
  ppid: number;
  /** Numeric entries of /proc: the processes this worker can see. */
  visiblePids: number[];
  status: Record<string, string>;
  env: string[];
  hostname: string;
  interfaces: string[];
  tmpdir: string;
  writes: Record<string, Outcome>;
  exists: Record<string, boolean>;
  tcp: Record<string, Outcome>;
  unix: Record<string, Outcome>;
  signalHost: Outcome;
  newUserNamespace: Outcome;
  /** ptrace(PTRACE_TRACEME) from a python3 child: `${result} ${errno}` ('0 0' when allowed). */
  ptrace: string;
}

function attempt(fn: () => void): Outcome {
  try {
    fn();
    return { ok: true };
  } catch (e) {
    return { ok: false, code: (e as NodeJS.ErrnoException).code ?? String(e) };
  }
}

function connect(opts: net.NetConnectOpts): Promise<Outcome> {
  return new Promise((resolve) => {
    const s = net.connect(opts);
    const done = (o: Outcome) => {
      clearTimeout(timer);
      s.destroy();
      resolve(o);
    };
    const timer = setTimeout(() => done({ ok: false, code: 'TIMEOUT' }), 3000);
    s.once('connect', () => done({ ok: true }));
    s.once('error', (e: NodeJS.ErrnoException) => done({ ok: false, code: e.code ?? e.message }));
  });
}

async function probe(req: ProbeRequest): Promise<ProbeReport> {
  const status: Record<string, string> = {};
  for (const line of fs.readFileSync('/proc/self/status', 'latin1').split('\n')) {
    const m = line.match(/^(\w+):\s*(.*)$/);
    if (m) status[m[1]] = m[2];
  }
  const writes: Record<string, Outcome> = {};
  for (const t of [...req.writeTargets, `${os.tmpdir()}/probe-${process.pid}`])
    writes[t] = attempt(() => fs.writeFileSync(t, 'x'));
  const exists: Record<string, boolean> = {};
  for (const t of req.existTargets) exists[t] = fs.existsSync(t);
  const tcp: Record<string, Outcome> = {};
  for (const t of req.tcpTargets) tcp[`${t.host}:${t.port}`] = await connect(t);
  const unix: Record<string, Outcome> = {};
  for (const p of req.unixSockets) unix[p] = await connect({ path: p });
  const unshare = spawnSync('/usr/bin/unshare', ['--user', '/bin/true'], { encoding: 'utf8' });
  const ptrace = spawnSync(
    '/usr/bin/python3',
    [
      '-c',
      'import ctypes; l = ctypes.CDLL(None, use_errno=True); r = l.ptrace(0, 0, 0, 0); print(r, ctypes.get_errno())',
    ],
    { encoding: 'utf8' },
  );
  return {
    type: 'probes',
    uid: process.getuid!(),
    gid: process.getgid!(),
    pid: process.pid,
    ppid: process.ppid,
    visiblePids: fs
      .readdirSync('/proc')
      .filter((n) => /^\d+$/.test(n))
      .map(Number),
    status,
    env: Object.keys(process.env).sort(),
    hostname: os.hostname(),
    interfaces: Object.keys(os.networkInterfaces()),
    tmpdir: os.tmpdir(),
    writes,
    exists,
    tcp,
    unix,
    signalHost: attempt(() => process.kill(req.hostPid, 0)),
    newUserNamespace:
      unshare.status === 0
        ? { ok: true }
        : { ok: false, code: (unshare.stderr || unshare.error?.message || '').trim() },
    ptrace: (ptrace.stdout || ptrace.stderr || ptrace.error?.message || '').trim(),
  };
}

process.on('message', (m: ProbeRequest | { type: 'escape' }) => {
  if (m?.type === 'escape') {
    // what an exploit would do to outlive its worker: a detached process in a new session
    const c = spawn('/usr/bin/sleep', ['600'], { detached: true, stdio: 'ignore' });
    c.unref();
    process.send!({ type: 'escaped', pid: c.pid });
    return;
  }
  if (m?.type !== 'probe') return;
  probe(m).then(
    (r) => process.send!(r),
    (e) => process.send!({ type: 'error', message: String((e as Error).stack) }),
  );
});
process.send!({ type: 'ready' });
