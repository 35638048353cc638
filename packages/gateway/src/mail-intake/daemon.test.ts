// The daemon with `mailIntake.enabled`: it polls the mailbox by itself and a mailed text goes out
// through its own queue to the simulator — the wiring of gateway.ts, not only the parts. Real
// Dovecot, PostgreSQL, Redis (own key prefix) and capi-sim over rcapi.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Simulator, startSimulator } from '@faxgate/capi-sim';
import { grants, type Knex, mailboxes, openDatabase, users } from '@faxgate/store';
import { createTestDatabase, type TestDatabase, testRedisPrefix } from '@faxgate/store/testing';
import { ImapFlow } from 'imapflow';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunningGateway } from '../gateway.js';
import { type DovecotServer, startDovecot } from '../test-support/dovecot.js';
import { deleteKeys, waitFor, waitTerminal } from '../test-support/pipeline-fixture.js';
import { startTestDaemon, writeTestDaemonConfig } from '../test-support/test-daemon.js';

let sim: Simulator;
let testDb: TestDatabase;
let db: Knex;
let dovecot: DovecotServer;
let gateway: RunningGateway;
let dir: string;
const prefix = testRedisPrefix();

beforeAll(async () => {
  sim = await startSimulator({ timeFactor: 0 });
  testDb = await createTestDatabase('faxgate_mailin');
  dovecot = await startDovecot();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-mailin-'));
  const file = writeTestDaemonConfig(dir, {
    prefix,
    simPort: sim.port,
    sections: [
      'routing:\n  numbering: { countryCode: "49", areaCode: "30", localNumberLength: 7, dialLocal: true }\n  inbound: { default: postoffice }',
      [
        'mailIntake:',
        '  enabled: true',
        `  host: ${dovecot.host}`,
        `  port: ${dovecot.port}`,
        '  tls: none',
        `  user: ${dovecot.user}`,
        `  passwordFile: ${dovecot.passwordFile}`,
        '  faxDomain: fax.example.org',
        '  allow: [{ address: carol@example.org, user: carol }]',
        '  pollSeconds: 5',
      ].join('\n'),
    ],
  });
  gateway = await startTestDaemon(file, testDb.url);
  db = openDatabase(testDb.url, { poolMax: 2 });
}, 60_000);

afterAll(async () => {
  await gateway?.stop();
  await db?.destroy();
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  await deleteKeys(redis, prefix).finally(() => redis.disconnect());
  await testDb?.drop();
  await dovecot?.stop();
  await sim?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

it('faxes a mailed text through its own queue and moves the message to the processed folder', async () => {
  await users.add(db, { name: 'carol', roles: ['user'] });
  await mailboxes.add(db, { name: 'carol-out', kind: 'outgoing' });
  await mailboxes.add(db, { name: 'postoffice', kind: 'incoming' });
  await grants.grant(db, { user: 'carol', mailbox: 'carol-out', right: 'out.send' });
  const client = new ImapFlow({
    host: dovecot.host,
    port: dovecot.port,
    secure: false,
    doSTARTTLS: false,
    auth: { user: dovecot.user, pass: dovecot.password },
    logger: false,
  });
  await client.connect();
  try {
    await client.append(
      'INBOX',
      [
        'From: Carol <carol@example.org>',
        'To: 555-1000@fax.example.org',
        'Subject: order',
        'Message-ID: <daemon-1@example.org>',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Please deliver 12 boxes.',
        '',
      ].join('\r\n'),
    );
    const row = await waitFor(
      'the daemon to take the message',
      async () =>
        (await db('mail_intake_messages')
          .where({ message_id: '<daemon-1@example.org>' })
          .whereNotNull('moved_at')
          .first()) ?? undefined,
      30_000,
    );
    expect(row.outcome).toBe('accepted');
    const fax = await waitTerminal(db, Number(row.fax_id), 60_000);
    expect(fax).toMatchObject({ state: 'done', pagesDone: 1, remoteNumber: '+49305551000' });
    const moved = await client.status('faxgate-processed', { messages: true });
    expect(moved === false ? 'no status' : moved.messages).toBe(1);
  } finally {
    await client.logout();
  }
}, 90_000);
