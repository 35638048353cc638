// The daemon with `queue.enabled`: it starts the send worker on the configured lines (minus
// the receive reserve) and the reconciler, and a submitted fax goes out. Real PostgreSQL,
// Redis (own key prefix) and capi-sim over rcapi.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Simulator, startSimulator } from '@faxgate/capi-sim';
import { createRouter } from '@faxgate/router';
import { grants, mailboxes, openDatabase, users } from '@faxgate/store';
import { createTestDatabase, type TestDatabase, testRedisPrefix } from '@faxgate/store/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunningGateway } from '../gateway.js';
import { deleteKeys, testPage, waitTerminal } from '../test-support/pipeline-fixture.js';
import { startTestDaemon, writeTestDaemonConfig } from '../test-support/test-daemon.js';
import { submitFax } from './submit.js';

let sim: Simulator;
let testDb: TestDatabase;
let gateway: RunningGateway;
let dir: string;
const prefix = testRedisPrefix();

beforeAll(async () => {
  sim = await startSimulator({ timeFactor: 0 });
  testDb = await createTestDatabase('faxgate_gwqueue');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-gwqueue-'));
  const file = writeTestDaemonConfig(dir, {
    prefix: prefix,
    simPort: sim.port,
    controllers: [1, 2],
    receiveReserve: 1,
  });
  gateway = await startTestDaemon(file, testDb.url);
}, 60_000);

afterAll(async () => {
  await gateway?.stop();
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  await deleteKeys(redis, prefix).finally(() => redis.disconnect());
  await testDb?.drop();
  await sim?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

it('runs the send worker on 2 × 2 B channels with one of each controller kept for receiving, and sends a fax', async () => {
  const pipeline = gateway.pipeline;
  expect(pipeline?.worker?.pool.total).toBe(4);
  expect(pipeline?.worker?.pool.usable).toBe(2);
  const db = openDatabase(testDb.url, { poolMax: 2 });
  try {
    await users.add(db, { name: 'bob', roles: ['user'] });
    const out = await mailboxes.add(db, { name: 'bob-out', kind: 'outgoing' });
    await mailboxes.add(db, { name: 'postoffice', kind: 'incoming' });
    await grants.grant(db, { user: 'bob', mailbox: 'bob-out', right: 'out.send' });
    const router = createRouter(
      {
        numbering: { countryCode: '49', areaCode: '30', localNumberLength: 7, dialLocal: true },
        inbound: { default: 'postoffice' },
      },
      (await mailboxes.list(db)).map((m) => ({ id: m.id, name: m.name, kind: m.kind, numbers: m.numbers })),
    );
    const { fax } = await submitFax(
      { db, queue: pipeline?.queue, router, settings: pipeline!.settings },
      { actor: 'bob', mailboxId: out.id, number: '5551000', pages: [testPage(9)] },
    );
    const end = await waitTerminal(db, fax.id);
    expect(end).toMatchObject({ state: 'done', pagesDone: 1, remoteStationId: '+49 555 1000' });
  } finally {
    await db.destroy();
  }
});
