// E-mail to fax against real peers: Dovecot (messages placed by IMAP APPEND), PostgreSQL, Redis,
// the sandboxed render pool and the simulated exchange. A PDF mailed to a number is faxed; an
// unknown sender, a forged Authentication-Results, a bounce and an auto-reply are refused and
// moved, each audited; a sender without out.send is refused with a reply and access.denied.
import { grants, users } from '@faxgate/store';
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentLoader, type DocumentLoader, documentLoaderOptions } from '../documents/load-pages.js';
import { type DovecotServer, startDovecot } from '../test-support/dovecot.js';
import {
  type PipelineFixture,
  startPipelineFixture,
  waitFor,
  waitTerminal,
} from '../test-support/pipeline-fixture.js';
import { type MailIntakeConfig, mailIntakeSchema } from './config.js';
import { imapCheck } from './imap.js';
import { type MailIntake, startMailIntake } from './intake.js';
import type { IntakeContext } from './process.js';

let f: PipelineFixture;
let dovecot: DovecotServer;
let documents: DocumentLoader;
let cfg: MailIntakeConfig;
let intake: MailIntake;
let imap: ImapFlow;

const AR_PASS =
  'Authentication-Results: mx.example.org; spf=pass; dkim=pass; dmarc=pass header.from=example.org';
let seq = 0;

/** A one-page PDF with a line of text (written here: no third-party file). */
function textPdf(line: string): Buffer {
  const stream = `BT /F1 24 Tf 72 700 Td (${line}) Tj ET`;
  const objs = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [4 0 R] /Count 1 >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objs.forEach((o, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) out += `${String(off).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

interface Draft {
  from?: string;
  to?: string;
  subject?: string;
  headers?: readonly string[];
  body?: string;
  pdf?: Buffer;
  messageId?: string;
}

/** A MIME message as a mail client would write it. */
function message(d: Draft): { raw: string; messageId: string } {
  const messageId = d.messageId ?? `<m${++seq}.${Date.now()}@example.org>`;
  const head = [
    ...(d.headers ?? [AR_PASS]),
    `From: ${d.from ?? 'Alice <alice@example.org>'}`,
    `To: ${d.to ?? '+49305551000@fax.example.org'}`,
    `Subject: ${d.subject ?? 'contract'}`,
    `Message-ID: ${messageId}`,
    'MIME-Version: 1.0',
  ];
  if (!d.pdf) {
    return {
      raw: [...head, 'Content-Type: text/plain; charset=utf-8', '', d.body ?? 'Hello', ''].join('\r\n'),
      messageId,
    };
  }
  const b64 = d.pdf.toString('base64').replace(/.{76}/g, '$&\r\n');
  const raw = [
    ...head,
    'Content-Type: multipart/mixed; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/plain; charset=utf-8',
    '',
    d.body ?? 'Please find the contract attached.\r\n\r\n-- \r\nAlice',
    '--b1',
    'Content-Type: application/pdf; name="contract.pdf"',
    'Content-Disposition: attachment; filename="contract.pdf"',
    'Content-Transfer-Encoding: base64',
    '',
    b64,
    '--b1--',
    '',
  ].join('\r\n');
  return { raw, messageId };
}

async function append(d: Draft): Promise<string> {
  const m = message(d);
  await imap.append('INBOX', m.raw);
  return m.messageId;
}

async function folder(path: string): Promise<string[]> {
  const lock = await imap.getMailboxLock(path);
  try {
    await imap.noop(); // the server announces what arrived since this session last looked
    const ids: string[] = [];
    for await (const m of imap.fetch('1:*', { envelope: true })) ids.push(m.envelope?.messageId ?? '');
    return ids;
  } catch {
    return []; // an empty folder
  } finally {
    lock.release();
  }
}

const row = (messageId: string) => f.db('mail_intake_messages').where({ message_id: messageId }).first();
const auditOf = (messageId: string) =>
  f
    .db('audit_events')
    .whereIn('type', ['mail.intake.accepted', 'mail.intake.refused'])
    .whereRaw("details->>'messageId' = ?", [messageId]);
const repliesTo = (messageId: string) => f.db('mail_outbox').where({ in_reply_to: messageId });

/** Appends, lets the intake take it, and answers its row once moved. */
async function deliver(d: Draft) {
  const id = await append(d);
  await intake.drainNow();
  return {
    id,
    row: await waitFor(`row of ${id}`, async () => ((await row(id))?.moved_at ? row(id) : undefined)),
  };
}

beforeAll(async () => {
  f = await startPipelineFixture({});
  dovecot = await startDovecot();
  documents = createDocumentLoader({ workers: 1, ...documentLoaderOptions(f.config) });
  await users.add(f.db, { name: 'bob', roles: ['user'] });
  // bob may read alice-out's faxes, not send from it
  await grants.grant(f.db, { user: 'bob', mailbox: 'alice-out', right: 'out.stop' });
  cfg = mailIntakeSchema.parse({
    enabled: true,
    host: dovecot.host,
    port: dovecot.port,
    tls: 'none',
    user: dovecot.user,
    passwordFile: dovecot.passwordFile,
    faxDomain: 'fax.example.org',
    allow: [
      { address: 'alice@example.org', user: 'alice' },
      { address: 'bob@example.org', user: 'bob', mailbox: 'alice-out' },
    ],
    requireAuthResults: true,
    authServId: 'mx.example.org',
    // longer than the first test may take: it passes only when IDLE announces the message
    pollSeconds: 120,
    maxMessageMegabytes: 1,
  });
  const context = (c: MailIntakeConfig): IntakeContext => ({
    db: f.db,
    config: c,
    documents,
    router: async () => f.router,
    submit: { queue: f.pipeline.queue, settings: f.pipeline.settings },
    actor: 'gateway:test',
    ownMessageIdDomains: ['faxgate.example.org'],
  });
  imap = new ImapFlow({
    host: dovecot.host,
    port: dovecot.port,
    secure: false,
    doSTARTTLS: false,
    auth: { user: dovecot.user, pass: dovecot.password },
    logger: false,
  });
  await imap.connect();
  intake = startMailIntake({
    db: f.db,
    config: () => cfg,
    context,
    log: { info() {}, warn: (m: string) => console.warn(m), error: (m: string) => console.error(m) },
  });
}, 60_000);

afterAll(async () => {
  await intake?.stop();
  await imap?.logout().catch(() => {});
  await documents?.close();
  await dovecot?.stop();
  await f?.close();
});

describe('mail intake over IMAP (Dovecot)', () => {
  it('faxes a mailed PDF to the number of the address: seen by IDLE, sent through the simulator, replied, moved', async () => {
    // the intake is connected and has taken its first turn: what comes now, only IDLE announces
    await waitFor('the intake folders', async () =>
      (await imap.list()).some((m) => m.path === cfg.failedFolder),
    );
    await intake.drainNow();
    await new Promise((r) => setTimeout(r, 500));
    const id = await append({ pdf: textPdf('Contract by mail') });
    // no drainNow: the running intake sees the new message itself (IDLE)
    const r = await waitFor(
      'the intake to take the message',
      async () => ((await row(id))?.moved_at ? row(id) : undefined),
      60_000, // imapflow enters IDLE 15 s after the last command
    );
    expect(r.outcome).toBe('accepted');
    const fax = await waitTerminal(f.db, Number(r.fax_id), 60_000);
    expect(fax.state).toBe('done');
    expect(fax.pagesTotal).toBe(2); // the body (signature left out), then the PDF's page
    expect(fax.remoteNumber).toBe('+49305551000');
    expect(f.dialled.some((n) => n.endsWith('5551000'))).toBe(true);
    const stored = await f.db('faxes').where({ id: fax.id }).first();
    expect(stored.notify_address).toBe('alice@example.org');
    const events = await auditOf(id);
    expect(events.map((e) => [e.type, e.actor, e.fax_id === null ? null : Number(e.fax_id)])).toEqual([
      ['mail.intake.accepted', 'alice', fax.id],
    ]);
    const replies = await repliesTo(id);
    expect(replies.map((m) => [m.purpose, m.recipients, Number(m.fax_id)])).toEqual([
      ['intake.reply', ['alice@example.org'], fax.id],
    ]);
    expect(replies[0].body).toContain(`fax ${fax.id}`);
    expect(await folder(cfg.processedFolder)).toContain(id);
    expect(await folder('INBOX')).not.toContain(id);
  }, 120_000);

  it('takes the number from the subject, and a message seen again (crash before the move) is not faxed twice', async () => {
    const first = await deliver({
      to: 'fax@example.org',
      subject: 'Fax: +49 30 555-1001',
      body: 'Text only',
    });
    expect(first.row.outcome).toBe('accepted');
    // the same message again, as after a crash between the commit and the move
    await append({
      to: 'fax@example.org',
      subject: 'Fax: +49 30 555-1001',
      body: 'Text only',
      messageId: first.id,
    });
    await intake.drainNow();
    await waitFor('the copy to be moved', async () => !(await folder('INBOX')).includes(first.id));
    expect((await folder(cfg.processedFolder)).filter((m) => m === first.id)).toHaveLength(2);
    expect((await row(first.id)).fax_id).toBe(first.row.fax_id);
    const copies = await f.db('faxes').whereRaw("metadata->>'messageId' = ?", [first.id]).count({ n: '*' });
    expect(Number(copies[0].n)).toBe(1);
    expect(await repliesTo(first.id)).toHaveLength(1);
    expect((await auditOf(first.id)).length).toBe(1);
  }, 60_000);

  it.each([
    ['an unknown sender', { from: 'mallory@example.org' }, 'unknown-sender', true],
    [
      'a forged Authentication-Results (pass from another authserv-id, fail from the relay)',
      {
        headers: [
          'Authentication-Results: mx.example.org; dmarc=fail',
          'Authentication-Results: evil.example; dmarc=pass',
        ],
      },
      'dmarc',
      false,
    ],
    [
      'a bounce',
      {
        from: 'Mail Delivery System <MAILER-DAEMON@mx.example.org>',
        headers: [AR_PASS, 'Return-Path: <>'],
        subject: 'Undelivered Mail Returned to Sender',
      },
      'bounce',
      false,
    ],
    [
      'an auto-reply',
      { headers: [AR_PASS, 'Auto-Submitted: auto-replied'], subject: 'Out of office' },
      'auto-reply',
      false,
    ],
    ['a mail of faxgate itself (loop)', { headers: [AR_PASS, 'X-Faxgate-Mail: 7'] }, 'loop', false],
    ['a message without a number', { to: 'fax@example.org', subject: 'hello' }, 'no-number', true],
  ] as const)(
    'refuses %s, audited and moved to the failed folder',
    async (_what, draft, reason, reply) => {
      const faxesBefore = await f.db('faxes').count({ n: '*' });
      const { id, row: r } = await deliver({ ...draft, pdf: textPdf('x') });
      expect([r.outcome, r.reason]).toEqual(['refused', reason]);
      const events = await auditOf(id);
      expect(events.map((e) => [e.type, e.details.reason, e.details.replied])).toEqual([
        ['mail.intake.refused', reason, reply],
      ]);
      expect((await repliesTo(id)).map((m) => m.purpose)).toEqual(reply ? ['intake.refusal'] : []);
      expect(await f.db('faxes').count({ n: '*' })).toEqual(faxesBefore);
      expect(await folder(cfg.failedFolder)).toContain(id);
    },
    60_000,
  );

  it('refuses a sender whose user lacks out.send on the mailbox: a reply, access.denied and the refusal audited', async () => {
    const { id, row: r } = await deliver({ from: 'bob@example.org', pdf: textPdf('y') });
    expect([r.outcome, r.reason]).toEqual(['refused', 'no-right']);
    const denied = await f
      .db('audit_events')
      .where({ type: 'access.denied', actor: 'bob' })
      .orderBy('id', 'desc')
      .first();
    expect(denied.details).toMatchObject({ permission: 'out.send', via: 'mail' });
    const [refused] = await auditOf(id);
    expect([refused.actor, refused.details.reason]).toEqual(['bob', 'no-right']);
    const [reply] = await repliesTo(id);
    expect([reply.purpose, reply.recipients]).toEqual(['intake.refusal', ['bob@example.org']]);
    expect(reply.body).toContain('bob may not send from mailbox');
  }, 60_000);

  it('refuses an attachment a fax cannot carry, naming it', async () => {
    const raw = message({ messageId: '<doc1@example.org>', body: 'see file' }).raw.replace(
      'Content-Type: text/plain; charset=utf-8\r\n\r\nsee file',
      'Content-Type: multipart/mixed; boundary="z"\r\n\r\n--z\r\nContent-Type: application/msword; name="a.doc"\r\nContent-Disposition: attachment; filename="a.doc"\r\n\r\nDOC\r\n--z--',
    );
    await imap.append('INBOX', raw);
    await intake.drainNow();
    const r = await waitFor('doc refused', async () =>
      (await row('<doc1@example.org>'))?.moved_at ? row('<doc1@example.org>') : undefined,
    );
    expect([r.outcome, r.reason]).toEqual(['refused', 'bad-attachment']);
    const [reply] = await repliesTo('<doc1@example.org>');
    expect(reply.body).toContain('"a.doc" is application/msword');
  }, 60_000);
});

describe('mail intake bounds and bodies', () => {
  it('refuses a message over maxMessageMegabytes from its header alone, with a reply', async () => {
    const big = Buffer.concat([textPdf('big'), Buffer.alloc(1_200_000, 32)]);
    const { id, row: r } = await deliver({ pdf: big });
    expect([r.outcome, r.reason]).toEqual(['refused', 'too-large']);
    const [reply] = await repliesTo(id);
    expect(reply.body).toContain('larger than 1 MB');
    expect(await folder(cfg.failedFolder)).toContain(id);
  }, 60_000);

  it('faxes an HTML-only body as its text', async () => {
    const id = `<html-${Date.now()}@example.org>`;
    const raw = message({ messageId: id, body: 'x' }).raw.replace(
      'Content-Type: text/plain; charset=utf-8\r\n\r\nx',
      'Content-Type: text/html; charset=utf-8\r\n\r\n<html><body><p>Hello <b>world</b></p></body></html>',
    );
    await imap.append('INBOX', raw);
    await intake.drainNow();
    const r = await waitFor('html accepted', async () => ((await row(id))?.moved_at ? row(id) : undefined));
    expect(r.outcome).toBe('accepted');
    const fax = await f.db('faxes').where({ id: r.fax_id }).first();
    expect(fax.pages_total).toBe(1);
  }, 60_000);
});

describe('IMAP health check', () => {
  it('passes with login, NOOP and the folders; fails naming the login when the password is wrong', async () => {
    const signal = new AbortController().signal;
    expect(await imapCheck(() => cfg).run(signal)).toContain('NOOP answered');
    const fs = await import('node:fs');
    const wrong = `${dovecot.dir}/wrong.password`;
    fs.writeFileSync(wrong, 'nope\n');
    await expect(imapCheck(() => ({ ...cfg, passwordFile: wrong })).run(signal)).rejects.toThrow(
      /login refused/,
    );
    await expect(imapCheck(() => ({ ...cfg, failedFolder: 'nowhere' })).run(signal)).rejects.toThrow(
      /folder nowhere missing/,
    );
  }, 30_000);
});
