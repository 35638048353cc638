// A gateway daemon (startGateway) on a database of its own, Redis under a key prefix of its
// own and capi-sim, with an incoming mailbox on +49 30 3001 / 4000, an outgoing one, a user
// and an operator logged in: the world of the line-supervision tests and bench:lines.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { auditMigrations } from '@faxgate/audit';
import { type Simulator, startSimulator } from '@faxgate/capi-sim';
import { createPage, setPixel } from '@faxgate/fax-core';
import { createRouter } from '@faxgate/router';
import { grants, type Knex, mailboxes, migrate, openDatabase, users } from '@faxgate/store';
import { createTestDatabase, type TestDatabase, testRedisPrefix } from '@faxgate/store/testing';
import { Redis } from 'ioredis';
import { validateConfig } from '../config/load.js';
import { type RunningGateway, startGateway } from '../gateway.js';
import { createGatewayLogger } from '../logger.js';
import { submitFax } from '../pipeline/submit.js';
import { deleteKeys, testPage } from './pipeline-fixture.js';

const PASSWORD = 'correct horse battery';

export interface LineScenarioOptions {
  transport: 'rcapi' | 'native';
  /** Called with the simulator before the gateway starts (native: write ~/.capi20rc). */
  prepare?: (sim: Simulator) => void;
  /** The simulator's server is away when the gateway starts. */
  startDown?: boolean;
}

export interface Ctx {
  sim: Simulator;
  testDb: TestDatabase;
  db: Knex;
  gateway: RunningGateway;
  dir: string;
  prefix: string;
  outbox: number;
  tokens: Record<string, string>;
}

export const inPage = () => {
  const p = createPage(1728, 120, 'fine');
  for (let y = 10; y < 110; y++) for (let x = 300; x < 1200; x += 2) setPixel(p, x, y, true);
  return p;
};

export async function startCtx(o: LineScenarioOptions, queue: string[], timeFactor = 0): Promise<Ctx> {
  const sim = await startSimulator({ timeFactor });
  o.prepare?.(sim);
  if (o.startDown) await sim.stopServing();
  const testDb = await createTestDatabase('faxgate_lines');
  const db = openDatabase(testDb.url, { poolMax: 4 });
  await migrate(db, auditMigrations);
  await mailboxes.add(db, { name: 'sales', kind: 'incoming', numbers: ['+49303001', '+49304000'] });
  await mailboxes.add(db, { name: 'postoffice', kind: 'incoming' });
  const out = await mailboxes.add(db, { name: 'alice-out', kind: 'outgoing' });
  await users.add(db, { name: 'alice', roles: ['user'], password: PASSWORD });
  await users.add(db, { name: 'op', roles: ['operator'], password: PASSWORD });
  await grants.grant(db, { user: 'alice', mailbox: 'alice-out', right: 'out.send' });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-lines-'));
  const prefix = testRedisPrefix();
  const file = path.join(dir, 'faxgate.yaml');
  fs.writeFileSync(
    file,
    [
      'api:\n  port: 0',
      'database:\n  allowPrivileged: true',
      `paths: { spool: ${dir}/spool, tmp: ${dir}/tmp }`,
      `audit: { checkpointDir: ${dir}/checkpoints, checkpointKeyFile: ${dir}/key/audit-checkpoint.key }`,
      'logging:\n  level: error',
      `redis:\n  keyPrefix: "${prefix}"`,
      `lines:\n  transport: ${o.transport}\n  port: ${sim.port}\n  controllers: [1, 2]\n  probeIntervalSeconds: 0.5\n  probeTimeoutSeconds: 2`,
      'routing:\n  numbering: { countryCode: "49", areaCode: "30", localNumberLength: 7, dialLocal: true }\n  inbound: { default: postoffice }',
      ['queue:', '  enabled: true', '  timeScale: 0.001', '  stationId: "+49 30 3001"', ...queue].join('\n'),
      '',
    ].join('\n'),
  );
  const env: NodeJS.ProcessEnv = { FAXGATE_DATABASE_URL: testDb.url };
  if (process.env.REDIS_URL) env.REDIS_URL = process.env.REDIS_URL;
  const gateway = await startGateway({
    path: file,
    env,
    logger: createGatewayLogger(validateConfig({ logging: { level: 'error' } }, {}).config),
  });
  const tokens: Record<string, string> = {};
  for (const name of ['alice', 'op']) {
    const r = await fetch(`${gateway.address}/api/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: name, password: PASSWORD }),
    });
    tokens[name] = ((await r.json()) as { token: string }).token;
  }
  return { sim, testDb, db, gateway, dir, prefix, outbox: out.id, tokens };
}

export async function closeCtx(c: Ctx | undefined): Promise<void> {
  if (!c) return;
  await c.gateway.stop({ graceMs: 0 });
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  await deleteKeys(redis, c.prefix).finally(() => redis.disconnect());
  await c.db.destroy();
  await c.testDb.drop();
  await c.sim.close();
  fs.rmSync(c.dir, { recursive: true, force: true });
}

export async function submit(c: Ctx, number: string, pages = [testPage(3)]) {
  const router = createRouter(
    {
      numbering: { countryCode: '49', areaCode: '30', localNumberLength: 7, dialLocal: true },
      inbound: { default: 'postoffice' },
    },
    (await mailboxes.list(c.db)).map((m) => ({ id: m.id, name: m.name, kind: m.kind, numbers: m.numbers })),
  );
  const p = c.gateway.pipeline;
  if (!p) throw new Error('no pipeline');
  return submitFax(
    { db: c.db, queue: p.queue, router, settings: p.settings },
    { actor: 'alice', mailboxId: c.outbox, number, pages },
  );
}

export async function health(c: Ctx): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(`${c.gateway.address}/health`);
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

/** Injects calls until one is received (nobody LISTENs until the gateway registered again). */
export async function receiveOne(c: Ctx, to: string, deadlineMs: number) {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const rec = await c.sim.injectCall({ from: '0891234567', to, document: [inPage()] });
    if (rec.outcome === 'completed') return rec;
    if (Date.now() > end) throw new Error(`no fax received within ${deadlineMs} ms (last: ${rec.outcome})`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function lineEvents(c: Ctx) {
  return c
    .db('audit_events')
    .whereIn('type', ['line.down', 'line.up'])
    .orderBy('id')
    .select('type', 'subject', 'details');
}
