// The demo seed against a real PostgreSQL: one login per role with the rights the demo
// promises, every change audited, and a second run that repairs what someone changed
// (role, disabled) instead of failing or duplicating.
import { auditMigrations } from '@faxgate/audit';
import { can, ROLES, users } from '@faxgate/store';
import { type MigratedTestDb, migratedTestDb } from '@faxgate/store/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEMO_USERS, seedDemo } from './seed.js';

let t: MigratedTestDb;
beforeAll(async () => {
  t = await migratedTestDb({ extra: auditMigrations });
});
afterAll(async () => {
  await t?.close();
});

it('seeds one login per role; the demo user sends from demo-out and reads demo-in through its group', async () => {
  const first = await seedDemo(t.knex, 'demo:test');
  expect(first.logins.map((l) => l.role).sort()).toEqual([...ROLES].sort());
  for (const l of first.logins)
    expect((await users.verifyPassword(t.knex, l.name, l.password)).ok).toBe(true);

  const { 'demo-out': out, 'demo-in': inbox, 'demo-postoffice': postoffice } = first.mailboxes;
  expect(await can(t.knex, 'demo-user', 'out.send', out)).toBe(true);
  expect(await can(t.knex, 'demo-user', 'in.read', inbox)).toBe(true);
  expect(await can(t.knex, 'demo-user', 'in.read', postoffice)).toBe(false);
  expect(await can(t.knex, 'demo-auditor', 'in.read', inbox)).toBe(false);
  expect(await can(t.knex, 'demo-postoffice', 'in.read', postoffice)).toBe(true);

  const events = await t.knex('audit_events').where('actor', 'demo:test').pluck('type');
  expect(events.filter((e) => e === 'admin.user_add')).toHaveLength(DEMO_USERS.length);
  expect(events).toContain('admin.grant');
});

it('a second run reuses everything, gives new passwords, restores the role and enables a disabled login', async () => {
  await users.assignRole(t.knex, 'demo-user', 'admin');
  await users.disable(t.knex, 'demo-operator');
  const before = await t.knex('users').count<{ count: number }[]>('* as count');

  const again = await seedDemo(t.knex, 'demo:test');
  expect(again.created).toEqual([]);
  expect(await t.knex('users').count<{ count: number }[]>('* as count')).toEqual(before);
  expect((await users.get(t.knex, 'demo-user')).roles).toEqual(['user']);
  const operator = again.logins.find((l) => l.name === 'demo-operator')!;
  expect(await users.verifyPassword(t.knex, operator.name, operator.password)).toMatchObject({ ok: true });

  const types = await t.knex('audit_events').orderBy('id', 'desc').limit(8).pluck('type');
  expect(types).toEqual(
    expect.arrayContaining(['admin.role_revoke', 'admin.user_enable', 'admin.password_set']),
  );
});
