// The real libcapi20 3.27 (Debian libcapi20-3, rcapi module) against the simulator: a C probe
// compiled at test time registers, reads manufacturer/serial/profile, LISTENs, sends a fax
// and receives one. What the remote machine got and what the probe got must decode to
// exactly the pages that were sent.
import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pagesEqual, readSff, writeSff } from '@faxgate/fax-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../simulator.js';
import { testPage } from '../test-support/fax-app.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const probeSource = path.resolve(here, '../test-support/capi-probe.c');
let dir: string;
let sim: Simulator;
let probe: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'capi-sim-libcapi20-'));
  probe = path.join(dir, 'capi-probe');
  execFileSync('cc', ['-O1', '-Wall', '-o', probe, probeSource, '-lcapi20']);
  sim = await startSimulator({ manufacturer: 'faxgate capi-sim', serial: '4711000', fritzboxPort: 0 });
});

/** A HOME whose .capi20rc points libcapi20 at one of our front doors. */
function home(driver: 'rcapi' | 'fritzbox'): string {
  const h = path.join(dir, driver);
  mkdirSync(h, { recursive: true });
  const port = driver === 'rcapi' ? sim.port : sim.fritzboxPort;
  // The last line must end in a newline: libcapi20 chops the last character of each line.
  writeFileSync(path.join(h, '.capi20rc'), `REMOTE ${driver} 127.0.0.1 ${port}\nTRACELEVEL 0\n`);
  return h;
}
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

function lines(child: ChildProcessWithoutNullStreams) {
  const seen: string[] = [];
  const waiters: { key: string; resolve: (l: string) => void }[] = [];
  let buf = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    let i = buf.indexOf('\n');
    while (i >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      seen.push(line);
      for (const w of waiters.filter((x) => line.startsWith(x.key))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
      i = buf.indexOf('\n');
    }
  });
  return {
    seen,
    waitFor: (key: string) =>
      new Promise<string>((resolve) => {
        const hit = seen.find((l) => l.startsWith(key));
        if (hit) resolve(hit);
        else waiters.push({ key, resolve });
      }),
  };
}

it.each(['rcapi', 'fritzbox'] as const)(
  'libcapi20 (%s) registers, reads the profile, LISTENs, sends and receives a fax',
  async (driver) => {
    const sent = [testPage(31, 150), testPage(32, 90)];
    const incoming = [testPage(33, 120)];
    const sffIn = path.join(dir, `${driver}-send.sff`);
    const sffOut = path.join(dir, `${driver}-received.sff`);
    writeFileSync(sffIn, writeSff(sent));

    const child = spawn(probe, ['5551000', sffIn, sffOut], { env: { ...process.env, HOME: home(driver) } });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const out = lines(child);
    const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));

    await out.waitFor('READY');
    const call = sim.injectCall({ from: '0301234', to: '3001', document: incoming, csi: 'LIBCAPI TEST' });
    const code = await exited;
    const record = await call;
    const text = out.seen.join('\n');
    expect(code, `${text}\n${stderr}`).toBe(0);

    expect(text).toContain('isinstalled 0x0000');
    // The fritzbox module answers these itself (capi-reference §4.4).
    expect(text).toContain(driver === 'rcapi' ? 'manufacturer faxgate capi-sim' : 'manufacturer AVM Berlin');
    expect(text).toContain(driver === 'rcapi' ? 'serial 4711000' : 'serial 0004711');
    expect(text).toContain('profile0 0x0000 controllers 2');
    expect(text).toContain('profile1 0x0000 bchannels 2 b1 0x13 b2 0x13 b3 0x31');
    expect(text).toContain('register 0x0000');
    expect(text).toContain('listen_conf 0x0000');
    expect(text).toContain('connect_conf 0x0000');
    expect(text).toContain('b3_active_rate 14400');
    expect(text).toContain('send_reason_b3 0x0000 pages 2');
    expect(text).toContain('send_reason 0x3490');
    expect(text).toContain('connect_ind cip 4');
    expect(text).toContain('recv_reason_b3 0x0000');
    expect(text).toContain('recv_reason 0x3490');

    const got = sim.remoteParty('5551000').received.at(-1)!;
    expect(got.complete).toBe(true);
    expect(got.pages).toHaveLength(2);
    got.pages.forEach((p, i) => {
      expect(pagesEqual(p, sent[i])).toBe(true);
    });

    expect(record.outcome).toBe('completed');
    const rx = readSff(readFileSync(sffOut)).pages.map((p) => p.page);
    expect(rx).toHaveLength(1);
    expect(pagesEqual(rx[0], incoming[0])).toBe(true);
  },
);
