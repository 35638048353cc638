// A line taken out of service, end to end: the daemon on capi-sim (controller 1 only), real
// PostgreSQL and Redis. Through the API (line.manage) the operator takes controller 1 out:
// a queued fax is not dialled and an incoming call on it is not taken; the state survives a
// new supervisor (restart); back in service, the fax goes out and calls are taken again.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { auditMigrations } from '@faxgate/audit';
import { RcapiTransport } from '@faxgate/capi-bindings';
import { type Simulator, startSimulator } from '@faxgate/capi-sim';
import { createRouter } from '@faxgate/router';
import { faxes, grants, type Knex, mailboxes, migrate, openDatabase, users } from '@faxgate/store';
import { createTestDatabase, type TestDatabase, testRedisPrefix } from '@faxgate/store/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { validateConfig } from '../config/load.js';
import type { RunningGateway } from '../gateway.js';
import { createGatewayLogger } from '../logger.js';
import { submitFax } from '../pipeline/submit.js';
import { deleteKeys, testPage, waitFor, waitTerminal } from '../test-support/pipeline-fixture.js';
import { startTestDaemon, writeTestDaemonConfig } from '../test-support/test-daemon.js';
import { startLineSupervisor } from './supervisor.js';

let sim: Simulator;
let testDb: TestDatabase;
let gateway: RunningGateway;
let db: Knex;
let dir: string;
let token: string;
const prefix = testRedisPrefix();
const dialled: string[] = [];
const PASSWORD = 'correct horse battery';

beforeAll(async () => {
  sim = await startSimulator({ timeFactor: 0 });
  sim.trace.on('message', (r: { name: string; message?: unknown }) => {
    if (r.name !== 'CONNECT_REQ') return;
    const m = r.message as { calledPartyNumber?: { digits?: string } } | undefined;
    dialled.push(m?.calledPartyNumber?.digits ?? '?');
  });
  testDb = await createTestDatabase('faxgate_lineservice');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-lineservice-'));
  const file = writeTestDaemonConfig(dir, {
    prefix: prefix,
    simPort: sim.port,
    lineKeys: ['probeIntervalSeconds: 0.2'],
    sections: [
      'routing:\n  numbering: { countryCode: "49", areaCode: "30", localNumberLength: 7 }\n  inbound: { default: postoffice }',
    ],
  });
  db = openDatabase(testDb.url, { poolMax: 3 });
  await migrate(db, auditMigrations);
  await users.add(db, { name: 'olga', roles: ['operator'], password: PASSWORD });
  await users.add(db, { name: 'bob', roles: ['user'] });
  await mailboxes.add(db, { name: 'bob-out', kind: 'outgoing' });
  await mailboxes.add(db, { name: 'postoffice', kind: 'incoming' });
  await grants.grant(db, { user: 'bob', mailbox: 'bob-out', right: 'out.send' });
  gateway = await startTestDaemon(file, testDb.url);
  const r = await fetch(`${gateway.address}/api/v1/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'olga', password: PASSWORD }),
  });
  token = ((await r.json()) as { token: string }).token;
}, 60_000);

afterAll(async () => {
  await gateway?.stop();
  await db?.destroy();
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  await deleteKeys(redis, prefix).finally(() => redis.disconnect());
  await testDb?.drop();
  await sim?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const api = (p: string, body: unknown = {}) =>
  fetch(`${gateway.address}/api/v1${p}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

it('a line out of service places no call and takes none; it survives a restart and comes back', async () => {
  const out = await api('/lines/1/out-of-service', { reason: 'card swap' });
  expect(out.status).toBe(200);
  expect(await out.json()).toMatchObject({ controller: 1, inService: false, changed: true });
  const view = gateway.lines?.state().lines[0];
  expect(view).toMatchObject({
    state: 'out-of-service',
    outOfService: { setBy: 'olga', reason: 'card swap' },
  });
  expect(gateway.lines?.isUp(1)).toBe(false);
  expect(gateway.lines?.down()).toEqual([]);

  // An incoming call on controller 1 (MSN 3001) is not taken.
  const refused = await sim.injectCall({ from: '0301234', to: '3001', document: [testPage(1)] });
  expect(refused.outcome).not.toBe('completed');

  // A queued fax: the worker takes its job, finds no usable channel and leaves it queued.
  const pipeline = gateway.pipeline;
  const router = createRouter(
    {
      numbering: { countryCode: '49', areaCode: '30', localNumberLength: 7, dialLocal: true },
      inbound: { default: 'postoffice' },
    },
    (await mailboxes.list(db)).map((m) => ({ id: m.id, name: m.name, kind: m.kind, numbers: m.numbers })),
  );
  const bobOut = (await mailboxes.list(db)).find((m) => m.name === 'bob-out');
  const { fax } = await submitFax(
    { db, queue: pipeline?.queue, router, settings: pipeline!.settings },
    { actor: 'bob', mailboxId: bobOut!.id, number: '5551000', pages: [testPage(9)] },
  );
  // (It waits for a channel, or went back to the queue: either way no call.)
  await waitFor('the worker to take the job', async () => {
    const job = await pipeline?.queue.getJob(`fax-${fax.id}`);
    return job?.processedOn !== undefined && job?.processedOn !== null;
  });
  expect(await faxes.get(db, fax.id)).toMatchObject({ state: 'pending', dials: 0 });
  expect(dialled).not.toContain('5551000');

  // A new supervisor (what a restart starts) reads the line out of service from the database.
  const again = startLineSupervisor({
    config: gateway.loaded.config,
    db,
    log: createGatewayLogger(validateConfig({ logging: { level: 'error' } }, {}).config),
    actor: 'gateway:test',
    transport: new RcapiTransport({ port: sim.port, callTimeoutMs: 2000 }),
  });
  try {
    await again.ready;
    expect(again.state().lines[0].state).toBe('out-of-service');
    expect(again.isUp(1)).toBe(false);
  } finally {
    await again.stop();
  }

  const back = await api('/lines/1/in-service');
  expect(back.status).toBe(200);
  expect(await back.json()).toMatchObject({ controller: 1, inService: true, changed: true });
  expect(gateway.lines?.isUp(1)).toBe(true);
  expect(await waitTerminal(db, fax.id)).toMatchObject({ state: 'done', pagesDone: 1 });
  const taken = await sim.injectCall({ from: '0301234', to: '3001', document: [testPage(2)] });
  expect(taken.outcome).toBe('completed');

  const events = await db('audit_events')
    .where({ subject: 'line:controller-1' })
    .whereIn('type', ['line.out_of_service', 'line.in_service'])
    .orderBy('id')
    .select('type', 'actor', 'details');
  expect(events).toEqual([
    {
      type: 'line.out_of_service',
      actor: 'olga',
      details: expect.objectContaining({ controller: 1, reason: 'card swap' }),
    },
    { type: 'line.in_service', actor: 'olga', details: expect.objectContaining({ controller: 1 }) },
  ]);
}, 120_000);
