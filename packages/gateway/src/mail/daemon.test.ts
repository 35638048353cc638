// Fax to e-mail in the daemon (mail.enabled) on real parts: capi-sim, PostgreSQL, Redis and a
// relay (smtp-server with STARTTLS + AUTH). A sent fax's result reaches the opted-in sender;
// with the relay down the result mail waits in the outbox across a daemon restart and is
// delivered by the next start once the relay is back — nothing lost.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Simulator, startSimulator } from '@faxgate/capi-sim';
import { createRouter } from '@faxgate/router';
import { grants, type Knex, mailboxes, openDatabase, users } from '@faxgate/store';
import { createTestDatabase, type TestDatabase, testRedisPrefix } from '@faxgate/store/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunningGateway } from '../gateway.js';
import { submitFax } from '../pipeline/submit.js';
import { deleteKeys, testPage, waitTerminal } from '../test-support/pipeline-fixture.js';
import { startTestDaemon, writeTestDaemonConfig } from '../test-support/test-daemon.js';
import { startTestRelay, type TestRelay } from './test-support/relay.js';

let sim: Simulator;
let testDb: TestDatabase;
let relay: TestRelay;
let gateway: RunningGateway | undefined;
let db: Knex;
let dir: string;
let file: string;
const prefix = testRedisPrefix();

async function until<T>(f: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  sim = await startSimulator({ timeFactor: 0 });
  testDb = await createTestDatabase('faxgate_mail_daemon');
  relay = await startTestRelay();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-mail-daemon-'));
  file = writeTestDaemonConfig(dir, {
    prefix,
    simPort: sim.port,
    sections: [
      [
        'mail:',
        '  enabled: true',
        '  pollIntervalSeconds: 0.2',
        '  retry: { initialDelaySeconds: 0.2, maxDelaySeconds: 0.5, maxAttempts: 1000 }',
        `  smtp: { port: ${relay.port}, caFile: ${relay.caFile}, user: ${relay.user}, passwordFile: ${relay.passwordFile}, from: faxgate@example.org, connectionTimeoutSeconds: 2, greetingTimeoutSeconds: 2, socketTimeoutSeconds: 5 }`,
      ].join('\n'),
    ],
  });
  gateway = await startTestDaemon(file, testDb.url);
  db = openDatabase(testDb.url, { poolMax: 2 });
  await users.add(db, { name: 'bob', roles: ['user'] });
  await db('users').where({ name: 'bob' }).update({ email: 'bob@example.org', mail_opt_in: true });
  await mailboxes.add(db, { name: 'bob-out', kind: 'outgoing' });
  await mailboxes.add(db, { name: 'postoffice', kind: 'incoming' });
  await grants.grant(db, { user: 'bob', mailbox: 'bob-out', right: 'out.send' });
}, 60_000);

afterAll(async () => {
  await gateway?.stop();
  await db?.destroy();
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  await deleteKeys(redis, prefix).finally(() => redis.disconnect());
  await relay?.close();
  await testDb?.drop();
  await sim?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function send(): Promise<number> {
  const out = await mailboxes.get(db, 'bob-out');
  const router = createRouter(
    {
      numbering: { countryCode: '49', areaCode: '30', localNumberLength: 7, dialLocal: true },
      inbound: { default: 'postoffice' },
    },
    (await mailboxes.list(db)).map((m) => ({ id: m.id, name: m.name, kind: m.kind, numbers: m.numbers })),
  );
  const pipeline = gateway?.pipeline;
  const { fax } = await submitFax(
    { db, queue: pipeline?.queue, router, settings: pipeline!.settings },
    { actor: 'bob', mailboxId: out.id, number: '5551000', pages: [testPage(9)] },
  );
  expect(await waitTerminal(db, fax.id)).toMatchObject({ state: 'done' });
  return fax.id;
}

it('mails the result of a sent fax to the opted-in sender, with the first page', async () => {
  const id = await send();
  await relay.waitFor(1, 60_000);
  const { envelopeTo, mail } = relay.received[0];
  expect(envelopeTo).toEqual(['bob@example.org']);
  expect(mail.subject).toBe(`Fax ${id} to +49305551000 sent (1 page)`);
  expect(mail.attachments.map((a) => a.contentType)).toEqual(['image/png']);
  await until(async () =>
    (await db('mail_outbox').where({ fax_id: id }).first())?.state === 'sent' ? true : undefined,
  );
}, 120_000);

it('keeps a result mail the relay could not take across a restart and delivers it afterwards', async () => {
  relay.received.length = 0;
  await relay.stop();
  const id = await send();
  const waiting = await until(async () => {
    const r = await db('mail_outbox').where({ fax_id: id }).first();
    return r && r.attempts >= 2 ? r : undefined;
  });
  expect(waiting.state).not.toBe('sent');
  await gateway?.stop();
  gateway = undefined;
  const after = await db('mail_outbox').where({ fax_id: id }).first();
  expect(['queued', 'sending']).toContain(after.state);
  await relay.start();
  gateway = await startTestDaemon(file, testDb.url);
  await relay.waitFor(1, 60_000);
  expect(relay.received[0].mail.subject).toBe(`Fax ${id} to +49305551000 sent (1 page)`);
  await until(async () =>
    (await db('mail_outbox').where({ fax_id: id }).first()).state === 'sent' ? true : undefined,
  );
  expect(await db('audit_events').where({ type: 'mail.sent', fax_id: id })).toHaveLength(1);
}, 180_000);
