// Migration 0090 against PostgreSQL: one row per Message-ID (a second insert of the same id is
// refused, which is what makes the intake idempotent), a refusal always with its reason and an
// acceptance never with one; down and up again work.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MigratedTestDb, migratedTestDb } from '../testing.js';
import { m0090MailIntake } from './0090_mail_intake.js';

let t: MigratedTestDb;

beforeAll(async () => {
  t = await migratedTestDb();
}, 60_000);
afterAll(async () => {
  await t?.close();
});

describe('migration 0090_mail_intake', () => {
  it('keeps one row per Message-ID and the reason exactly with a refusal', async () => {
    const rows = () => t.knex('mail_intake_messages');
    await rows().insert({
      message_id: '<a@example.org>',
      outcome: 'refused',
      reason: 'bounce',
      sender: 'x@example.org',
    });
    await expect(
      rows().insert({ message_id: '<a@example.org>', outcome: 'refused', reason: 'loop' }),
    ).rejects.toThrow(/duplicate key/);
    await expect(rows().insert({ message_id: '<b@example.org>', outcome: 'refused' })).rejects.toThrow(
      /check/,
    );
    await expect(
      rows().insert({ message_id: '<c@example.org>', outcome: 'accepted', reason: 'x' }),
    ).rejects.toThrow(/check/);
    await expect(
      rows().insert({ message_id: '<d@example.org>', outcome: 'maybe', reason: 'x' }),
    ).rejects.toThrow(/check/);
    expect((await rows().select('message_id', 'moved_at')).map((r) => [r.message_id, r.moved_at])).toEqual([
      ['<a@example.org>', null],
    ]);
  });

  it('goes down and up again', async () => {
    await m0090MailIntake.down(t.knex);
    expect(await t.knex.schema.hasTable('mail_intake_messages')).toBe(false);
    await m0090MailIntake.up(t.knex);
    expect(await t.knex.schema.hasTable('mail_intake_messages')).toBe(true);
  });
});
