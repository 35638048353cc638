// The disk guard at the edges: over the real API (507 with a clear message, /health, the
// disk view and its rights, the CLI's exit code) and on a real line (capi-sim: an incoming
// call rejected with "temporary failure" while critical, received again once space is back).
// Free space comes from an injected probe; everything around it is real.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Simulator, startSimulator } from '@faxgate/capi-sim';
import { createPage, setPixel } from '@faxgate/fax-core';
import { mailboxes } from '@faxgate/store';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi, listenApi } from '../api/server.js';
import { validateConfig } from '../config/load.js';
import { createDocumentLoader, documentLoaderOptions } from '../documents/load-pages.js';
import { startInbound } from '../inbound/daemon.js';
import { DISK_FULL_REJECT } from '../inbound/receiver.js';
import type { Logger } from '../logger.js';
import { queueSettings } from '../pipeline/settings.js';
import { faxForm, testTiff, useApiFixture } from '../test-support/api-fixture.js';
import { runFaxgate } from '../testing/run-cli.js';
import { diskSchema } from './config.js';
import { type DiskGuard, startDiskGuard } from './guard.js';
import type { SpaceReading } from './probe.js';

const GiB = 1024 ** 3;
const f = useApiFixture();
const free: Record<string, SpaceReading> = {
  '/spool': { totalBytes: 100 * GiB, freeBytes: 50 * GiB },
  '/tmp': { totalBytes: 100 * GiB, freeBytes: 50 * GiB },
};
const lines: string[] = [];
const log = Object.fromEntries(
  ['error', 'warn', 'info', 'http', 'debug'].map((l) => [l, (m: string) => void lines.push(`${l} ${m}`)]),
) as unknown as Logger;
let guard: DiskGuard;
let app: FastifyInstance;
let base = '';
let home: string;
let sim: Simulator;
let documents: ReturnType<typeof createDocumentLoader>;

beforeAll(async () => {
  guard = await startDiskGuard({
    db: f.db,
    log,
    actor: 'gateway:test',
    disk: diskSchema.parse({ intervalSeconds: 3600 }),
    dirs: { spool: '/spool', tmp: '/tmp' },
    probe: async (p) => free[p],
    node: 'node-a',
  });
  documents = createDocumentLoader({ workers: 1, ...documentLoaderOptions(f.config) });
  app = buildApi({
    probes: {
      disk: async () => {
        if (guard.refusal()) throw new Error(guard.refusal());
      },
    },
    status: () => ({}) as never,
    services: {
      db: f.db,
      config: f.config,
      queue: f.queue,
      settings: queueSettings(f.config),
      documents,
      disk: guard,
      logError: (m) => {
        throw new Error(m);
      },
    },
  });
  base = await listenApi(app, '127.0.0.1', 0);
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-disk-'));
  fs.writeFileSync(path.join(home, 'faxgate.yaml'), 'logging:\n  level: warn\n');
  fs.writeFileSync(path.join(home, 'fax.tif'), testTiff());
  sim = await startSimulator({ timeFactor: 0 });
}, 60_000);
afterAll(async () => {
  await app?.close();
  await documents?.close();
  await guard?.stop();
  await sim?.close();
  if (home) fs.rmSync(home, { recursive: true, force: true });
});

const send = (user = 'alice') =>
  fetch(`${base}/api/v1/faxes`, {
    method: 'POST',
    headers: { authorization: `Bearer ${f.tokens[user]}` },
    body: faxForm({ number: '030 5551000' }, [{ name: 'fax.tif', data: testTiff() }]),
  });

const cli = (user: string, args: string[]) =>
  runFaxgate(args, {
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    FAXGATE_CONFIG: path.join(home, 'faxgate.yaml'),
    FAXGATE_API_URL: base,
    FAXGATE_TOKEN: f.tokens[user],
  });

async function critical(on: boolean) {
  free['/spool'] = { totalBytes: 100 * GiB, freeBytes: on ? 1 * GiB : 50 * GiB };
  await guard.check();
}

describe('disk guard over the API', () => {
  it('shows the disk to line.read holders only; a refusal is audited', async () => {
    const r = await fetch(`${base}/api/v1/health/disk`, {
      headers: { authorization: `Bearer ${f.tokens.op}` },
    });
    expect(r.status).toBe(200);
    const d = (await r.json()) as {
      level: string;
      refusing: string | null;
      targets: Array<{ name: string }>;
    };
    expect(d.level).toBe('ok');
    expect(d.refusing).toBeNull();
    expect(d.targets.map((t) => t.name)).toEqual(['spool', 'tmp', 'database']);
    const denied = await fetch(`${base}/api/v1/health/disk`, {
      headers: { authorization: `Bearer ${f.tokens.bob}` },
    });
    expect(denied.status).toBe(403);
    const ev = await f.db('audit_events').orderBy('id', 'desc').first('type', 'actor');
    expect(ev).toMatchObject({ type: 'access.denied', actor: 'bob' });
  });

  it('at critical: submissions 507 with the reason, /health fails, the CLI exits 75; then it resumes', async () => {
    await critical(true);
    const before = await f.db('faxes').count<{ n: number }[]>('* as n');
    const r = await send();
    expect(r.status).toBe(507);
    const body = (await r.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('insufficient_storage');
    expect(body.error.message).toMatch(
      /^disk space critical \(spool \/spool: 1\.0 GiB free, 1\.0 % .*\); faxes are accepted again once space is freed$/,
    );
    expect(await f.db('faxes').count<{ n: number }[]>('* as n')).toEqual(before);
    const h = await fetch(`${base}/health`);
    expect(h.status).toBe(503);
    expect(await h.json()).toEqual({ status: 'degraded', checks: { disk: 'fail' } });

    const c = await cli('alice', ['send', '-d', '030 5551000', path.join(home, 'fax.tif')]);
    expect(c.code).toBe(75);
    expect(c.stderr.trim().split('\n')).toHaveLength(1);
    expect(c.stderr).toMatch(/disk space critical/);
    const hc = await cli('op', ['health', '--disk']);
    expect(hc.code).toBe(1);
    expect(hc.stdout).toMatch(/^disk critical: disk space critical/);

    await critical(false);
    expect((await send()).status).toBe(201);
    expect((await fetch(`${base}/health`)).status).toBe(200);
    const ok = await cli('op', ['health', '--disk']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^disk ok\n {2}ok +spool +51200 MiB free \(50\.0 %\) at \/spool$/m);
  });
});

describe('disk guard on the line', () => {
  const page = () => {
    const p = createPage(1728, 60, 'fine');
    for (let y = 10; y < 50; y++) for (let x = 200; x < 900; x++) setPixel(p, x, y, true);
    return p;
  };

  it('rejects incoming calls with "temporary failure" while critical and receives again after', async () => {
    await mailboxes.add(f.db, { name: 'sales', kind: 'incoming', numbers: ['+49303002'] });
    const config = validateConfig(
      {
        ...f.config,
        lines: { transport: 'rcapi', port: sim.port, controllers: [1] },
        lockdown: { mode: 'send-receive' },
        queue: { stationId: '+49 30 3002' },
      } as never,
      {},
    ).config;
    const inbound = await startInbound({
      config,
      db: f.db,
      log,
      actor: 'gateway:test',
      refuseCalls: () => guard.refusal(),
    });
    try {
      await critical(true);
      const rec = await sim.injectCall({ from: '0891234567', to: '3002', document: [page()] });
      expect(rec.outcome).toBe('rejected');
      expect(rec.reason).toBe(DISK_FULL_REJECT);
      expect(DISK_FULL_REJECT).toBe(0x34a9);
      const ev = await f.db('audit_events').where({ type: 'recv.reject' }).orderBy('id', 'desc').first();
      expect(ev.details).toMatchObject({ cause: 'disk-critical', reject: 0x34a9, called: '3002' });
      expect(ev.details.reason).toMatch(/^disk space critical/);

      await critical(false);
      const again = await sim.injectCall({ from: '0891234567', to: '3002', document: [page()] });
      expect(again.outcome).toBe('completed');
    } finally {
      await inbound.stop();
    }
  });
});
