// Migration 0050 against PostgreSQL: versions recorded before it get the author kind their
// author's prefix says (gateway:/cli: an OS account, system: the system, else a user), and
// the new columns refuse what the service refuses (unknown kind, over-long reason).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MigratedTestDb, migratedTestDb } from '../testing.js';
import { m0050ConfigAuthor } from './0050_config_author.js';

let t: MigratedTestDb;

beforeAll(async () => {
  t = await migratedTestDb();
}, 60_000);
afterAll(async () => {
  await t?.close();
});

const sha = (n: number) => String(n).padStart(64, '0');

describe('migration 0050_config_author', () => {
  it('classifies the authors of earlier versions and keeps them', async () => {
    await m0050ConfigAuthor.down(t.knex); // as before the migration
    const authors = ['gateway:faxgate@fax1', 'cli:root', 'system:SIGHUP', 'admin'];
    for (const [i, author] of authors.entries()) {
      await t.knex('config_versions').insert({ author, sha256: sha(i), content: `v: ${i}\n`, diff: '' });
    }
    await m0050ConfigAuthor.up(t.knex);
    const rows = await t.knex('config_versions').orderBy('version').select('author', 'author_kind', 'reason');
    expect(rows).toEqual([
      { author: 'gateway:faxgate@fax1', author_kind: 'os', reason: '' },
      { author: 'cli:root', author_kind: 'os', reason: '' },
      { author: 'system:SIGHUP', author_kind: 'system', reason: '' },
      { author: 'admin', author_kind: 'user', reason: '' },
    ]);
  });

  it('refuses an unknown author kind and an over-long reason', async () => {
    const row = { author: 'x', sha256: sha(9), content: '', diff: '' };
    await expect(t.knex('config_versions').insert({ ...row, author_kind: 'robot' })).rejects.toThrow(
      /check/i,
    );
    await expect(t.knex('config_versions').insert({ ...row, reason: 'x'.repeat(2001) })).rejects.toThrow(
      /check/i,
    );
  });
});
