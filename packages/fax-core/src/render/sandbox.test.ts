// The render sandbox seen from inside a worker: a probe worker started with the very bwrap
// argv and IPC channel of the pool reports what an exploit in PDFium or libvips could reach.
// The same probes in mode 'none' show the other side (so each assertion can fail).
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProbeReport, ProbeRequest } from '../test-support/probe-worker.js';
import { SandboxUnavailableError } from './errors.js';
import { checkRenderSandbox, createRenderPool } from './pool.js';
import { processTree } from './proc-tree.js';
import { bwrapArgs, prepareSandbox, type SandboxOptions, UNSANDBOXED_WARNING } from './sandbox.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const probeWorker = path.join(here, '../test-support/probe-worker.ts');
const packageRoot = path.resolve(here, '../..');
const repoRoot = path.resolve(packageRoot, '../..');
const TSX = ['--conditions=development', '--import', 'tsx'];
const PG_SOCKET = '/var/run/postgresql/.s.PGSQL.5432';
const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-sandbox-test-'));
// not created on the host: bwrap mounts a tmpfs there inside the sandbox
const privateTmp = path.join(runDir, 'render-tmp');

/** `sandboxed`: also try to write into the project (only where it must fail). */
function request(sandboxed: boolean): ProbeRequest {
  return {
    type: 'probe',
    writeTargets: [
      '/tmp/faxgate-probe-outside',
      path.join(runDir, 'outside'),
      ...(sandboxed
        ? [path.join(packageRoot, 'probe-written'), '/dev/shm/probe', '/dev/probe', '/probe']
        : []),
      path.join(privateTmp, 'inside'),
    ],
    existTargets: [
      PG_SOCKET,
      '/root',
      '/home',
      '/etc/shadow',
      '/etc/passwd',
      path.join(repoRoot, '.git'),
      path.join(repoRoot, 'packages', 'gateway'),
      path.join(packageRoot, 'package.json'),
      path.join(repoRoot, 'node_modules', 'sharp'),
    ],
    tcpTargets: [
      { host: '127.0.0.1', port: 5432 },
      { host: '127.0.0.1', port: 6379 },
      { host: '1.1.1.1', port: 443 },
    ],
    unixSockets: [PG_SOCKET],
    hostPid: process.pid,
  };
}

/** Starts the probe worker in `options`' sandbox and returns its report and the process. */
async function runProbe(options: SandboxOptions): Promise<{ report: ProbeReport; child: ChildProcess }> {
  const sandbox = prepareSandbox(options, probeWorker, () => {});
  const child = sandbox.start(TSX);
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const report = await new Promise<ProbeReport>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`probe worker timed out: ${stderr}`)), 30_000);
    child.on('exit', (code) => reject(new Error(`probe worker exited ${code}: ${stderr}`)));
    child.on('message', (m: { type: string }) => {
      if (m.type === 'ready') child.send(request(options.mode === 'bubblewrap'));
      else {
        clearTimeout(timer);
        if (m.type === 'probes') resolve(m as ProbeReport);
        else reject(new Error(JSON.stringify(m)));
      }
    });
  });
  return { report, child };
}

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('did not throw');
}

function hostStatus(pid: number, key: string): string {
  const m = fs.readFileSync(`/proc/${pid}/status`, 'latin1').match(new RegExp(`^${key}:\\s*(.*)$`, 'm'));
  return m ? m[1] : '';
}

const isRoot = process.getuid?.() === 0;
let inside: ProbeReport;
let insideChild: ChildProcess;
let insideTree: number[];
let outside: ProbeReport;

beforeAll(async () => {
  process.env.FAXGATE_TEST_SECRET = 'postgres://faxgate:secret@127.0.0.1/faxgate';
  const [a, b] = await Promise.all([
    runProbe({ mode: 'bubblewrap', tmpDir: privateTmp }),
    runProbe({ mode: 'none', tmpDir: runDir }),
  ]);
  ({ report: inside, child: insideChild } = a);
  insideTree = processTree(insideChild.pid!);
  outside = b.report;
  b.child.kill('SIGKILL');
}, 60_000);

afterAll(() => {
  insideChild?.kill('SIGKILL');
  delete process.env.FAXGATE_TEST_SECRET;
  for (const f of ['/tmp/faxgate-probe-outside', path.join(packageRoot, 'probe-written')])
    fs.rmSync(f, { force: true });
  fs.rmSync(runDir, { recursive: true, force: true });
});

describe('inside the bubblewrap sandbox', () => {
  it('has no network: PostgreSQL and Redis on loopback and the internet are unreachable', () => {
    // without the sandbox the same worker reaches both (the test machine runs them)
    expect(outside.tcp['127.0.0.1:5432']).toEqual({ ok: true });
    expect(outside.tcp['127.0.0.1:6379']).toEqual({ ok: true });
    for (const t of ['127.0.0.1:5432', '127.0.0.1:6379', '1.1.1.1:443']) {
      expect(inside.tcp[t].ok).toBe(false);
      expect(['ENETUNREACH', 'ECONNREFUSED']).toContain(inside.tcp[t].code);
    }
    // its own network namespace: only its own loopback, where nothing listens
    expect(inside.interfaces).toEqual(['lo']);
    expect(outside.interfaces.length).toBeGreaterThan(1);
  });

  it("does not see PostgreSQL's Unix socket", () => {
    expect(fs.existsSync(PG_SOCKET)).toBe(true);
    expect(outside.unix[PG_SOCKET]).toEqual({ ok: true });
    expect(inside.exists[PG_SOCKET]).toBe(false);
    expect(inside.unix[PG_SOCKET]).toEqual({ ok: false, code: 'ENOENT' });
  });

  it('cannot write outside its private tmp: not /tmp, not the host tmp dir, not the project', () => {
    for (const t of [
      '/tmp/faxgate-probe-outside',
      path.join(runDir, 'outside'),
      path.join(packageRoot, 'probe-written'),
      '/dev/shm/probe',
      '/dev/probe',
      '/probe',
    ]) {
      expect(inside.writes[t].ok, t).toBe(false);
      expect(['EROFS', 'EACCES', 'ENOENT'], t).toContain(inside.writes[t].code);
    }
    expect(fs.existsSync(path.join(packageRoot, 'probe-written'))).toBe(false);
    // unconfined, the same writes land on the host
    expect(outside.writes['/tmp/faxgate-probe-outside']).toEqual({ ok: true });
    expect(outside.writes[path.join(runDir, 'outside')]).toEqual({ ok: true });
  });

  it('writes inside its private tmpfs (TMPDIR), which the host never sees', () => {
    expect(inside.tmpdir).toBe(privateTmp);
    expect(inside.writes[path.join(privateTmp, 'inside')]).toEqual({ ok: true });
    expect(inside.writes[`${privateTmp}/probe-${inside.pid}`]).toEqual({ ok: true });
    expect(fs.existsSync(privateTmp)).toBe(false);
  });

  it('runs under the seccomp filter: ptrace is refused with EPERM (x86-64)', () => {
    const on = process.arch === 'x64';
    expect(inside.status.Seccomp).toBe(on ? '2' : '0');
    expect(outside.status.Seccomp).toBe('0');
    expect(outside.ptrace).toBe('0 0');
    expect(inside.ptrace).toBe(on ? '-1 1' : '0 0');
  });

  it('has no capabilities and cannot make a new user namespace', () => {
    for (const k of ['CapEff', 'CapPrm', 'CapInh', 'CapBnd', 'CapAmb'])
      expect(inside.status[k], k).toMatch(/^0+$/);
    expect(inside.status.NoNewPrivs).toBe('1');
    expect(inside.newUserNamespace.ok).toBe(false);
    if (isRoot) expect(outside.status.CapEff).not.toMatch(/^0+$/);
  });

  it('runs as uid/gid 65534, on the host too when the gateway is root', () => {
    expect(inside.uid).toBe(65534);
    expect(inside.gid).toBe(65534);
    const worker = insideTree.find((p) => fs.readFileSync(`/proc/${p}/comm`, 'latin1').trim() !== 'bwrap')!;
    expect(worker).toBeGreaterThan(0);
    if (isRoot) {
      expect(outside.uid).toBe(0);
      expect(hostStatus(worker, 'Uid').split(/\s+/)).toEqual(['65534', '65534', '65534', '65534']);
      expect(hostStatus(worker, 'CapEff')).toMatch(/^0+$/);
    }
  });

  it('lives in its own pid namespace: pid 2 under bwrap as pid 1, sees no host process', () => {
    expect(inside.pid).toBe(2);
    expect(inside.ppid).toBe(1);
    // bwrap's init, the worker and tsx's esbuild helper at most; the host shows many more
    expect(inside.visiblePids.length).toBeLessThanOrEqual(4);
    expect(inside.visiblePids).not.toContain(process.pid);
    expect(outside.visiblePids).toContain(process.pid);
    expect(inside.signalHost.ok).toBe(false);
    expect(inside.signalHost.code).toBe('ESRCH');
    expect(outside.signalHost).toEqual({ ok: true });
    // bwrap → bwrap (pid 1 inside) → node on the host
    const comm = (p: number) => fs.readFileSync(`/proc/${p}/comm`, 'latin1').trim();
    expect(insideTree.slice(0, 3).map(comm)).toEqual(['bwrap', 'bwrap', 'node']);
  });

  it("gets none of the gateway's environment and sees only code and system files", () => {
    expect(process.env.FAXGATE_TEST_SECRET).toBeDefined();
    expect(inside.env).not.toContain('FAXGATE_TEST_SECRET');
    expect(inside.env.filter((k) => !k.startsWith('NODE_CHANNEL'))).toEqual(
      // PWD is bwrap's (--chdir)
      [
        'HOME',
        'MALLOC_MMAP_THRESHOLD_',
        'NODE_ENV',
        'PATH',
        'PWD',
        'TMPDIR',
        ...(process.env.TZ ? ['TZ'] : []),
      ].sort(),
    );
    expect(inside.hostname).toBe('faxgate-render');
    const ex = inside.exists;
    for (const hidden of ['/root', '/home', '/etc/shadow', '/etc/passwd', path.join(repoRoot, '.git')])
      expect(ex[hidden], hidden).toBe(false);
    expect(ex[path.join(repoRoot, 'packages', 'gateway')]).toBe(false);
    expect(ex[path.join(packageRoot, 'package.json')]).toBe(true);
    expect(ex[path.join(repoRoot, 'node_modules', 'sharp')]).toBe(true);
  });
});

describe('a worker that leaves a detached process behind', () => {
  it('loses it when the worker dies: the pid namespace ends with it', async () => {
    const escaped = await new Promise<number>((resolve) => {
      insideChild.once('message', (m: { pid: number }) => resolve(m.pid));
      insideChild.send({ type: 'escape' });
    });
    expect(escaped).toBeGreaterThan(2); // a pid of the sandbox's namespace
    const comm = (p: number) => fs.readFileSync(`/proc/${p}/comm`, 'latin1').trim();
    const tree = processTree(insideChild.pid!);
    const sleeper = tree.find((p) => comm(p) === 'sleep')!;
    expect(sleeper).toBeGreaterThan(0);
    expect(hostStatus(sleeper, 'NSpid').split(/\s+/)).toEqual([String(sleeper), String(escaped)]);
    // the worker crashes (only node is killed, not bwrap)
    const worker = tree.find((p) => comm(p) === 'node')!;
    process.kill(worker, 'SIGKILL');
    let alive = true;
    for (let i = 0; i < 100 && alive; i++) {
      await new Promise((r) => setTimeout(r, 20));
      alive = fs.existsSync(`/proc/${sleeper}`);
    }
    expect(alive).toBe(false);
  });
});

describe('a plain JavaScript worker in another package layout', () => {
  it('gets its package and a symlinked node_modules read-only, and nothing beside them', async () => {
    fs.chmodSync(runDir, 0o755);
    const app = path.join(runDir, 'app');
    const store = path.join(runDir, 'store');
    fs.mkdirSync(path.join(app, 'pkg'), { recursive: true, mode: 0o755 });
    fs.mkdirSync(path.join(store, 'dep'), { recursive: true, mode: 0o755 });
    fs.writeFileSync(
      path.join(store, 'dep', 'package.json'),
      '{"name":"dep","type":"module","exports":"./index.js"}',
    );
    fs.writeFileSync(path.join(store, 'dep', 'index.js'), 'export const answer = 42;\n');
    fs.symlinkSync(store, path.join(app, 'node_modules'));
    fs.writeFileSync(path.join(app, 'secret.txt'), 'not for workers');
    fs.writeFileSync(path.join(app, 'pkg', 'package.json'), '{"type":"module"}');
    const worker = path.join(app, 'pkg', 'worker.js');
    fs.writeFileSync(
      worker,
      [
        "import fs from 'node:fs';",
        "import { answer } from 'dep';",
        `process.send({ answer, secret: fs.existsSync(${JSON.stringify(path.join(app, 'secret.txt'))}), store: fs.existsSync(${JSON.stringify(store)}) });`,
        'process.disconnect();',
      ].join('\n'),
    );
    const child = prepareSandbox({ mode: 'bubblewrap', tmpDir: privateTmp }, worker, () => {}).start([]);
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const got = await new Promise((resolve, reject) => {
      child.once('message', resolve);
      child.once('exit', (code) => reject(new Error(`worker exited ${code}: ${stderr}`)));
    });
    expect(got).toEqual({ answer: 42, secret: false, store: false });
  }, 30_000);
});

describe('the bwrap command line', () => {
  it('unshares everything, drops capabilities, binds code read-only and nothing writable', () => {
    const a = bwrapArgs({
      workerFile: probeWorker,
      nodePath: '/usr/bin/node',
      tmpDir: privateTmp,
      tmpBytes: 1 << 20,
      env: { PATH: '/usr/bin' },
      seccomp: true,
    });
    const joined = a.join(' ');
    for (const flag of [
      '--unshare-all',
      '--unshare-user',
      '--disable-userns',
      '--die-with-parent',
      '--new-session',
    ])
      expect(a).toContain(flag);
    expect(joined).toContain('--cap-drop ALL');
    expect(joined).toContain('--seccomp 0');
    expect(joined).toContain('--uid 65534 --gid 65534');
    expect(joined).toContain(`--size 1048576 --tmpfs ${privateTmp}`);
    expect(joined).toContain('--remount-ro /');
    expect(joined).toContain('--dev /dev --remount-ro /dev');
    expect(a).not.toContain('--share-net');
    expect(a).not.toContain('--bind');
    expect(a).not.toContain('--dev-bind');
    expect(joined).not.toMatch(/postgresql|\/var\/run|\/home|\/root/);
    expect(a[a.length - 1]).toBe('--');
  });

  it('mounts a private tmp that holds the code (a checkout under /tmp) before the code, one elsewhere after it', () => {
    const pkg = path.dirname(path.dirname(path.dirname(probeWorker)));
    const order = (tmpDir: string) => {
      const a = bwrapArgs({
        workerFile: probeWorker,
        nodePath: '/usr/bin/node',
        tmpDir,
        tmpBytes: 1 << 20,
        env: {},
        seccomp: false,
      });
      return {
        tmpfs: a.indexOf('--tmpfs'),
        code: a.findIndex((x, i) => x === pkg && a[i - 1] === '--ro-bind'),
      };
    };
    const above = order(path.dirname(pkg));
    expect(above.code).toBeGreaterThan(0);
    expect(above.tmpfs).toBeLessThan(above.code);
    const apart = order(privateTmp);
    expect(apart.tmpfs).toBeGreaterThan(apart.code);
  });
});

describe('without bubblewrap', () => {
  it('a missing bwrap: the pool refuses to start with SandboxUnavailableError saying what to do', () => {
    const start = () =>
      createRenderPool({
        sandbox: { mode: 'bubblewrap', tmpDir: privateTmp, bwrapPath: '/nonexistent/bwrap' },
      });
    expect(start).toThrow(SandboxUnavailableError);
    expect(start).toThrow(/bubblewrap not found at \/nonexistent\/bwrap/);
    expect(start).toThrow(/apt-get install bubblewrap/);
    expect(start).toThrow(/render\.sandbox: none/);
  });

  it('checkRenderSandbox tells status and the lockdown report the same without starting a worker', () => {
    const info = checkRenderSandbox({ mode: 'bubblewrap', tmpDir: privateTmp });
    expect(info).toMatchObject({ mode: 'bubblewrap', tmpDir: privateTmp, seccomp: process.arch === 'x64' });
    expect(info.warning).toBeUndefined();
    expect(checkRenderSandbox({ mode: 'none', tmpDir: runDir })).toEqual({
      mode: 'none',
      tmpDir: runDir,
      warning: UNSANDBOXED_WARNING,
    });
    expect(() =>
      checkRenderSandbox({ mode: 'bubblewrap', tmpDir: privateTmp, bwrapPath: '/nonexistent/bwrap' }),
    ).toThrow(SandboxUnavailableError);
  });

  it('a bwrap that cannot create namespaces: SandboxUnavailableError with its complaint', () => {
    // readable by uid 65534 too: as root the pool first runs bwrap unprivileged
    fs.chmodSync(runDir, 0o755);
    const dir = fs.mkdtempSync(path.join(runDir, 'fake-'));
    fs.chmodSync(dir, 0o755);
    const fake = path.join(dir, 'bwrap');
    fs.writeFileSync(
      fake,
      '#!/bin/sh\necho "bwrap: No permissions to create new namespace, likely because the kernel does not allow non-privileged user namespaces." >&2\nexit 1\n',
      { mode: 0o755 },
    );
    const e = thrown(() =>
      createRenderPool({ sandbox: { mode: 'bubblewrap', tmpDir: privateTmp, bwrapPath: fake } }),
    );
    expect(e).toBeInstanceOf(SandboxUnavailableError);
    expect(e.message).toMatch(/No permissions to create new namespace/);
    expect(e.message).toMatch(/render\.sandbox: none/);
  });

  it('an old bwrap without --size/--disable-userns: says which version is needed', () => {
    fs.chmodSync(runDir, 0o755);
    const dir = fs.mkdtempSync(path.join(runDir, 'old-'));
    fs.chmodSync(dir, 0o755);
    const fake = path.join(dir, 'bwrap');
    fs.writeFileSync(fake, '#!/bin/sh\necho "bwrap: Unknown option --disable-userns" >&2\nexit 1\n', {
      mode: 0o755,
    });
    const e = thrown(() =>
      prepareSandbox({ mode: 'bubblewrap', tmpDir: privateTmp, bwrapPath: fake }, probeWorker, () => {}),
    );
    expect(e).toBeInstanceOf(SandboxUnavailableError);
    expect(e.message).toMatch(/Unknown option --disable-userns: bubblewrap 0\.8 or later is needed/);
  });

  it('a failed check is not remembered: once bwrap works, the next pool starts', () => {
    fs.chmodSync(runDir, 0o755);
    const dir = fs.mkdtempSync(path.join(runDir, 'later-'));
    fs.chmodSync(dir, 0o755);
    const fake = path.join(dir, 'bwrap');
    fs.writeFileSync(
      fake,
      `#!/bin/sh\nif [ -e ${dir}/fixed ]; then exec /usr/bin/bwrap "$@"; fi\necho "bwrap: No permissions to create new namespace" >&2\nexit 1\n`,
      { mode: 0o755 },
    );
    const options: SandboxOptions = { mode: 'bubblewrap', tmpDir: privateTmp, bwrapPath: fake };
    expect(() => prepareSandbox(options, probeWorker, () => {})).toThrow(SandboxUnavailableError);
    fs.writeFileSync(path.join(dir, 'fixed'), '');
    expect(prepareSandbox(options, probeWorker, () => {}).info).toMatchObject({
      mode: 'bubblewrap',
      bwrap: fake,
    });
  });

  it('a bwrap that works only as root: workers still sandboxed, with a warning in stats()', () => {
    fs.chmodSync(runDir, 0o755);
    const dir = fs.mkdtempSync(path.join(runDir, 'rootonly-'));
    fs.chmodSync(dir, 0o755);
    const fake = path.join(dir, 'bwrap');
    fs.writeFileSync(
      fake,
      '#!/bin/sh\nif [ "$(id -u)" != 0 ]; then echo "bwrap: setting up uid map: Permission denied" >&2; exit 1; fi\nexec /usr/bin/bwrap "$@"\n',
      { mode: 0o755 },
    );
    const warnings: string[] = [];
    const sandbox = prepareSandbox(
      { mode: 'bubblewrap', tmpDir: privateTmp, bwrapPath: fake },
      probeWorker,
      (m) => warnings.push(m),
    );
    if (isRoot) {
      expect(sandbox.info.hostUid).toBe(0);
      expect(warnings).toEqual([
        expect.stringMatching(/cannot run unprivileged here \(.*Permission denied\)/),
      ]);
      expect(sandbox.info.warning).toBe(warnings[0]);
    } else {
      // not root: bwrap runs as the gateway's own uid and the fake refuses it
      expect(sandbox.info).toBeUndefined();
    }
  });

  it("mode 'none' renders, warns once and shows it in stats()", async () => {
    const warnings: string[] = [];
    const pool = createRenderPool({
      workers: 1,
      sandbox: { mode: 'none', tmpDir: runDir },
      onWarning: (m) => warnings.push(m),
    });
    try {
      const { makeTextPdf } = await import('../test-support/render-fixtures.js');
      const r = await pool.render(await makeTextPdf(1));
      expect(r.pages.length).toBe(1);
      await pool.render(await makeTextPdf(1));
      expect(warnings).toEqual([UNSANDBOXED_WARNING]);
      expect(pool.stats().sandbox).toEqual({ mode: 'none', tmpDir: runDir, warning: UNSANDBOXED_WARNING });
    } finally {
      await pool.close();
    }
  }, 60_000);
});
