// Names and tags with control characters (NUL above all) are refused with a clear
// InvalidInputError before any SQL runs — never a driver error ("invalid byte sequence").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidInputError } from './errors.js';
import { checkLabel, checkNoControl, checkNoNul } from './names.js';
import * as credentials from './services/credentials.js';
import * as faxes from './services/faxes.js';
import * as groups from './services/groups.js';
import * as mailboxes from './services/mailboxes.js';
import * as users from './services/users.js';
import { type MigratedTestDb, migratedTestDb } from './testing.js';

describe('name checks', () => {
  it.each(['a\u0000b', 'tab\there', 'cr\r', 'lf\n', 'del\u007f', 'c1\u0085'])('refuses %j', (bad) => {
    expect(() => checkNoControl('user name', bad)).toThrow(InvalidInputError);
    expect(() => checkNoControl('user name', bad)).toThrow(
      /user name must not contain control characters \(found U\+/,
    );
  });
  it('accepts ordinary text, including non-Latin letters', () => {
    expect(checkNoControl('x', 'Müller-Lüdenscheidt ☎')).toBe('Müller-Lüdenscheidt ☎');
    expect(checkNoNul('subject', 'two\nlines')).toBe('two\nlines');
    expect(() => checkNoNul('subject', 'a\u0000')).toThrow(/subject must not contain a NUL/);
    expect(() => checkLabel('job tag', 'x'.repeat(101), 100)).toThrow(/at most 100/);
  });
});

describe('services', () => {
  let t: MigratedTestDb;
  beforeAll(async () => {
    t = await migratedTestDb();
    await users.add(t.knex, { name: 'alice' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('look-ups by a name with NUL are InvalidInputError, not a database error', async () => {
    await expect(users.find(t.knex, 'ali\u0000ce')).rejects.toThrow(InvalidInputError);
    await expect(users.get(t.knex, 'ali\u0000ce')).rejects.toThrow(/user name must not contain/);
    await expect(groups.get(t.knex, 'g\u0000')).rejects.toThrow(InvalidInputError);
    await expect(mailboxes.find(t.knex, 'm\u0000')).rejects.toThrow(InvalidInputError);
    await expect(users.verifyPassword(t.knex, 'ali\u0000ce', 'whatever-pass')).rejects.toThrow(
      InvalidInputError,
    );
    await expect(users.add(t.knex, { name: 'bob\u0000' })).rejects.toThrow(InvalidInputError);
    await expect(
      credentials.issue(t.knex, { kind: 'token', user: 'ali\u0000ce', name: 'ci' }),
    ).rejects.toThrow(InvalidInputError);
  });

  it('look-ups by an id beyond 2^53-1 (or below 1) are InvalidInputError', async () => {
    await expect(users.find(t.knex, 2 ** 63)).rejects.toThrow(/user id .* is invalid/);
    await expect(groups.find(t.knex, -1)).rejects.toThrow(InvalidInputError);
    await expect(mailboxes.get(t.knex, Number.POSITIVE_INFINITY)).rejects.toThrow(InvalidInputError);
    expect(await users.find(t.knex, Number.MAX_SAFE_INTEGER)).toBeNull();
  });

  it('a token name with a control character is refused', async () => {
    await expect(credentials.issue(t.knex, { kind: 'token', user: 'alice', name: 'ci\nx' })).rejects.toThrow(
      /credential name must not contain control characters/,
    );
    const ok = await credentials.issue(t.knex, { kind: 'token', user: 'alice', name: 'ci build' });
    expect(ok.credential.name).toBe('ci build');
  });

  it('a job tag with a control character, or a subject with NUL, is refused; nothing is stored', async () => {
    const base = { direction: 'out', state: 'pending' } as const;
    await expect(faxes.insert(t.knex, { ...base, jobTag: 'tag\u0000' })).rejects.toThrow(
      /job tag must not contain/,
    );
    await expect(faxes.insert(t.knex, { ...base, jobTag: 'x\ty' })).rejects.toThrow(
      /job tag must not contain/,
    );
    await expect(faxes.insert(t.knex, { ...base, subject: 'a\u0000b' })).rejects.toThrow(
      /subject must not contain a NUL/,
    );
    expect(Number((await t.knex('faxes').count({ n: '*' }))[0].n)).toBe(0);
    const f = await faxes.insert(t.knex, { ...base, jobTag: '=HYPERLINK("x")', subject: 'two\nlines' });
    expect(f.jobTag).toBe('=HYPERLINK("x")'); // stored as given; CSV writers neutralise it
  });
});
