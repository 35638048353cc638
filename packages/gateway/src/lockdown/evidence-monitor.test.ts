// The daemon reads the controllers at start and records the evidence; a later check after a
// profile change records the change (M 4.59). Real PostgreSQL, capi-sim over rcapi.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Simulator, startSimulator } from '@faxgate/capi-sim';
import { openDatabase } from '@faxgate/store';
import { createTestDatabase, type TestDatabase } from '@faxgate/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../config/load.js';
import { type RunningGateway, startGateway } from '../gateway.js';
import { createGatewayLogger } from '../logger.js';

let sim: Simulator;
let testDb: TestDatabase;
let gateway: RunningGateway;
let dir: string;

beforeAll(async () => {
  sim = await startSimulator({ timeFactor: 0 });
  testDb = await createTestDatabase('faxgate_evidence');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-evidence-'));
  const file = path.join(dir, 'faxgate.yaml');
  fs.writeFileSync(
    file,
    `api:\n  port: 0\npaths: { spool: ${dir}/spool, tmp: ${dir}/tmp }\naudit: { checkpointDir: ${dir}/checkpoints, checkpointKeyFile: ${dir}/key/audit-checkpoint.key }\ndatabase:\n  allowPrivileged: true\nlogging:\n  level: error\nlines:\n  port: ${sim.port}\n  controllers: [1, 2]\n`,
  );
  const env = { FAXGATE_DATABASE_URL: testDb.url };
  gateway = await startGateway({
    path: file,
    env,
    logger: createGatewayLogger(validateConfig({ logging: { level: 'error' } }, {}).config),
  });
});
afterAll(async () => {
  await gateway?.stop();
  await testDb?.drop();
  await sim?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('controller evidence in the daemon', () => {
  it('is read at start, shown in the status, and changes are recorded', async () => {
    const first = await gateway.evidence!.check();
    expect(first).toMatchObject({ ok: true, controllers: 2, changes: [] });
    expect(gateway.status().lines.evidence).toMatchObject({ ok: true, controllers: 2 });

    sim.setProfile(1, { globalOptions: 1 | (1 << 4) }); // supplementary services appear
    const second = await gateway.evidence!.check();
    expect(second.changes).toEqual([expect.objectContaining({ controller: 1, field: 'globalOptions' })]);

    const db = openDatabase(testDb.url, { poolMax: 1 });
    try {
      const types = (await db('audit_events').orderBy('id').select('type')).map((r) => r.type);
      expect(types.filter((t) => t === 'lockdown.evidence')).toHaveLength(1);
      expect(types.filter((t) => t === 'lockdown.profile_changed')).toHaveLength(1);
    } finally {
      await db.destroy();
    }
  });
});
