// faxgate-sim as an admin runs it: serve in the foreground, inject a call through the
// control port, follow the trace; plus the HTTP control API it rides on.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pagesEqual, readSff, writePbm } from '@faxgate/fax-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CountersSnapshot } from '../observe/counters.js';
import { TestClient } from '../test-support/client.js';
import { receiveFax, testPage } from '../test-support/fax-app.js';

const entry = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'main.ts');
const run = (args: string[]) =>
  spawn(process.execPath, ['--conditions=development', '--import', 'tsx', entry, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });

function collect(child: ChildProcessWithoutNullStreams) {
  let out = '';
  let err = '';
  const waiters: { pred: (s: string) => boolean; resolve: () => void }[] = [];
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    for (const w of [...waiters]) {
      if (!w.pred(out)) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exit = new Promise<number>((r) => child.on('close', (c) => r(c ?? -1)));
  return {
    get out() {
      return out;
    },
    get err() {
      return err;
    },
    exit,
    until: (pred: (s: string) => boolean) =>
      new Promise<void>((resolve) => (pred(out) ? resolve() : waiters.push({ pred, resolve }))),
  };
}

let server: ChildProcessWithoutNullStreams;
let serverOut: ReturnType<typeof collect>;
let port: number;
let controlPort: number;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'capi-sim-cli-'));
  server = run(['--port', '0', '--control-port', '0', '--time-factor', '0']);
  serverOut = collect(server);
  await serverOut.until((s) => s.includes('"listening"'));
  const first = JSON.parse(serverOut.out.split('\n')[0]);
  port = first.port;
  controlPort = first.controlPort;
});
afterAll(async () => {
  server.kill('SIGTERM');
  expect(await serverOut.exit).toBe(0);
  rmSync(dir, { recursive: true, force: true });
});

describe('faxgate-sim CLI', () => {
  it('serves with the default exchange: 2 controllers and the documented parties', () => {
    const first = JSON.parse(serverOut.out.split('\n')[0]);
    expect(first.controllers).toBe(2);
    expect(first.parties).toContain('5551000');
    expect(port).toBeGreaterThan(0);
  });

  it('call injects a fax from a file that a listening application receives', async () => {
    const app = await TestClient.register(port);
    await app.request({ name: 'LISTEN_REQ', controller: 1, infoMask: 0, cipMask: 0x10 }, 'LISTEN_CONF');
    const pages = [testPage(40, 100)];
    const file = path.join(dir, 'page.pbm');
    writeFileSync(file, writePbm(pages));
    const cli = collect(
      run(['call', '--from', '0301234', '--to', '3001', file, '--control-port', String(controlPort)]),
    );
    const rx = await receiveFax(app);
    expect(await cli.exit).toBe(0);
    const rec = JSON.parse(cli.out);
    expect(rec).toMatchObject({ outcome: 'completed', pages: 1, from: '0301234', to: '3001' });
    expect(pagesEqual(readSff(rx.sff).pages[0].page, pages[0])).toBe(true);
    await app.close();
  });

  it('call --service speech with nobody listening reports no-listener', async () => {
    const cli = collect(
      run([
        'call',
        '--from',
        '1',
        '--to',
        '3002',
        '--service',
        'speech',
        '--control-port',
        String(controlPort),
      ]),
    );
    expect(await cli.exit).toBe(0);
    expect(JSON.parse(cli.out).outcome).toBe('no-listener');
  });

  it('reads a JSON config file: 1 S2M controller with 30 B channels and its own parties', async () => {
    const file = path.join(dir, 'sim.json');
    writeFileSync(
      file,
      JSON.stringify({
        controllers: [{ bChannels: 30, ddi: [{ from: '100', to: '199' }] }],
        parties: { '42': { kind: 'busy' } },
      }),
    );
    const child = run(['--port', '0', '--control-port', '0', '--config', file]);
    const o = collect(child);
    await o.until((s) => s.includes('"listening"'));
    const first = JSON.parse(o.out.split('\n')[0]);
    expect(first).toMatchObject({ controllers: 1, parties: ['42'] });
    const c = await TestClient.connect(first.port);
    expect((await c.func(0xe0, 1)).readUInt16LE(12)).toBe(30);
    await c.close();
    child.kill('SIGTERM');
    expect(await o.exit).toBe(0);
    writeFileSync(file, JSON.stringify({ controllers: [{ bChannels: 31 }] }));
    const bad = collect(run(['--port', '0', '--config', file]));
    expect(await bad.exit).toBe(1);
    expect(bad.err).toContain('bChannels 31');
  });

  it('refuses bad usage with exit code 2', async () => {
    const a = collect(run(['call', '--to', '3001']));
    expect(await a.exit).toBe(2);
    expect(a.err).toContain('FILE or --service');
    const b = collect(run(['call', '--to', '3001', '--service', 'telex']));
    expect(await b.exit).toBe(2);
    const c = collect(run(['--port', 'abc']));
    expect(await c.exit).toBe(2);
  });

  it('trace follows CAPI messages as JSON lines', async () => {
    const t = run(['trace', '--control-port', String(controlPort)]);
    const tr = collect(t);
    const app = await TestClient.register(port);
    await app.request({ name: 'LISTEN_REQ', controller: 2, infoMask: 0, cipMask: 0x10 }, 'LISTEN_CONF');
    const isConf2 = (l: { name: string; message?: { controller?: number } }) =>
      l.name === 'LISTEN_CONF' && l.message?.controller === 2;
    const parsed = () =>
      tr.out
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l));
    await tr.until(() => parsed().some(isConf2));
    const lines = parsed();
    const conf = lines.find(isConf2);
    expect(conf).toMatchObject({ dir: 'out', message: { name: 'LISTEN_CONF', controller: 2, info: 0 } });
    expect(lines.some((l) => l.name === 'REGISTER' && l.dir === 'in')).toBe(true);
    t.kill('SIGTERM');
    await tr.exit;
    await app.close();
  });
});

describe('HTTP control', () => {
  const http = async (method: string, p: string, body?: unknown) => {
    const res = await fetch(`http://127.0.0.1:${controlPort}${p}`, {
      method,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  };

  it('changes a profile and reports it through GET_PROFILE', async () => {
    const r = await http('PUT', '/controllers/2/profile', { b3: 0x11 });
    expect(r).toMatchObject({ status: 200, body: { b3: 0x11 } });
    const c = await TestClient.connect(port);
    expect((await c.func(0xe0, 2)).readUInt32LE(26)).toBe(0x11);
    expect((await http('PUT', '/controllers/2/profile', { b3: -1 })).status).toBe(400);
    await http('PUT', '/controllers/2/profile', { b3: 0x31 });
    await c.close();
  });

  it('lists parties with what they received, counters and calls; refuses junk', async () => {
    const parties = (await http('GET', '/parties')).body as { number: string }[];
    expect(parties.map((p) => p.number)).toContain('5552000');
    const counters = (await http('GET', '/counters')).body as CountersSnapshot;
    expect(counters.channels).toHaveLength(2);
    expect(counters.calls.incoming.completed).toBeGreaterThanOrEqual(1);
    expect(((await http('GET', '/calls')).body as unknown[]).length).toBeGreaterThanOrEqual(1);
    expect((await http('POST', '/calls', { to: 'abc', service: 'speech' })).status).toBe(400);
    expect((await http('GET', '/nope')).status).toBe(404);
  });
});
