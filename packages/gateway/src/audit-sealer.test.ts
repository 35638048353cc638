// The daemon chains committed audit events (commits never seal, 0104), also when nothing is
// appended after them (the notifier only sees sealed events), and anchors the chain in
// signed checkpoints outside the database, the last one at stop.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { appendAuditEvent, readCheckpoints, sealedEvent, verifyAgainstCheckpoints } from '@faxgate/audit';
import { type Knex, openDatabase } from '@faxgate/store';
import { createTestDatabase, type TestDatabase } from '@faxgate/store/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { validateConfig } from './config/load.js';
import { type RunningGateway, startGateway } from './gateway.js';
import { createGatewayLogger } from './logger.js';

let testDb: TestDatabase;
let gateway: RunningGateway;
let db: Knex;
let dir: string;

beforeAll(async () => {
  testDb = await createTestDatabase('faxgate_sealer');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-sealer-'));
  const file = path.join(dir, 'faxgate.yaml');
  fs.writeFileSync(
    file,
    `api:\n  port: 0\nlogging:\n  level: error\ndatabase:\n  allowPrivileged: true\npaths: { spool: ${dir}/spool, tmp: ${dir}/tmp }\naudit: { checkpointDir: ${dir}/checkpoints, checkpointKeyFile: ${dir}/key/audit-checkpoint.key }\n`,
  );
  gateway = await startGateway({
    path: file,
    env: { FAXGATE_DATABASE_URL: testDb.url },
    logger: createGatewayLogger(validateConfig({ logging: { level: 'error' } }, {}).config),
  });
  db = openDatabase(testDb.url, { poolMax: 3 });
});
afterAll(async () => {
  await gateway?.stop();
  await db?.destroy();
  await testDb?.drop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

it('seals an event its busy commit left unsealed, with nothing appended after it', async () => {
  // Hold the chain head as a commit in its WAL flush does; the append commits unsealed.
  let release!: () => void;
  let held!: () => void;
  const isHeld = new Promise<void>((r) => {
    held = r;
  });
  const holder = db.transaction(async (trx) => {
    await trx.raw('SELECT 1 FROM audit_head WHERE id = 1 FOR UPDATE');
    held();
    await new Promise<void>((r) => {
      release = r;
    });
  });
  await isHeld;
  const e = await db.transaction((trx) => appendAuditEvent(trx, { type: 'auth.login', actor: 'alice' }));
  expect(await sealedEvent(db, e.id)).toBeNull();
  release();
  await holder;
  const until = Date.now() + 5000;
  while ((await sealedEvent(db, e.id)) === null && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 50));
  }
  expect(await sealedEvent(db, e.id)).not.toBeNull();
});

it('writes a signed checkpoint at stop that covers system.stop, outside the database', async () => {
  await gateway.stop();
  const set = readCheckpoints(path.join(dir, 'checkpoints'));
  expect(set.checkpoints.length).toBeGreaterThanOrEqual(1);
  const v = await verifyAgainstCheckpoints(db, set.checkpoints, set.publicKeys);
  expect(v.ok).toBe(true);
  const last = set.checkpoints.at(-1)?.checkpoint;
  const stopEvent = await db('audit_events').where({ type: 'system.stop' }).first();
  expect(last?.seq).toBe(stopEvent.seq);
  expect(fs.statSync(path.join(dir, 'checkpoints')).mode & 0o777).toBe(0o700);
});
