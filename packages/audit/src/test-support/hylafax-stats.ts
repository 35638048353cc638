// Debian's real xferfaxstats and recvstats (hylafax-server, GPL shell/awk scripts, run as
// separate processes by tests only): downloaded with `apt-get download` (no root needed once
// the package lists are there) and unpacked with `dpkg -x` into the repository's ignored
// .faxgate/cache — no daemon, nothing installed. The scripts read their spool's
// bin/common-functions and etc/setup.cache; the cache holds a spool of its own for them (the
// scripts' SPOOL line points there, the only change), with a setup.cache naming awk and cat.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const CACHE = path.join(ROOT, '.faxgate/cache/hylafax-server');
const TOOLS = ['xferfaxstats', 'recvstats'] as const;

function run(cmd: string, args: string[], cwd: string): { ok: boolean; out: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 300_000 });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

/** The spool directory holding the two scripts; unpacked on first use. */
export function hylafaxStatsSpool(): string {
  if (TOOLS.every((t) => fs.existsSync(path.join(CACHE, 'spool/bin', t)))) return CACHE;
  fs.mkdirSync(path.dirname(CACHE), { recursive: true });
  const tmp = fs.mkdtempSync(`${CACHE}.tmp-`);
  try {
    let dl = run('apt-get', ['download', 'hylafax-server'], tmp);
    if (!dl.ok && process.getuid?.() === 0) {
      run('apt-get', ['update', '-qq'], tmp);
      dl = run('apt-get', ['download', 'hylafax-server'], tmp);
    }
    const deb = fs.readdirSync(tmp).find((f) => f.endsWith('.deb'));
    if (!dl.ok || !deb) {
      throw new Error(
        `could not download hylafax-server (apt-get download; as root run apt-get update first): ${dl.out.trim()}`,
      );
    }
    const x = run('dpkg', ['-x', deb, 'pkg'], tmp);
    if (!x.ok) throw new Error(`dpkg -x ${deb}: ${x.out.trim()}`);
    const spool = path.join(tmp, 'spool');
    fs.mkdirSync(path.join(spool, 'bin'), { recursive: true });
    fs.mkdirSync(path.join(spool, 'etc'));
    fs.copyFileSync(
      path.join(tmp, 'pkg/var/spool/hylafax/bin/common-functions'),
      path.join(spool, 'bin/common-functions'),
    );
    for (const tool of TOOLS) {
      const script = fs.readFileSync(path.join(tmp, 'pkg/usr/lib/hylafax/bin', tool), 'utf8');
      if (!/^SPOOL=\/var\/spool\/hylafax$/m.test(script))
        throw new Error(`${tool}: no SPOOL line to point at the cache`);
      fs.writeFileSync(
        path.join(spool, 'bin', tool),
        script.replace(
          /^SPOOL=\/var\/spool\/hylafax$/m,
          `SPOOL=${JSON.stringify(path.join(CACHE, 'spool'))}`,
        ),
        { mode: 0o755 },
      );
    }
    // What faxsetup would have written for these two scripts: the tools they call.
    fs.writeFileSync(path.join(spool, 'etc/setup.cache'), 'AWK=awk\nCAT=cat\nSED=sed\nGREP=grep\n');
    fs.rmSync(path.join(tmp, 'pkg'), { recursive: true });
    try {
      fs.renameSync(tmp, CACHE);
    } catch (e) {
      // Another process unpacked it first: theirs is as good.
      if (!fs.existsSync(path.join(CACHE, 'spool/bin/xferfaxstats'))) throw e;
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return CACHE;
}

/** The hylafax-server version the cache holds (from the .deb's name). */
export function hylafaxStatsVersion(): string {
  const deb = fs.readdirSync(hylafaxStatsSpool()).find((f) => f.endsWith('.deb')) ?? '';
  return decodeURIComponent(deb.replace(/^hylafax-server_/, '').replace(/_[^_]+\.deb$/, ''));
}

/**
 * Runs `xferfaxstats` or `recvstats` on `logFile` with `args` (a sort key, -since/-end) and
 * returns its report. A private TMPDIR: the scripts write their awk program there.
 */
export function runHylafaxStats(tool: (typeof TOOLS)[number], logFile: string, args: string[] = []): string {
  const spool = path.join(hylafaxStatsSpool(), 'spool');
  const tmp = fs.mkdtempSync(path.join(path.dirname(logFile), 'hfx-tmp-'));
  try {
    const r = spawnSync('bash', [path.join(spool, 'bin', tool), ...args, logFile], {
      encoding: 'utf8',
      timeout: 30_000,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TMPDIR: tmp, LC_ALL: 'C' },
    });
    if (r.status !== 0)
      throw new Error(`${tool} exited with ${r.status ?? r.signal}: ${r.stderr}${r.stdout}`);
    return r.stdout;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

export interface StatsRow {
  key: string;
  /** recvstats only. */
  cidName?: string;
  cidNumber?: string;
  pages: number;
  /** The Time column as printed (fmtTime: [h:]m:ss). */
  time: string;
  errs: number;
  typRate: string;
  typData: string;
}

/**
 * The report's rows by key (the Total row under "Total"). The scripts print each key column
 * %-N.Ns (N = max(15, longest key); recvstats: sender, CIDName, CIDNumber), then the numbers:
 * N follows from where the header's "Pages" stands.
 */
export function parseHylafaxStats(report: string, tool: (typeof TOOLS)[number]): Map<string, StatsRow> {
  const lines = report.split('\n').filter((l) => l.trim() !== '' && !/^-+$/.test(l));
  const at = (lines.shift() ?? '').indexOf('Pages');
  const nKeys = tool === 'recvstats' ? 3 : 1;
  // xferfaxstats: key " %6s" → Pages at N + 2; recvstats: 3 keys " %5s" → Pages at 3N + 3
  const w = tool === 'recvstats' ? (at - 3) / 3 : at - 2;
  const rows = new Map<string, StatsRow>();
  for (const line of lines) {
    const keys = Array.from({ length: nKeys }, (_, i) => line.slice(i * (w + 1), i * (w + 1) + w).trim());
    const [pages, time, , errs, typRate, ...typData] = line
      .slice(nKeys * (w + 1))
      .trim()
      .split(/ +/);
    rows.set(keys[0], {
      key: keys[0],
      ...(tool === 'recvstats' ? { cidName: keys[1], cidNumber: keys[2] } : {}),
      pages: Number(pages),
      time,
      errs: Number(errs),
      typRate: typRate ?? '',
      typData: typData.join(' '),
    });
  }
  return rows;
}
