// The demo's roles on a trusted local PostgreSQL: set up like `db setup`, migrated by the
// owner; a URL that is not a superuser's is kept (and allowed only when it is privileged).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describePrivilege, type Knex, openDatabase } from '@faxgate/store';
import { createTestDatabase, type TestDatabase } from '@faxgate/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_APP_ROLE, DEMO_OWNER_ROLE, prepareDemoDatabase } from './roles.js';

let testDb: TestDatabase;
let dir: string;
const pools: Knex[] = [];
const open = (url: string) => {
  const k = openDatabase(url, { poolMax: 1 });
  pools.push(k);
  return k;
};

beforeAll(async () => {
  testDb = await createTestDatabase('faxgate_demoroles');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-demoroles-'));
});
afterAll(async () => {
  for (const p of pools) await p.destroy();
  await testDb?.drop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('prepareDemoDatabase', () => {
  it('sets up the owner and application roles, migrates as the owner, keeps the owner URL private', async () => {
    const r = await prepareDemoDatabase(testDb.url, dir);
    if (r.kind !== 'roles') throw new Error(`expected roles, got ${r.kind}`);
    expect(r.note).toMatch(/PostgreSQL is trusted: the demo set up the database roles/);
    expect(r.applied.length).toBeGreaterThan(0);
    expect(new URL(r.appUrl).username).toBe(DEMO_APP_ROLE);
    expect(fs.statSync(r.ownerUrlFile).mode & 0o777).toBe(0o600);
    expect(new URL(fs.readFileSync(r.ownerUrlFile, 'utf8').trim()).username).toBe(DEMO_OWNER_ROLE);
    expect(await describePrivilege(open(r.appUrl))).toMatchObject({
      user: DEMO_APP_ROLE,
      superuser: false,
      ownsTables: [],
      canDisableAuditTriggers: false,
    });
    // A second start on the same database: nothing to migrate, same roles.
    const again = await prepareDemoDatabase(testDb.url, dir);
    expect(again).toMatchObject({ kind: 'roles', applied: [] });
  });

  it('keeps a non-superuser URL as it is, saying whether it is privileged', async () => {
    const u = new URL(testDb.url);
    u.username = DEMO_OWNER_ROLE;
    const r = await prepareDemoDatabase(u.toString(), dir);
    expect(r.kind).toBe('given');
    if (r.kind !== 'given') return;
    expect(r.privileged?.join()).toMatch(new RegExp(`${DEMO_OWNER_ROLE} owns \\d+ table`));
    expect(r.note).toMatch(/runs as faxgate_demo_owner with database.allowPrivileged/);
  });
});
