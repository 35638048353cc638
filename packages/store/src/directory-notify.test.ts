// Migrations 0010 and 0011 against a real PostgreSQL: a committed change of a directory table
// is announced on faxgate_directory (never a rolled-back one); configuration versions are
// compared per node, so two nodes with different files do not flip-flop.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configVersions, DIRECTORY_CHANNEL, grants, groups, mailboxes, users } from './index.js';
import { type MigratedTestDb, migratedTestDb } from './test-support/db.js';

let t: MigratedTestDb;
let listener: pg.Client;
const heard: string[] = [];

beforeAll(async () => {
  t = await migratedTestDb();
  listener = new pg.Client({ connectionString: t.db.url });
  await listener.connect();
  listener.on('notification', (n) => {
    if (n.channel === DIRECTORY_CHANNEL) heard.push(n.payload ?? '');
  });
  await listener.query(`LISTEN ${DIRECTORY_CHANNEL}`);
});
afterAll(async () => {
  await listener?.end();
  await t?.close();
});

async function until(cond: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`no notification; heard ${JSON.stringify(heard)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('directory notifications (0010)', () => {
  it('announces committed changes of mailboxes, numbers, groups and grants, once per table and transaction', async () => {
    heard.length = 0;
    await mailboxes.add(t.knex, { name: 'n-in', kind: 'incoming', numbers: ['+49303001', '+49303002'] });
    await until(() => heard.includes('mailbox_numbers') && heard.includes('mailboxes'));
    expect(heard.filter((h) => h === 'mailbox_numbers')).toHaveLength(1); // folded per transaction

    heard.length = 0;
    await users.add(t.knex, { name: 'n-user' });
    await groups.add(t.knex, { name: 'n-group' });
    await grants.grant(t.knex, { group: 'n-group', mailbox: 'n-in', right: 'in.read' });
    await until(() => heard.includes('grants') && heard.includes('groups') && heard.includes('users'));
  });

  it('announces nothing for a change that was rolled back', async () => {
    heard.length = 0;
    await t.knex
      .transaction(async (trx) => {
        await trx('mailboxes').insert({ name: 'n-never', kind: 'incoming' });
        throw new Error('roll back');
      })
      .catch(() => {});
    // A committed change after it: its notification arrives, the rolled-back one never did.
    await mailboxes.add(t.knex, { name: 'n-later', kind: 'outgoing' });
    await until(() => heard.includes('mailboxes'));
    expect(heard).toEqual(['mailboxes']);
  });
});

describe('configuration versions per node (0011)', () => {
  it('compares with the same node only: two nodes with different files record once each, then nothing', async () => {
    const a1 = await configVersions.record(t.knex, { author: 'gw', node: 'node-a', content: 'x: 1\n' });
    const b1 = await configVersions.record(t.knex, { author: 'gw', node: 'node-b', content: 'x: 2\n' });
    expect([a1.changed, b1.changed]).toEqual([true, true]);
    expect(b1.diff).toBe(''); // node-b's first version: not a diff against node-a's file
    for (let i = 0; i < 3; i++) {
      expect(
        (await configVersions.record(t.knex, { author: 'gw', node: 'node-a', content: 'x: 1\n' })).changed,
      ).toBe(false);
      expect(
        (await configVersions.record(t.knex, { author: 'gw', node: 'node-b', content: 'x: 2\n' })).changed,
      ).toBe(false);
    }
    const a2 = await configVersions.record(t.knex, { author: 'gw', node: 'node-a', content: 'x: 3\n' });
    expect(a2.diff).toContain(`--- version ${a1.version}`);
    expect(a2.node).toBe('node-a');
    expect((await configVersions.latest(t.knex, 'node-b'))?.version).toBe(b1.version);
    expect((await configVersions.list(t.knex, { node: 'node-a' })).map((v) => v.version)).toEqual([
      a2.version,
      a1.version,
    ]);
  });
});

describe('listenChannel', () => {
  it('hears notifications, and LISTENs again after its connection is killed (onReconnect)', async () => {
    const { listenChannel } = await import('./index.js');
    const got: string[] = [];
    let reconnects = 0;
    const l = listenChannel(t.db.url, DIRECTORY_CHANNEL, {
      onNotify: (p) => got.push(p),
      onReconnect: () => reconnects++,
      applicationName: 'faxgate-listen-test',
      maxDelayMs: 200,
    });
    try {
      await l.ready;
      await mailboxes.add(t.knex, { name: 'l-one', kind: 'outgoing' });
      await until(() => got.includes('mailboxes'));
      await t.knex.raw(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'faxgate-listen-test'`,
      );
      await until(() => reconnects === 1 && l.connected);
      got.length = 0;
      await groups.add(t.knex, { name: 'l-group' });
      await until(() => got.includes('groups'));
    } finally {
      await l.stop();
    }
    expect(l.connected).toBe(false);
  });
});
