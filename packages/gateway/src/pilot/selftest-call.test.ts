// The selftest's test call end to end: the daemon in pilot mode on capi-sim, real PostgreSQL
// and Redis. The selftest (through the API) sends a fax to the test number through the
// line; the test station (the simulator's party, with a harness that answers each fax it
// gets with one of its own) sends one back, which the pilot delivers to the fax post office.
// The report passes and is signed; a second admin then releases the node.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { auditMigrations } from '@faxgate/audit';
import { type Simulator, startSimulator } from '@faxgate/capi-sim';
import { credentials, grants, type Knex, mailboxes, migrate, openDatabase, users } from '@faxgate/store';
import { createTestDatabase, type TestDatabase, testRedisPrefix } from '@faxgate/store/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunningGateway } from '../gateway.js';
import { deleteKeys, testPage } from '../test-support/pipeline-fixture.js';
import { startTestDaemon, writeTestDaemonConfig } from '../test-support/test-daemon.js';

let sim: Simulator;
let testDb: TestDatabase;
let gateway: RunningGateway;
let db: Knex;
let dir: string;
const tokens: Record<string, string> = {};
const prefix = testRedisPrefix();
const answered: string[] = [];

beforeAll(async () => {
  sim = await startSimulator({ timeFactor: 0 });
  // The test station answers every fax it receives with a page of its own, to our MSN 3001.
  sim.events.on('fax', (number) => {
    if (number !== '5551000') return;
    answered.push(number);
    void sim.injectCall({ from: '0305551000', to: '3001', document: [testPage(7)], csi: '+49 30 5551000' });
  });
  testDb = await createTestDatabase('faxgate_selftest');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-selftest-'));
  const file = writeTestDaemonConfig(dir, {
    prefix: prefix,
    simPort: sim.port,
    sections: [
      'routing:\n  numbering: { countryCode: "49", areaCode: "30", localNumberLength: 7, dialLocal: true }\n  inbound: { default: postoffice }',
      'mode: pilot',
      'pilot:\n  testNumbers: ["+49305551000"]\n  selftestMailbox: selftest-out\n  selftestCallSeconds: 60',
    ],
  });
  db = openDatabase(testDb.url, { poolMax: 3 });
  await migrate(db, auditMigrations);
  for (const name of ['ada', 'bert']) {
    await users.add(db, { name, roles: ['admin'] });
    tokens[name] = (await credentials.issue(db, { kind: 'token', user: name, name: 'test' })).secret;
  }
  await mailboxes.add(db, { name: 'selftest-out', kind: 'outgoing', numbers: ['+49303002'] });
  await mailboxes.add(db, { name: 'postoffice', kind: 'incoming' });
  await mailboxes.add(db, { name: 'sales', kind: 'incoming', numbers: ['+49303001'] });
  await grants.grant(db, { user: 'ada', mailbox: 'selftest-out', right: 'out.send' });
  gateway = await startTestDaemon(file, testDb.url);
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

const post = (user: string, p: string, body: unknown = {}) =>
  fetch(`${gateway.address}/api/v1${p}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tokens[user]}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

it('sends to the test number and receives its fax back into the post office; then a second admin releases', async () => {
  const r = await post('ada', '/selftest');
  expect(r.status).toBe(200);
  expect(r.headers.get('x-faxgate-mode')).toBe('pilot');
  const s = (await r.json()) as {
    report: { passed: boolean; checks: Array<{ name: string; status: string; detail: string }> };
  };
  const call = s.report.checks.find((c) => c.name === 'test call');
  expect(call, JSON.stringify(s.report.checks)).toMatchObject({ status: 'pass' });
  expect(s.report.passed, JSON.stringify(s.report.checks)).toBe(true);
  expect(answered).toEqual(['5551000']);
  // the fax back, called to sales' number, went to the post office (pilot)
  const back = await db('faxes').where({ direction: 'in', remote_number: '+49305551000' }).first();
  const post0 = await db('mailboxes').where({ name: 'postoffice' }).first('id');
  expect(back.mailbox_id).toBe(post0.id);

  const rel = await post('bert', '/release', { note: 'selftest with test call passed' });
  expect(rel.status).toBe(200);
  expect(await rel.json()).toMatchObject({ releasedBy: 'bert', mode: 'production' });
}, 120_000);
