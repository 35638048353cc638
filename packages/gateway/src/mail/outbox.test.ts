// The outbox contract against real PostgreSQL: a mail is a row with its attachments and a
// mail.queued event, written in the caller's transaction (rolled back with it), bad input refused.
import { auditMigrations } from '@faxgate/audit';
import type { Knex } from '@faxgate/store';
import { type MigratedTestDb, migratedTestDb } from '@faxgate/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueMail, mailsOfFax } from './outbox.js';

let t: MigratedTestDb;
let db: Knex;

beforeAll(async () => {
  t = await migratedTestDb({ extra: [...auditMigrations], poolMax: 4 });
  db = t.knex;
});
afterAll(async () => {
  await t?.close();
});

describe('enqueueMail', () => {
  it('stores the mail, its attachments and a mail.queued event', async () => {
    const pdf = Buffer.from('%PDF-1.4 test');
    const { id } = await enqueueMail(db, {
      to: ['Alice@Example.ORG', 'alice@example.org', 'bob@example.org'],
      subject: 'Fax from +49 30 1234\r\nBcc: evil@example.org',
      text: 'one page',
      inReplyTo: 'abc@host.example',
      attachments: [{ filename: 'fax-1.pdf', contentType: 'application/pdf', content: pdf }],
      purpose: 'fax.received',
      cause: { actor: 'alice', reason: 'in.forward' },
    });
    const row = await db('mail_outbox').where({ id }).first();
    expect(row.recipients).toEqual(['Alice@example.org', 'alice@example.org', 'bob@example.org']);
    expect(row.subject).toBe('Fax from +49 30 1234 Bcc: evil@example.org');
    expect(row.in_reply_to).toBe('<abc@host.example>');
    expect(row.state).toBe('queued');
    const att = await db('mail_outbox_attachments').where({ mail_id: id });
    expect(att.map((a) => [a.filename, a.content_type, Buffer.compare(a.content, pdf)])).toEqual([
      ['fax-1.pdf', 'application/pdf', 0],
    ]);
    const ev = await db('audit_events').where({ type: 'mail.queued', subject: `mail:${id}` });
    expect(ev).toHaveLength(1);
    expect(ev[0].actor).toBe('alice');
    expect(ev[0].details).toMatchObject({ mailId: id, purpose: 'fax.received', reason: 'in.forward' });
  });

  it('writes in the caller transaction: rolled back with it', async () => {
    let id = 0;
    await expect(
      db.transaction(async (trx) => {
        ({ id } = await enqueueMail(trx, {
          to: ['x@example.org'],
          subject: 's',
          text: 't',
          purpose: 'intake.reply',
        }));
        throw new Error('caller fails');
      }),
    ).rejects.toThrow('caller fails');
    expect(id).toBeGreaterThan(0);
    expect(await db('mail_outbox').where({ id })).toEqual([]);
    expect(await db('audit_events').where({ subject: `mail:${id}` })).toEqual([]);
  });

  it('refuses addresses that could smuggle a header or recipient, and unknown purposes', async () => {
    for (const bad of [
      'a@b',
      'x@example.org\r\nBcc: y@example.org',
      'A <a@example.org>',
      'a,b@example.org',
      '',
    ]) {
      await expect(
        enqueueMail(db, { to: [bad], subject: 's', text: 't', purpose: 'fax.result' }),
      ).rejects.toThrow(/not a plain address/);
    }
    await expect(
      // biome-ignore lint/suspicious/noExplicitAny: an unknown purpose on purpose
      enqueueMail(db, { to: ['a@example.org'], subject: 's', text: 't', purpose: 'spam' as any }),
    ).rejects.toThrow(/purpose/);
    await expect(db('users').insert({ name: 'mailcheck', email: 'x@y' })).rejects.toThrow(/check constraint/);
  });

  it('lists the mails of a fax', async () => {
    const [{ id: faxId }] = await db('faxes').insert({ direction: 'in', state: 'received' }).returning('id');
    await enqueueMail(db, { to: ['p@example.org'], subject: 's', text: 't', purpose: 'fax.received', faxId });
    const rows = await mailsOfFax(db, faxId);
    expect(rows.map((r) => [r.faxId, r.state, r.recipients])).toEqual([[faxId, 'queued', ['p@example.org']]]);
  });
});
