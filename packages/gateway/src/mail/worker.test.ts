// The mail worker against a real relay (smtp-server with STARTTLS + AUTH) and real PostgreSQL:
// delivered with TLS and login, the relay's answer recorded; relay down → retried with backoff
// and delivered when it is back, also by a new worker after a "restart"; given up on record
// after the attempt limit and at once on a permanent refusal; each outcome audited.
import { auditMigrations } from '@faxgate/audit';
import type { Knex } from '@faxgate/store';
import { type MigratedTestDb, migratedTestDb } from '@faxgate/store/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { validateConfig } from '../config/load.js';
import { createGatewayLogger } from '../logger.js';
import { type MailConfig, mailSchema } from './config.js';
import { enqueueMail } from './outbox.js';
import { startTestRelay, type TestRelay } from './test-support/relay.js';
import { isPermanent, mailBackoffMs, startMailWorker } from './worker.js';

let t: MigratedTestDb;
let db: Knex;
let relay: TestRelay;
const log = createGatewayLogger(validateConfig({ logging: { level: 'error' } }, {}).config, 'mail-test');

function mailConfig(over: Partial<MailConfig['retry']> = {}): MailConfig {
  return mailSchema.parse({
    enabled: true,
    pollIntervalSeconds: 0.05,
    smtp: {
      host: '127.0.0.1',
      port: relay.port,
      tls: 'starttls',
      caFile: relay.caFile,
      user: relay.user,
      passwordFile: relay.passwordFile,
      from: 'faxgate@example.org',
      connectionTimeoutSeconds: 2,
      greetingTimeoutSeconds: 2,
      socketTimeoutSeconds: 5,
    },
    retry: { initialDelaySeconds: 0.05, maxDelaySeconds: 0.2, maxAttempts: 5, ...over },
  });
}

async function events(type: string, id: number) {
  return db('audit_events')
    .where({ type, subject: `mail:${id}` })
    .orderBy('id');
}

async function until<T>(f: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeAll(async () => {
  t = await migratedTestDb({ extra: [...auditMigrations], poolMax: 8 });
  db = t.knex;
  relay = await startTestRelay();
});
afterAll(async () => {
  await relay?.close();
  await t?.close();
});
beforeEach(() => {
  relay.received.length = 0;
  relay.refuse.clear();
});

describe('mail worker', () => {
  it('delivers through STARTTLS with AUTH and records the relay answer (mail.sent)', async () => {
    const { id } = await enqueueMail(db, {
      to: ['alice@example.org'],
      subject: 'Fax 7 received',
      text: 'From +49 89 1234567, 1 page',
      inReplyTo: '<orig@example.org>',
      attachments: [
        { filename: 'fax-7.pdf', contentType: 'application/pdf', content: Buffer.from('%PDF-1.4\n%%EOF\n') },
      ],
      purpose: 'fax.received',
    });
    const w = startMailWorker({
      config: mailConfig(),
      db,
      log,
      actor: 'gateway:test',
      databaseUrl: t.db.url,
    });
    try {
      await relay.waitFor(1);
      const got = relay.received[0];
      expect(got.secure).toBe(true);
      expect(got.authUser).toBe('faxgate');
      expect(got.envelopeTo).toEqual(['alice@example.org']);
      expect(got.mail.subject).toBe('Fax 7 received');
      expect(got.mail.text?.trim()).toBe('From +49 89 1234567, 1 page');
      expect(got.mail.inReplyTo).toBe('<orig@example.org>');
      expect(got.mail.headers.get('auto-submitted')).toBe('auto-generated');
      expect(got.mail.attachments.map((a) => [a.filename, a.contentType, a.content.toString()])).toEqual([
        ['fax-7.pdf', 'application/pdf', '%PDF-1.4\n%%EOF\n'],
      ]);
      const row = await until(async () => {
        const r = await db('mail_outbox').where({ id }).first();
        return r.state === 'sent' ? r : undefined;
      });
      expect(row.message_id).toBe(got.mail.messageId);
      expect(row.relay_response).toMatch(/^250/);
      const [ev] = await events('mail.sent', id);
      expect(ev.details).toMatchObject({ mailId: id, messageId: row.message_id, attempts: 1 });
    } finally {
      await w.stop();
    }
  });

  it('relay down: retries with backoff, nothing lost across a restart, delivered when the relay is back', async () => {
    await relay.stop();
    const { id } = await enqueueMail(db, {
      to: ['bob@example.org'],
      subject: 'result',
      text: 'done',
      purpose: 'fax.result',
    });
    const config = mailConfig({ maxAttempts: 1000 });
    const first = startMailWorker({ config, db, log, actor: 'gateway:test' });
    const failedTwice = await until(async () => {
      const r = await db('mail_outbox').where({ id }).first();
      return r.attempts >= 2 && r.state === 'queued' ? r : undefined;
    });
    expect(failedTwice.last_error).toMatch(/ECONNECTION|ECONNREFUSED/);
    expect(failedTwice.next_attempt_at.getTime()).toBeGreaterThan(Date.now() - 1000);
    await first.stop(); // the daemon stops with the mail undelivered …
    expect((await db('mail_outbox').where({ id }).first()).state).toBe('queued');
    await relay.start();
    const second = startMailWorker({ config, db, log, actor: 'gateway:test' }); // … and the next one sends it
    try {
      await relay.waitFor(1);
      expect(relay.received[0].envelopeTo).toEqual(['bob@example.org']);
      await until(async () =>
        (await db('mail_outbox').where({ id }).first()).state === 'sent' ? true : undefined,
      );
      expect(await events('mail.sent', id)).toHaveLength(1);
      expect(await events('mail.failed', id)).toHaveLength(0);
    } finally {
      await second.stop();
    }
  });

  it('a mail whose sending node died (lease ended) is sent again by another', async () => {
    const { id } = await enqueueMail(db, {
      to: ['c@example.org'],
      subject: 's',
      text: 't',
      purpose: 'fax.result',
    });
    await db('mail_outbox')
      .where({ id })
      .update({
        state: 'sending',
        attempts: 1,
        lease_owner: 'dead-node',
        lease_until: db.raw("now() - interval '1 second'"),
      });
    const w = startMailWorker({ config: mailConfig(), db, log, actor: 'gateway:test' });
    try {
      await relay.waitFor(1);
      await until(async () =>
        (await db('mail_outbox').where({ id }).first()).state === 'sent' ? true : undefined,
      );
      expect((await db('mail_outbox').where({ id }).first()).attempts).toBe(2);
    } finally {
      await w.stop();
    }
  });

  it('gives up on record after maxAttempts (mail.failed), and at once on a permanent refusal', async () => {
    await relay.stop();
    const { id } = await enqueueMail(db, {
      to: ['d@example.org'],
      subject: 's',
      text: 't',
      purpose: 'fax.result',
    });
    const w = startMailWorker({ config: mailConfig({ maxAttempts: 3 }), db, log, actor: 'gateway:test' });
    try {
      const row = await until(async () => {
        const r = await db('mail_outbox').where({ id }).first();
        return r.state === 'failed' ? r : undefined;
      });
      expect(row.attempts).toBe(3);
      const [ev] = await events('mail.failed', id);
      expect(ev.details).toMatchObject({ mailId: id, reason: '3 attempts', attempts: 3 });
      expect(ev.details.error).toMatch(/ECONNECTION|ECONNREFUSED/);
    } finally {
      await w.stop();
      await relay.start();
    }
    relay.refuse.add('nobody@example.org');
    const { id: refused } = await enqueueMail(db, {
      to: ['nobody@example.org'],
      subject: 's',
      text: 't',
      purpose: 'fax.result',
    });
    const w2 = startMailWorker({ config: mailConfig({ maxAttempts: 50 }), db, log, actor: 'gateway:test' });
    try {
      const row = await until(async () => {
        const r = await db('mail_outbox').where({ id: refused }).first();
        return r.state === 'failed' ? r : undefined;
      });
      expect(row.attempts).toBe(1);
      const [ev] = await events('mail.failed', refused);
      expect(ev.details).toMatchObject({ reason: 'refused by the relay' });
      expect(ev.details.error).toMatch(/550/);
      // the operator is told until mail flows again
      expect(await db('alerts').where({ key: 'mail.delivery' }).first()).toMatchObject({
        severity: 'warning',
        source: 'mail',
      });
      const { id: next } = await enqueueMail(db, {
        to: ['ok@example.org'],
        subject: 's',
        text: 't',
        purpose: 'fax.result',
      });
      await until(async () =>
        (await db('mail_outbox').where({ id: next }).first()).state === 'sent' ? true : undefined,
      );
      await until(async () =>
        (await db('alerts').where({ key: 'mail.delivery' }).first()) ? undefined : true,
      );
      const cleared = await db('audit_events').where({ type: 'alert.cleared' }).orderBy('id', 'desc').first();
      expect(cleared.details).toMatchObject({ key: 'mail.delivery' });
    } finally {
      await w2.stop();
    }
  });

  it('refuses to send without TLS when STARTTLS is required, and never authenticates in clear', async () => {
    const { id } = await enqueueMail(db, {
      to: ['e@example.org'],
      subject: 's',
      text: 't',
      purpose: 'fax.result',
    });
    const cfg = mailConfig({ maxAttempts: 1 });
    const w = startMailWorker({
      config: { ...cfg, smtp: { ...cfg.smtp, rejectUnauthorized: true, caFile: undefined } },
      db,
      log,
      actor: 'gateway:test',
    });
    try {
      const row = await until(async () => {
        const r = await db('mail_outbox').where({ id }).first();
        return r.state === 'failed' ? r : undefined;
      });
      expect(row.last_error).toMatch(/certificate/i);
      expect(relay.received).toHaveLength(0);
    } finally {
      await w.stop();
    }
  });

  it('backoff doubles up to the maximum; only 5xx refusals of the message are permanent', () => {
    const retry = { initialDelaySeconds: 1, maxDelaySeconds: 5, maxAttempts: 10, maxAgeHours: 1 };
    expect([1, 2, 3, 4].map((n) => mailBackoffMs(retry, n, () => 0.5))).toEqual([1000, 2000, 4000, 5000]);
    expect(isPermanent(Object.assign(new Error('x'), { code: 'EENVELOPE', responseCode: 550 }))).toBe(true);
    expect(isPermanent(Object.assign(new Error('x'), { code: 'EENVELOPE', responseCode: 451 }))).toBe(false);
    expect(isPermanent(Object.assign(new Error('x'), { code: 'EAUTH', responseCode: 535 }))).toBe(false);
  });
});
