// The rights matrix, cell by cell, against real PostgreSQL: every role × every operation ×
// every target role (or none), from the one table `rightsMatrix()` that docs/rights-matrix.md
// prints. An allowed cell must succeed through the service layer; a refused one must throw
// DirectoryForbiddenError, change nothing and leave exactly one access.denied event.
import { auditMigrations } from '@faxgate/audit';
import { credentials, grants, groups, mailboxes, ROLES, type Role, users } from '@faxgate/store';
import { type MigratedTestDb, migratedTestDb } from '@faxgate/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from './actor.js';
import { DirectoryForbiddenError } from './errors.js';
import { grantRight, listGrants } from './grants.js';
import { createGroup, listGroups, setMember } from './groups.js';
import { setMailRecipient } from './mailbox-mail.js';
import { createMailbox, setNumber } from './mailboxes.js';
import { type MatrixCell, type Operation, rightsMatrix } from './policy.js';
import { createToken, listTokens, revokeToken } from './tokens.js';
import { createUser, listUsers, updateUser } from './users.js';

const PASSWORD = 'matrix password';
const SYSTEM: Actor = { system: 'system:test' };
let t: MigratedTestDb;
const actors = {} as Record<Role, { id: number; name: string }>;
let serial = 0;

beforeAll(async () => {
  t = await migratedTestDb({ extra: [...auditMigrations], poolMax: 4 });
  for (const role of ROLES) {
    const u = await users.add(t.knex, { name: `actor-${role}`, roles: [role], password: PASSWORD });
    actors[role] = { id: u.id, name: u.name };
  }
  await groups.add(t.knex, { name: 'crew' });
  await mailboxes.add(t.knex, { name: 'mb-in', kind: 'incoming' });
}, 60_000);

afterAll(async () => {
  await t?.close();
});

/** A fresh target user holding `roles` (none: an account without roles). */
async function target(roles: Role[]): Promise<{ id: number; name: string }> {
  const u = await users.add(t.knex, { name: `target-${++serial}`, roles });
  return { id: u.id, name: u.name };
}

/** Performs one cell's operation as `actor`. */
async function perform(
  op: Operation,
  actor: Extract<Actor, { id: number }>,
  role: Role | null,
): Promise<unknown> {
  const n = ++serial;
  const r = role as Role;
  switch (op) {
    case 'user.list':
      return listUsers(t.knex, actor);
    case 'user.create':
      return createUser(t.knex, actor, { name: `new-${n}`, roles: [r] });
    case 'user.modify':
      return updateUser(t.knex, actor, (await target([r])).name, { displayName: 'x' });
    case 'user.password':
      return updateUser(t.knex, actor, (await target([r])).name, { password: 'a fresh password' });
    case 'user.disable':
      return updateUser(t.knex, actor, (await target([r])).name, { disabled: true });
    case 'role.assign':
      return updateUser(t.knex, actor, (await target([])).name, { roles: [r] });
    case 'role.revoke': {
      const u = await target([...new Set<Role>([r, 'user'])]);
      return updateUser(t.knex, actor, u.name, { roles: r === 'user' ? [] : ['user'] });
    }
    case 'token.create':
      return createToken(t.knex, actor, { user: (await target([r])).name, name: 'cell' });
    case 'token.list':
      return listTokens(t.knex, actor, (await target([r])).name);
    case 'token.revoke': {
      const u = await target([r]);
      const { credential } = await credentials.issue(t.knex, { kind: 'token', user: u.id, name: 'victim' });
      return revokeToken(t.knex, actor, credential.id);
    }
    case 'group.list':
      return listGroups(t.knex, actor);
    case 'group.create':
      return createGroup(t.knex, actor, { name: `group-${n}` });
    case 'group.member':
      return setMember(t.knex, actor, { group: 'crew', user: (await target([r])).name, add: true });
    case 'grant.list':
      return listGrants(t.knex, actor, { mailbox: 'mb-in' });
    case 'grant.group':
      return grantRight(t.knex, actor, { group: 'crew', mailbox: 'mb-in', right: 'in.read' });
    case 'grant.user':
      return grantRight(t.knex, actor, {
        user: (await target([r])).name,
        mailbox: 'mb-in',
        right: 'in.read',
      });
    case 'mailbox.create':
      return createMailbox(t.knex, actor, { name: `box-${n}`, kind: 'outgoing' });
    case 'mailbox.number':
      return setNumber(t.knex, actor, {
        mailbox: 'mb-in',
        number: `+4930${String(5_000_000 + n)}`,
        add: true,
      });
    case 'mailbox.mail':
      return setMailRecipient(t.knex, actor, { mailbox: 'mb-in', address: `r${n}@example.org`, add: true });
    case 'self.password': {
      const next = `next password ${n}`;
      const old = (
        await t
          .knex('audit_events')
          .where({ type: 'admin.password_set', actor: actor.name })
          .count('* as c')
          .first()
      )?.c;
      const u = await updateUser(t.knex, actor, actor.id, {
        password: next,
        oldPassword: currentPassword[actor.name] ?? PASSWORD,
      });
      currentPassword[actor.name] = next;
      expect(Number(old) + 1).toBe(
        Number(
          (
            await t
              .knex('audit_events')
              .where({ type: 'admin.password_set', actor: actor.name })
              .count('* as c')
              .first()
          )?.c,
        ),
      );
      return u;
    }
    case 'self.token':
      return createToken(t.knex, actor, { name: `mine-${n}` });
    case 'self.modify':
      return updateUser(t.knex, actor, actor.id, { displayName: `me ${n}` });
  }
}
const currentPassword: Record<string, string> = {};

async function deniedCount(name: string): Promise<number> {
  const row = await t
    .knex('audit_events')
    .where({ type: 'access.denied', actor: name })
    .count('* as c')
    .first();
  return Number(row?.c ?? 0);
}

const cells: MatrixCell[] = rightsMatrix();

describe('rights matrix: every role × operation × target role through the service layer', () => {
  it('covers every role, every operation and every target role', () => {
    expect(new Set(cells.map((c) => c.actor)).size).toBe(ROLES.length);
    expect(cells.length).toBeGreaterThan(300);
    // Both answers occur for every acting role that holds user.manage.
    for (const role of ['admin', 'postoffice'] as const) {
      expect(cells.some((c) => c.actor === role && c.allowed)).toBe(true);
    }
    expect(cells.some((c) => c.actor === 'postoffice' && !c.allowed)).toBe(true);
  });

  it.each(cells.map((c) => ({ ...c, t: c.target ?? '—' })))(
    '$actor · $op · $t → $allowed',
    async ({ actor, op, target: role, allowed }) => {
      const a = actors[actor];
      const before = await deniedCount(a.name);
      const run = perform(op, a, role);
      if (allowed) {
        await expect(run).resolves.not.toThrow();
        expect(await deniedCount(a.name)).toBe(before);
      } else {
        await expect(run).rejects.toBeInstanceOf(DirectoryForbiddenError);
        expect(await deniedCount(a.name)).toBe(before + 1);
      }
    },
  );

  it('the system session (first admin, offline) may do everything, audited under its name', async () => {
    const u = await createUser(t.knex, SYSTEM, { name: 'first-admin', roles: ['admin'], password: PASSWORD });
    expect(u.roles).toEqual(['admin']);
    const ev = await t
      .knex('audit_events')
      .where({ type: 'admin.user_add', subject: 'user:first-admin' })
      .first();
    expect(ev.actor).toBe('system:test');
    expect(ev.details.via).toBe('system');
  });

  it('a refusal changes nothing, even when the refused part comes last', async () => {
    const po = actors.postoffice;
    const u = await target(['user']);
    await expect(
      updateUser(t.knex, po, u.name, { displayName: 'changed', roles: ['user', 'admin'] }),
    ).rejects.toBeInstanceOf(DirectoryForbiddenError);
    const after = await users.get(t.knex, u.id);
    expect(after.displayName).toBe('');
    expect(after.roles).toEqual(['user']);
  });

  it('a disabled or unknown actor may do nothing', async () => {
    const gone = await users.add(t.knex, { name: 'gone-admin', roles: ['admin'] });
    await users.disable(t.knex, gone.id);
    await expect(listUsers(t.knex, { id: gone.id, name: gone.name })).rejects.toBeInstanceOf(
      DirectoryForbiddenError,
    );
    await expect(listUsers(t.knex, { id: 999_999, name: 'ghost' })).rejects.toBeInstanceOf(
      DirectoryForbiddenError,
    );
    expect(await deniedCount('ghost')).toBe(1);
    // Grants and memberships of the refused operations were not made.
    expect((await grants.listFor(t.knex, { group: 'crew' })).length).toBeLessThanOrEqual(1);
  });
});
