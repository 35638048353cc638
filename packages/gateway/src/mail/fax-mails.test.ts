// Fax outcomes to e-mail end to end on real parts: PostgreSQL, the audit trail and its seal,
// the relay (smtp-server, STARTTLS + AUTH), mailparser, Ghostscript rendering the attached PDF.
// A received fax reaches its mailbox's recipients and opted-in readers (and nobody else) with
// the very pages as PDF; a send result reaches the opted-in sender and the notify address with
// the first page as PNG; each outcome is mailed once; "delete after forwarding" deletes only
// after the relay accepted, and never under a legal hold.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { appendAuditEvent, auditMigrations, sealAuditTrail } from '@faxgate/audit';
import { pagesEqual, readTiff } from '@faxgate/fax-core';
import { faxes, faxPages, grants, type Knex, mailboxes, users } from '@faxgate/store';
import { type MigratedTestDb, migratedTestDb } from '@faxgate/store/testing';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { validateConfig } from '../config/load.js';
import { createGatewayLogger } from '../logger.js';
import { testTiff } from '../test-support/api-fixture.js';
import { type MailConfig, mailSchema } from './config.js';
import { deleteIfForwarded } from './delete-after-forward.js';
import { type FaxMailer, startFaxMailer } from './fax-events.js';
import { startTestRelay, type TestRelay } from './test-support/relay.js';
import { type MailWorker, startMailWorker } from './worker.js';

let t: MigratedTestDb;
let db: Knex;
let relay: TestRelay;
let config: MailConfig;
let mailer: FaxMailer;
let worker: MailWorker;
let inbox: number;
const log = createGatewayLogger(validateConfig({ logging: { level: 'error' } }, {}).config, 'mail-test');

function gsPages(pdf: Buffer) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-mail-gs-'));
  try {
    const out = path.join(dir, 'out.tif');
    execFileSync(
      'gs',
      ['-q', '-dNOPAUSE', '-dBATCH', '-dSAFER', '-sDEVICE=tiffg4', '-r204x98', `-sOutputFile=${out}`, '-'],
      {
        input: pdf,
      },
    );
    return readTiff(new Uint8Array(fs.readFileSync(out))).pages.map((p) => p.page);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function receivedFax(pages: number) {
  const fax = await faxes.insert(db, {
    direction: 'in',
    state: 'received',
    mailboxId: inbox,
    remoteNumber: '+49891234567',
    pagesTotal: pages,
    pagesDone: pages,
    completedAt: new Date(),
  });
  for (let n = 1; n <= pages; n++) {
    await faxPages.add(db, fax.id, {
      pageNo: n,
      tiff: testTiff(1, 300 + n * 20),
      width: 1728,
      height: 300 + n * 20,
    });
  }
  await db('faxes').where({ id: fax.id }).update({ remote_station_id: 'ACME FAX' });
  return fax;
}

/** Records an outcome as the pipeline does, seals, lets the mailer and the worker run. */
async function outcome(
  type: 'recv.end' | 'job.dead' | 'send.done',
  faxId: number,
  details: Record<string, unknown> = {},
) {
  await appendAuditEvent(db, { type, actor: 'gateway:test', subject: `fax:${faxId}`, faxId, details });
  await sealAuditTrail(db);
  const queued = await mailer.runOnce();
  await worker.runOnce();
  return queued;
}

beforeAll(async () => {
  t = await migratedTestDb({ extra: [...auditMigrations], poolMax: 8 });
  db = t.knex;
  relay = await startTestRelay();
  config = mailSchema.parse({
    enabled: true,
    pollIntervalSeconds: 3600, // the tests drive the rounds
    smtp: {
      port: relay.port,
      caFile: relay.caFile,
      user: relay.user,
      passwordFile: relay.passwordFile,
      from: 'faxgate@example.org',
    },
  });
  inbox = (await mailboxes.add(db, { name: 'sales-in', kind: 'incoming', numbers: ['+49303001'] })).id;
  await db('mailbox_mail_recipients').insert({ mailbox_id: inbox, address: 'sales@example.org' });
  const reader = await users.add(db, { name: 'reader' });
  await db('users').where({ id: reader.id }).update({ email: 'reader@example.org', mail_opt_in: true });
  await grants.grant(db, { user: reader.id, mailbox: inbox, right: 'in.read' });
  const notOptedIn = await users.add(db, { name: 'quiet' });
  await db('users').where({ id: notOptedIn.id }).update({ email: 'quiet@example.org', mail_opt_in: false });
  await grants.grant(db, { user: notOptedIn.id, mailbox: inbox, right: 'in.read' });
  const stranger = await users.add(db, { name: 'stranger' });
  await db('users').where({ id: stranger.id }).update({ email: 'stranger@example.org', mail_opt_in: true });
  mailer = startFaxMailer({ config, db, log });
  worker = startMailWorker({ config, db, log, actor: 'gateway:test' });
});
afterAll(async () => {
  await mailer?.stop();
  await worker?.stop();
  await relay?.close();
  await t?.close();
});
beforeEach(() => {
  relay.received.length = 0;
});

describe('fax to e-mail', () => {
  it('mails a received fax to the mailbox recipients and opted-in readers, the PDF holding the very pages', async () => {
    const fax = await receivedFax(2);
    expect(await outcome('recv.end', fax.id, { ok: true })).toBe(1);
    await relay.waitFor(1);
    const { envelopeTo, mail } = relay.received[0];
    expect(envelopeTo.sort()).toEqual(['reader@example.org', 'sales@example.org']);
    expect(mail.subject).toBe('Fax from +49891234567 (2 pages) in sales-in');
    expect(mail.text).toContain(`Fax id:      ${fax.id}`);
    expect(mail.text).toContain('Station id:  ACME FAX');
    expect(mail.text).toContain('Mailbox:     sales-in');
    const [pdf] = mail.attachments;
    expect([pdf.filename, pdf.contentType]).toEqual([`fax-${fax.id}.pdf`, 'application/pdf']);
    const rendered = gsPages(pdf.content);
    const stored = await Promise.all(
      [1, 2].map(async (n) => readTiff((await faxPages.get(db, fax.id, n)).tiff).pages[0].page),
    );
    expect(rendered).toHaveLength(2);
    expect(rendered.map((p, i) => pagesEqual(p, stored[i]))).toEqual([true, true]);
    // mailed once: another round finds nothing new
    expect(await mailer.runOnce()).toBe(0);
    expect(await db('mail_outbox').where({ fax_id: fax.id })).toHaveLength(1);
  });

  it('adds the TIFF when the mailbox asks for it; a failed reception is not mailed', async () => {
    await db('mailboxes').where({ id: inbox }).update({ mail_attach_tiff: true });
    try {
      const fax = await receivedFax(1);
      await outcome('recv.end', fax.id, { ok: true });
      await relay.waitFor(1);
      expect(relay.received[0].mail.attachments.map((a) => a.contentType)).toEqual([
        'application/pdf',
        'image/tiff',
      ]);
      const tiff = readTiff(new Uint8Array(relay.received[0].mail.attachments[1].content));
      expect(
        pagesEqual(tiff.pages[0].page, readTiff((await faxPages.get(db, fax.id, 1)).tiff).pages[0].page),
      ).toBe(true);
      const bad = await receivedFax(1);
      expect(await outcome('recv.end', bad.id, { ok: false })).toBe(0);
    } finally {
      await db('mailboxes').where({ id: inbox }).update({ mail_attach_tiff: false });
    }
  });

  it('mails a failed send to the opted-in sender and the notify address, reason and first page as PNG', async () => {
    const out = await mailboxes.add(db, { name: 'sales-out', kind: 'outgoing' });
    const sender = await users.add(db, { name: 'sender' });
    await db('users').where({ id: sender.id }).update({ email: 'sender@example.org', mail_opt_in: true });
    const fax = await faxes.insert(db, {
      direction: 'out',
      state: 'failed',
      mailboxId: out.id,
      remoteNumber: '+49305551000',
      pagesTotal: 2,
      pagesDone: 0,
      completedAt: new Date(),
    });
    await db('faxes').where({ id: fax.id }).update({
      owner_user_id: sender.id,
      cause: 'busy',
      cause_text: 'the line was busy 5 times',
      notify_address: 'hylafax@example.org',
    });
    await faxPages.add(db, fax.id, { pageNo: 1, tiff: testTiff(1, 400), width: 1728, height: 400 });
    // submitted by e-mail (mail-intake/): the result answers that message
    await db('mail_intake_messages').insert({
      message_id: '<req-1@example.org>',
      outcome: 'accepted',
      fax_id: fax.id,
    });
    await outcome('job.dead', fax.id);
    await relay.waitFor(1);
    const { envelopeTo, mail } = relay.received[0];
    expect(envelopeTo.sort()).toEqual(['hylafax@example.org', 'sender@example.org']);
    expect(mail.subject).toBe(`Fax ${fax.id} to +49305551000 failed: busy: the line was busy 5 times`);
    expect(mail.text).toContain('was NOT sent: busy: the line was busy 5 times');
    expect(mail.inReplyTo).toBe('<req-1@example.org>');
    expect((await db('mail_outbox').where({ fax_id: fax.id }).first()).purpose).toBe('intake.result');
    const [png] = mail.attachments;
    expect(png.contentType).toBe('image/png');
    const meta = await sharp(png.content).metadata();
    expect([meta.width, meta.height]).toEqual([1728, 400]);
    // opted out: only the notify address
    relay.received.length = 0;
    await db('users').where({ id: sender.id }).update({ mail_opt_in: false });
    await db('faxes').where({ id: fax.id }).update({ state: 'done', pages_done: 2 });
    await outcome('send.done', fax.id);
    await relay.waitFor(1);
    expect(relay.received[0].envelopeTo).toEqual(['hylafax@example.org']);
  });

  it('records a mail that cannot be made (mail.failed, not composed) and goes on with the next outcome', async () => {
    const broken = await faxes.insert(db, {
      direction: 'in',
      state: 'received',
      mailboxId: inbox,
      pagesTotal: 1,
    });
    await db('fax_pages').insert({
      fax_id: broken.id,
      page_no: 1,
      tiff: Buffer.from('not a tiff'),
      sha256: '0'.repeat(64),
    });
    const fine = await receivedFax(1);
    await appendAuditEvent(db, {
      type: 'recv.end',
      actor: 'gateway:test',
      faxId: broken.id,
      details: { ok: true },
    });
    expect(await outcome('recv.end', fine.id, { ok: true })).toBe(1);
    const [ev] = await db('audit_events').where({ type: 'mail.failed', fax_id: broken.id });
    expect(ev.details).toMatchObject({ purpose: 'fax.received', reason: 'not composed' });
    expect(await db('mail_outbox').where({ fax_id: broken.id })).toEqual([]);
    await relay.waitFor(1);
    expect(relay.received[0].mail.subject).toContain('(1 page)');
  });

  it('deletes after forwarding only once the relay accepted, never under a legal hold', async () => {
    await db('mailboxes').where({ id: inbox }).update({ mail_delete_after_forward: true });
    const w = startMailWorker({
      config,
      db,
      log,
      actor: 'gateway:test',
      onSent: async (m) => {
        if (m.faxId !== null) await deleteIfForwarded(db, m.faxId);
      },
    });
    try {
      await relay.stop();
      const fax = await receivedFax(1);
      await appendAuditEvent(db, {
        type: 'recv.end',
        actor: 'gateway:test',
        faxId: fax.id,
        details: { ok: true },
      });
      await sealAuditTrail(db);
      await mailer.runOnce();
      await w.runOnce(); // the relay is down: not accepted, the fax stays
      expect((await faxes.get(db, fax.id)).state).toBe('received');
      expect(await deleteIfForwarded(db, fax.id)).toBe(false);
      await relay.start();
      await db('mail_outbox').where({ fax_id: fax.id }).update({ next_attempt_at: db.fn.now() });
      await w.runOnce();
      await relay.waitFor(1);
      expect((await faxes.get(db, fax.id)).state).toBe('deleted');
      expect(await faxPages.list(db, fax.id)).toEqual([]);
      const [ev] = await db('audit_events').where({ type: 'fax.delete', fax_id: fax.id });
      expect(ev.actor).toBe('system');
      expect(ev.details).toMatchObject({ reason: 'forwarded by e-mail', pagesDeleted: 1 });

      const held = await receivedFax(1);
      await db('legal_holds').insert({ fax_id: held.id, reason: 'court order 4711', set_by: 'auditor' });
      await appendAuditEvent(db, {
        type: 'recv.end',
        actor: 'gateway:test',
        faxId: held.id,
        details: { ok: true },
      });
      await sealAuditTrail(db);
      await mailer.runOnce();
      await w.runOnce();
      await relay.waitFor(2);
      expect((await db('mail_outbox').where({ fax_id: held.id }).first()).state).toBe('sent');
      expect((await faxes.get(db, held.id)).state).toBe('received');
    } finally {
      await w.stop();
      await db('mailboxes').where({ id: inbox }).update({ mail_delete_after_forward: false });
    }
  });
});
