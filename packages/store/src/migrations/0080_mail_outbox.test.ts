// Migration 0080 against PostgreSQL: the database itself refuses what the mail outbox must
// never hold (an address with a display name or a line break, no recipient, an unknown
// purpose), and down/up round-trips on a database with users and faxes in it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MigratedTestDb, migratedTestDb } from '../testing.js';
import { m0080MailOutbox } from './0080_mail_outbox.js';

let t: MigratedTestDb;

beforeAll(async () => {
  t = await migratedTestDb();
}, 60_000);
afterAll(async () => {
  await t?.close();
});

describe('migration 0080_mail_outbox', () => {
  it('refuses addresses that are not plain ones, wherever an address is stored', async () => {
    const [{ id: user }] = await t.knex('users').insert({ name: 'u1' }).returning('id');
    const [{ id: box }] = await t.knex('mailboxes').insert({ name: 'b1', kind: 'incoming' }).returning('id');
    const [{ id: fax }] = await t
      .knex('faxes')
      .insert({ direction: 'out', state: 'pending' })
      .returning('id');
    for (const bad of [
      'a@b',
      'A <a@example.org>',
      'a@example.org\r\nBcc: x@example.org',
      'a b@example.org',
      `${'x'.repeat(250)}@e.org`,
    ]) {
      await expect(t.knex('users').where({ id: user }).update({ email: bad }), bad).rejects.toThrow(/check/i);
      await expect(
        t.knex('mailbox_mail_recipients').insert({ mailbox_id: box, address: bad }),
        bad,
      ).rejects.toThrow(/check/i);
      await expect(t.knex('faxes').where({ id: fax }).update({ notify_address: bad }), bad).rejects.toThrow(
        /check/i,
      );
    }
    await t.knex('users').where({ id: user }).update({ email: "o'brien+fax@mail.example.org" });
    expect((await t.knex('users').where({ id: user }).first()).mail_opt_in).toBe(false);
  });

  it('refuses a mail without recipients or with an unknown purpose or state', async () => {
    const row = { purpose: 'fax.result', recipients: ['a@example.org'], subject: 's', body: 'b' };
    await expect(t.knex('mail_outbox').insert({ ...row, recipients: [] })).rejects.toThrow(/check/i);
    await expect(t.knex('mail_outbox').insert({ ...row, purpose: 'spam' })).rejects.toThrow(/check/i);
    await expect(t.knex('mail_outbox').insert({ ...row, state: 'lost' })).rejects.toThrow(/check/i);
    const [{ id }] = await t.knex('mail_outbox').insert(row).returning('id');
    expect((await t.knex('mail_outbox').where({ id }).first()).state).toBe('queued');
  });

  it('goes down and up again, keeping users and faxes', async () => {
    await m0080MailOutbox.down(t.knex);
    expect(await t.knex.schema.hasTable('mail_outbox')).toBe(false);
    expect(await t.knex.schema.hasColumn('users', 'email')).toBe(false);
    await m0080MailOutbox.up(t.knex);
    expect(await t.knex.schema.hasTable('mail_outbox_attachments')).toBe(true);
    expect(await t.knex('users').where({ name: 'u1' }).first('email')).toEqual({ email: null });
    expect(await t.knex('faxes').count({ n: '*' })).toEqual([{ n: 1 }]);
  });
});
