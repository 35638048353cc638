import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConflictError,
  configVersions,
  faxes,
  faxPages,
  grants,
  groups,
  InvalidInputError,
  mailboxes,
  migrateDown,
  migrationStatus,
  NotFoundError,
  StateConflictError,
  storeMigrations,
  users,
} from './index.js';
import { type MigratedTestDb, migratedTestDb } from './test-support/db.js';

let t: MigratedTestDb;
beforeAll(async () => {
  t = await migratedTestDb();
});
afterAll(async () => {
  await t?.close();
});

/** Every store migration, in order (each migration adds itself to storeMigrations). */
const ALL = storeMigrations.map((m) => m.name);

describe('migrations', () => {
  it('are applied and reported', async () => {
    const s = await migrationStatus(t.knex);
    expect(s.applied).toEqual(ALL);
    expect(ALL.slice(0, 2)).toEqual(['0001_core', '0002_credentials']);
    expect(ALL).toContain('0010_directory_notify');
    expect(ALL).toContain('0011_config_node');
    expect(s.pending).toEqual([]);
  });
  it('roll back and forward again', async () => {
    const { createTestDatabase } = await import('./testing.js');
    const { openDatabase, migrate } = await import('./index.js');
    const db = await createTestDatabase();
    const k = openDatabase(db.url, { poolMax: 2 });
    try {
      expect((await migrate(k)).applied).toEqual(ALL);
      expect((await migrate(k)).applied).toEqual([]);
      expect((await migrateDown(k, [], { all: true })).applied).toEqual([...ALL].reverse());
      const { rows } = await k.raw(`SELECT to_regclass('users') AS t`);
      expect(rows[0].t).toBeNull();
      expect((await migrate(k)).applied).toEqual(ALL);
    } finally {
      await k.destroy();
      await db.drop();
    }
  });
  it('parses BIGINT as number', async () => {
    const { rows } = await t.knex.raw('SELECT count(*) AS n, 9007199254740991::bigint AS big');
    expect(rows[0].n).toBe(0 + Number(rows[0].n));
    expect(typeof rows[0].n).toBe('number');
    expect(rows[0].big).toBe(Number.MAX_SAFE_INTEGER);
    await expect(t.knex.raw('SELECT 9007199254740993::bigint AS x')).rejects.toThrow(/MAX_SAFE_INTEGER/);
  });
});

describe('users', () => {
  it('adds, verifies, disables, manages roles', async () => {
    const u = await users.add(t.knex, { name: 'alice', displayName: 'Alice A.', password: 'correct horse' });
    expect(u).toMatchObject({
      name: 'alice',
      displayName: 'Alice A.',
      roles: ['user'],
      disabled: false,
      hasPassword: true,
    });
    expect(JSON.stringify(u)).not.toContain('argon2');
    const { rows } = await t.knex.raw(`SELECT password_hash FROM users WHERE name = 'alice'`);
    expect(rows[0].password_hash).toMatch(/^\$argon2id\$/);

    expect((await users.verifyPassword(t.knex, 'alice', 'correct horse')).ok).toBe(true);
    expect(await users.verifyPassword(t.knex, 'alice', 'wrong password')).toMatchObject({
      ok: false,
      reason: 'bad_password',
    });
    expect(await users.verifyPassword(t.knex, 'nobody', 'x')).toMatchObject({
      ok: false,
      reason: 'unknown_user',
    });

    await users.setPassword(t.knex, 'alice', 'battery staple');
    expect((await users.verifyPassword(t.knex, 'alice', 'battery staple')).ok).toBe(true);

    await users.disable(t.knex, 'alice');
    expect(await users.verifyPassword(t.knex, 'alice', 'battery staple')).toMatchObject({
      ok: false,
      reason: 'disabled',
    });
    await users.enable(t.knex, u.id);

    expect(await users.assignRole(t.knex, 'alice', 'auditor')).toBe(true);
    expect(await users.assignRole(t.knex, 'alice', 'auditor')).toBe(false);
    expect((await users.get(t.knex, 'alice')).roles).toEqual(['auditor', 'user']);
    expect(await users.revokeRole(t.knex, 'alice', 'auditor')).toBe(true);
    expect((await users.get(t.knex, 'alice')).roles).toEqual(['user']);
    expect((await users.list(t.knex)).map((x) => x.name)).toContain('alice');
  });

  it('refuses bad input with typed errors and changes nothing', async () => {
    await expect(users.add(t.knex, { name: 'alice' })).rejects.toBeInstanceOf(ConflictError);
    await expect(users.add(t.knex, { name: 'bad name' })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(users.add(t.knex, { name: 'bob', password: 'short' })).rejects.toBeInstanceOf(
      InvalidInputError,
    );
    // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong
    await expect(users.add(t.knex, { name: 'bob', roles: ['root' as any] })).rejects.toThrow(
      /unknown role "root"/,
    );
    expect(await users.find(t.knex, 'bob')).toBeNull();
    await expect(users.get(t.knex, 'ghost')).rejects.toBeInstanceOf(NotFoundError);
    await expect(users.get(t.knex, 'ghost')).rejects.toThrow('user "ghost" does not exist');
    await expect(users.disable(t.knex, 'ghost')).rejects.toBeInstanceOf(NotFoundError);
    // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong
    await expect(users.assignRole(t.knex, 'alice', 'root' as any)).rejects.toBeInstanceOf(InvalidInputError);
  });
});

describe('groups, mailboxes, grants', () => {
  it('works end to end', async () => {
    await users.add(t.knex, { name: 'carol' });
    const g = await groups.add(t.knex, { name: 'sales', description: 'Sales team' });
    expect(await groups.addMember(t.knex, 'sales', 'carol')).toBe(true);
    expect(await groups.addMember(t.knex, g.id, 'carol')).toBe(false);
    expect((await groups.get(t.knex, 'sales')).members).toEqual(['carol']);
    expect(await groups.listForUser(t.knex, 'carol')).toEqual(['sales']);

    const inbox = await mailboxes.add(t.knex, {
      name: 'sales-in',
      kind: 'incoming',
      numbers: ['+49 30 1234-56'],
    });
    expect(inbox.numbers).toEqual(['+493012345' + '6']);
    const outbox = await mailboxes.add(t.knex, {
      name: 'sales-out',
      kind: 'outgoing',
      numbers: ['+4930123456'],
    });
    expect((await mailboxes.findByNumber(t.knex, '+4930123456', 'incoming'))?.name).toBe('sales-in');
    expect((await mailboxes.findByNumber(t.knex, '+4930123456', 'outgoing'))?.name).toBe('sales-out');
    expect(await mailboxes.findByNumber(t.knex, '+49309999', 'incoming')).toBeNull();
    await expect(
      mailboxes.add(t.knex, { name: 'other-in', kind: 'incoming', numbers: ['+4930123456'] }),
    ).rejects.toThrow(/already belongs to incoming mailbox "sales-in"/);
    expect(await mailboxes.find(t.knex, 'other-in')).toBeNull();
    await expect(mailboxes.addNumber(t.knex, 'sales-out', '+4930123456')).resolves.toBeDefined();

    const gr = await grants.grant(t.knex, { group: 'sales', mailbox: 'sales-in', right: 'in.read' });
    expect(gr).toMatchObject({
      groupName: 'sales',
      mailboxName: 'sales-in',
      right: 'in.read',
      created: true,
    });
    expect(
      (await grants.grant(t.knex, { group: 'sales', mailbox: 'sales-in', right: 'in.read' })).created,
    ).toBe(false);
    await grants.grant(t.knex, { user: 'carol', mailbox: outbox.id, right: 'out.send' });
    await expect(
      grants.grant(t.knex, { user: 'carol', mailbox: 'sales-in', right: 'out.send' }),
    ).rejects.toThrow(/right out\.send applies to outgoing mailboxes; "sales-in" is incoming/);
    await expect(
      // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong
      grants.grant(t.knex, { user: 'carol', mailbox: 'sales-in', right: 'in.print' as any }),
    ).rejects.toBeInstanceOf(InvalidInputError);
    await expect(
      grants.grant(t.knex, { user: 'ghost', mailbox: 'sales-in', right: 'in.read' }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      grants.grant(t.knex, { group: 'ghosts', mailbox: 'sales-in', right: 'in.read' }),
    ).rejects.toThrow('group "ghosts" does not exist');
    await expect(
      grants.grant(t.knex, { user: 'carol', mailbox: 'nowhere', right: 'in.read' }),
    ).rejects.toThrow('mailbox "nowhere" does not exist');
    // The database refuses a mismatched right by itself too.
    await expect(
      t
        .knex('grants')
        .insert({ user_id: 1, mailbox_id: inbox.id, mailbox_kind: 'incoming', right: 'out.send' }),
    ).rejects.toThrow(/check constraint/);

    expect((await grants.listFor(t.knex, { user: 'carol' })).map((x) => x.right)).toEqual(['out.send']);
    expect(
      (await grants.listFor(t.knex, { user: 'carol', effective: true })).map((x) => x.right).sort(),
    ).toEqual(['in.read', 'out.send']);
    expect((await grants.listFor(t.knex, { mailbox: 'sales-in' })).length).toBe(1);
    expect(await grants.revoke(t.knex, { group: 'sales', mailbox: 'sales-in', right: 'in.read' })).toBe(true);
    expect(await grants.revoke(t.knex, { group: 'sales', mailbox: 'sales-in', right: 'in.read' })).toBe(
      false,
    );
    expect(await groups.removeMember(t.knex, 'sales', 'carol')).toBe(true);
  });
});

describe('config versions', () => {
  it('records content, sha256 and diff; skips unchanged', async () => {
    const v1 = await configVersions.record(t.knex, { author: 'admin', content: 'a: 1\nb: 2\nc: 3\n' });
    expect(v1).toMatchObject({ changed: true, diff: '', author: 'admin' });
    expect(v1.sha256).toMatch(/^[0-9a-f]{64}$/);
    const same = await configVersions.record(t.knex, { author: 'admin', content: 'a: 1\nb: 2\nc: 3\n' });
    expect(same).toMatchObject({ changed: false, version: v1.version });
    const v2 = await configVersions.record(t.knex, {
      author: 'bob',
      content: 'a: 1\nb: 20\nc: 3\n',
      comment: 'b',
    });
    expect(v2.diff).toBe(
      `--- version ${v1.version}\n+++ new\n@@ -1,3 +1,3 @@\n a: 1\n-b: 2\n+b: 20\n c: 3\n`,
    );
    expect((await configVersions.latest(t.knex))?.version).toBe(v2.version);
    expect((await configVersions.list(t.knex)).map((v) => v.version)).toEqual([v2.version, v1.version]);
    await expect(configVersions.get(t.knex, 999)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('faxes and pages', () => {
  it('insert, update state with compare-and-set, pages', async () => {
    const mb = await mailboxes.add(t.knex, { name: 'fx-out', kind: 'outgoing' });
    const owner = await users.add(t.knex, { name: 'fxowner' });
    const f = await faxes.insert(t.knex, {
      direction: 'out',
      state: 'pending',
      mailboxId: mb.id,
      ownerUserId: owner.id,
      remoteNumber: '+4940123',
      pagesTotal: 2,
      metadata: { source: 'api' },
    });
    expect(f).toMatchObject({ state: 'pending', priority: 127, version: 1, metadata: { source: 'api' } });
    const r = await faxes.updateState(
      t.knex,
      f.id,
      'running',
      { line: 'c1/b1', tries: 1 },
      { from: ['pending'] },
    );
    expect(r).toMatchObject({ state: 'running', line: 'c1/b1', tries: 1, version: 2 });
    await expect(faxes.updateState(t.knex, f.id, 'done', {}, { from: ['pending'] })).rejects.toBeInstanceOf(
      StateConflictError,
    );
    await expect(faxes.updateState(t.knex, 424242, 'done')).rejects.toBeInstanceOf(NotFoundError);
    // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong
    await expect(faxes.updateState(t.knex, f.id, 'exploded' as any)).rejects.toBeInstanceOf(
      InvalidInputError,
    );

    const bytes = new Uint8Array([0x49, 0x49, 0x2a, 0x00, 1, 2, 3]);
    const p = await faxPages.add(t.knex, f.id, { pageNo: 1, tiff: bytes, width: 1728, yResolution: 196 });
    expect(p).toMatchObject({ pageNo: 1, bytes: 7, encoding: 'mmr' });
    expect((await faxPages.get(t.knex, f.id, 1)).tiff.equals(Buffer.from(bytes))).toBe(true);
    expect((await faxPages.list(t.knex, f.id)).map((x) => x.pageNo)).toEqual([1]);
    await expect(faxPages.get(t.knex, f.id, 2)).rejects.toBeInstanceOf(NotFoundError);
    expect(await faxPages.deleteAll(t.knex, f.id)).toBe(1);
    expect((await faxes.list(t.knex, { mailboxId: mb.id })).map((x) => x.id)).toEqual([f.id]);
  });
});

describe('transactions', () => {
  it('services take a transaction; rollback undoes them', async () => {
    await expect(
      t.knex.transaction(async (trx) => {
        await users.add(trx, { name: 'temp' });
        await groups.add(trx, { name: 'tempgroup' });
        await groups.addMember(trx, 'tempgroup', 'temp');
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await users.find(t.knex, 'temp')).toBeNull();
    expect(await groups.find(t.knex, 'tempgroup')).toBeNull();
  });
});
