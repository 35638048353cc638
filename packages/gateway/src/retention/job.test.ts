// The retention job against real PostgreSQL: one run at a time under the scheduler's lock
// for `retention` (an API run meanwhile is refused), the scheduled run raising the
// `retention.failed` alert when it cannot archive and clearing it once it can.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { auditMigrations } from '@faxgate/audit';
import { type Knex, mailboxes, migrate, openDatabase } from '@faxgate/store';
import { createTestDatabase, type TestDatabase } from '@faxgate/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEDULE_LOCK_CLASS } from '../schedule/index.js';
import { finishedFax, payloadState } from '../test-support/retention-faxes.js';
import { archiveSchema, retentionSchema } from './config.js';
import { RETENTION_ALERT, RetentionBusyError, retentionTask, runRetentionLocked } from './job.js';

let testDb: TestDatabase;
let db: Knex;
let root: string;
let box: number;

beforeAll(async () => {
  testDb = await createTestDatabase('faxgate_retjob');
  db = openDatabase(testDb.url, { poolMax: 4 });
  await migrate(db, auditMigrations);
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-retjob-'));
  box = (await mailboxes.add(db, { name: 'out', kind: 'outgoing' })).id;
}, 60_000);

afterAll(async () => {
  await db?.destroy();
  await testDb?.drop();
  fs.rmSync(root, { recursive: true, force: true });
});

const config = (dir: string, intervalMinutes = 60) => ({
  retention: retentionSchema.parse({ intervalMinutes }),
  archive: archiveSchema.parse({ dir }),
});

const alertEvents = async () =>
  (await db('audit_events').where('subject', `alert:${RETENTION_ALERT}`).orderBy('id')).map((e) => e.type);

describe('the retention job', () => {
  it('is not scheduled with intervalMinutes 0, else every interval under the name retention', () => {
    expect(retentionTask(db, () => config(root, 0))).toBeNull();
    expect(retentionTask(db, () => config(root, 15))).toMatchObject({
      name: 'retention',
      intervalMs: 900_000,
    });
  });

  it('refuses a run while another holds the lock (a scheduled run on any node), and runs after', async () => {
    const fax = await finishedFax(db, { direction: 'out', state: 'done', mailboxId: box, daysAgo: 40 });
    const conn = await db.client.acquireConnection();
    try {
      await db
        .raw('SELECT pg_advisory_lock(?::int, hashtext(?))', [SCHEDULE_LOCK_CLASS, 'retention'])
        .connection(conn);
      const busy = runRetentionLocked(db, { ...config(path.join(root, 'a')), actor: 'po' });
      await expect(busy).rejects.toBeInstanceOf(RetentionBusyError);
      expect(await payloadState(db, [fax.id])).toEqual({ [fax.id]: 'done/2' });
      await db
        .raw('SELECT pg_advisory_unlock(?::int, hashtext(?))', [SCHEDULE_LOCK_CLASS, 'retention'])
        .connection(conn);
    } finally {
      await db.client.releaseConnection(conn);
    }
    expect(await runRetentionLocked(db, { ...config(path.join(root, 'a')), actor: 'po' })).toMatchObject({
      deleted: 1,
    });
  });

  it('raises retention.failed when the archive cannot be written (nothing deleted), once, and clears it when it can', async () => {
    const fax = await finishedFax(db, { direction: 'out', state: 'done', mailboxId: box, daysAgo: 40 });
    const notADir = path.join(root, 'file');
    fs.writeFileSync(notADir, 'x');
    const ctx = { signal: new AbortController().signal, now: new Date() };
    const bad = retentionTask(db, () => config(notADir));
    await expect(bad?.run(ctx)).rejects.toThrow();
    await expect(bad?.run(ctx)).rejects.toThrow();
    expect(await payloadState(db, [fax.id])).toEqual({ [fax.id]: 'done/2' });
    expect(await alertEvents()).toEqual(['alert.raised']);
    const open = await db('alerts').where({ key: RETENTION_ALERT }).first();
    expect(open).toMatchObject({ severity: 'critical', source: 'retention' });
    expect(open.summary).toMatch(/^retention run failed: /);

    const good = retentionTask(db, () => config(path.join(root, 'b')));
    expect(await good?.run(ctx)).toMatch(/: 1 deleted, 1 archived, 2 pages, 0 held$/);
    expect(await payloadState(db, [fax.id])).toEqual({ [fax.id]: 'deleted/0' });
    expect(await alertEvents()).toEqual(['alert.raised', 'alert.cleared']);
    expect(await db('alerts').where({ key: RETENTION_ALERT }).first()).toBeUndefined();
  });
});
