// The rights matrix (M 2.179) against real PostgreSQL: every right × every kind of actor,
// each right on a mailbox of its own so that no right implies another.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { can, canReadLogs, decide, effectiveRights, loadFacts } from './authz.js';
import { InvalidInputError } from './errors.js';
import { type Capability, MAILBOX_RIGHTS, type MailboxRight, rightKind } from './model.js';
import * as grants from './services/grants.js';
import * as groups from './services/groups.js';
import * as mailboxes from './services/mailboxes.js';
import * as users from './services/users.js';
import { type MigratedTestDb, migratedTestDb } from './test-support/db.js';
import { canReadMetadata } from './visibility.js';

type ActorKind = 'owner' | 'member' | 'nonmember' | 'postoffice' | 'admin' | 'auditor' | 'disabled';

/** Whether the actor may exercise the right on the mailbox made for that very right. */
const EXPECTED: Record<ActorKind, boolean> = {
  owner: true, // user grant
  member: true, // group grant
  nonmember: false,
  postoffice: true,
  admin: true,
  auditor: false, // never content, even with a grant
  disabled: false, // has both grants, but is disabled
};

const ACTORS = Object.keys(EXPECTED) as ActorKind[];

let t: MigratedTestDb;
const ids = {} as Record<ActorKind, number>;
const mailboxOf = {} as Record<MailboxRight, number>;

beforeAll(async () => {
  t = await migratedTestDb();
  ids.owner = (await users.add(t.knex, { name: 'owner' })).id;
  ids.member = (await users.add(t.knex, { name: 'member' })).id;
  ids.nonmember = (await users.add(t.knex, { name: 'nonmember' })).id;
  ids.postoffice = (await users.add(t.knex, { name: 'po', roles: ['postoffice'] })).id;
  ids.admin = (await users.add(t.knex, { name: 'admin', roles: ['admin'] })).id;
  ids.auditor = (await users.add(t.knex, { name: 'auditor', roles: ['auditor'] })).id;
  ids.disabled = (await users.add(t.knex, { name: 'gone' })).id;
  await groups.add(t.knex, { name: 'team' });
  await groups.add(t.knex, { name: 'others' });
  await groups.addMember(t.knex, 'team', 'member');
  await groups.addMember(t.knex, 'team', 'gone');
  await groups.addMember(t.knex, 'others', 'nonmember');
  for (const right of MAILBOX_RIGHTS) {
    const name = `mb-${right.replace('.', '-')}`;
    const mb = await mailboxes.add(t.knex, { name, kind: rightKind(right) });
    mailboxOf[right] = mb.id;
    await grants.grant(t.knex, { user: 'owner', mailbox: name, right });
    await grants.grant(t.knex, { user: 'auditor', mailbox: name, right });
    await grants.grant(t.knex, { user: 'gone', mailbox: name, right });
    await grants.grant(t.knex, { group: 'team', mailbox: name, right });
  }
  await users.disable(t.knex, 'gone');
});

afterAll(async () => {
  await t?.close();
});

describe('rights matrix', () => {
  const cases = MAILBOX_RIGHTS.flatMap((right) => ACTORS.map((actor) => ({ right, actor })));

  it.each(cases)('$right × $actor', async ({ right, actor }) => {
    // On the mailbox made for this right: as in EXPECTED.
    expect(await can(t.knex, ids[actor], right, mailboxOf[right])).toBe(EXPECTED[actor]);
    // On every other mailbox of the same kind only postoffice and admin reach it: no right implies another.
    for (const other of MAILBOX_RIGHTS) {
      if (other === right || rightKind(other) !== rightKind(right)) continue;
      expect(await can(t.knex, ids[actor], right, mailboxOf[other])).toBe(
        actor === 'postoffice' || actor === 'admin',
      );
    }
    // On a mailbox of the other kind: nobody.
    const wrongKind = MAILBOX_RIGHTS.find((r) => rightKind(r) !== rightKind(right))!;
    expect(await can(t.knex, ids[actor], right, mailboxOf[wrongKind])).toBe(false);
    // The pure core gives the same answer from the same facts.
    expect(decide(await loadFacts(t.knex, ids[actor], mailboxOf[right]), right)).toBe(EXPECTED[actor]);
  });

  it('actors may be given by id, by name or as { id }', async () => {
    expect(await can(t.knex, 'owner', 'in.read', mailboxOf['in.read'])).toBe(true);
    expect(await can(t.knex, { id: ids.member }, 'out.send', mailboxOf['out.send'])).toBe(true);
  });

  it('revoking a grant or a membership takes effect at once', async () => {
    await grants.revoke(t.knex, { user: 'owner', mailbox: mailboxOf['out.stop'], right: 'out.stop' });
    expect(await can(t.knex, ids.owner, 'out.stop', mailboxOf['out.stop'])).toBe(false);
    await grants.grant(t.knex, { user: 'owner', mailbox: mailboxOf['out.stop'], right: 'out.stop' });
    await groups.removeMember(t.knex, 'team', 'member');
    expect(await can(t.knex, ids.member, 'out.stop', mailboxOf['out.stop'])).toBe(false);
    await groups.addMember(t.knex, 'team', 'member');
    expect(await can(t.knex, ids.member, 'out.stop', mailboxOf['out.stop'])).toBe(true);
  });

  it('unknown actor or mailbox → no; unknown right → typed error', async () => {
    expect(await can(t.knex, 999_999, 'in.read', mailboxOf['in.read'])).toBe(false);
    expect(await can(t.knex, 'nobody', 'in.read', mailboxOf['in.read'])).toBe(false);
    expect(await can(t.knex, ids.admin, 'in.read', 999_999)).toBe(false);
    // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong
    await expect(can(t.knex, ids.admin, 'in.print' as any, mailboxOf['in.read'])).rejects.toBeInstanceOf(
      InvalidInputError,
    );
    await expect(can(t.knex, ids.admin, 'in.read')).rejects.toBeInstanceOf(InvalidInputError);
  });

  it('effective rights and metadata reads', async () => {
    expect(await effectiveRights(t.knex, ids.postoffice, mailboxOf['in.read'])).toEqual([
      'in.read',
      'in.forward',
      'in.delete',
    ]);
    expect(await effectiveRights(t.knex, ids.owner, mailboxOf['in.forward'])).toEqual(['in.forward']);
    expect(await effectiveRights(t.knex, ids.auditor, mailboxOf['in.forward'])).toEqual([]);
    expect(await canReadMetadata(t.knex, ids.auditor, mailboxOf['in.read'])).toBe(true);
    expect(await canReadMetadata(t.knex, ids.owner, mailboxOf['in.read'])).toBe(true);
    expect(await canReadMetadata(t.knex, ids.nonmember, mailboxOf['in.read'])).toBe(false);
    expect(await canReadMetadata(t.knex, ids.disabled, mailboxOf['in.read'])).toBe(false);
  });
});

describe('capability matrix', () => {
  // Written out by hand (not derived from CAPABILITY_ROLES), so a change there must be deliberate.
  const roles = ['admin', 'postoffice', 'operator', 'auditor', 'user'] as const;
  const MATRIX: Record<Capability, string> = {
    //               admin po operator auditor user
    'user.manage': 'A P - - -',
    'mailbox.manage': 'A P - - -',
    'config.manage': 'A - - - -',
    'config.read': 'A - - U -',
    'log.read': 'A P - U -',
    'audit.read': 'A - - U -',
    'metadata.read': 'A P - U -',
    'queue.read': 'A P O U -',
    'queue.manage': 'A P O - -',
    'line.read': 'A P O U -',
    'line.manage': 'A P O - -',
    'spool.access': 'A P - - -',
    'retention.manage': 'A P - - -',
  };
  const cases = Object.entries(MATRIX).flatMap(([cap, row]) =>
    roles.map((role, i) => ({ cap: cap as Capability, role, allowed: row.split(' ')[i] !== '-' })),
  );

  it.each(cases)('$cap × $role → $allowed', async ({ cap, role, allowed }) => {
    const name = `r-${role}`;
    const u = (await users.find(t.knex, name)) ?? (await users.add(t.knex, { name, roles: [role] }));
    expect(await can(t.knex, u.id, cap)).toBe(allowed);
    expect(decide({ user: { disabled: true, roles: [role] } }, cap)).toBe(false);
  });

  it('log reads: auditor, postoffice, admin only', async () => {
    expect(await canReadLogs(t.knex, ids.auditor)).toBe(true);
    expect(await canReadLogs(t.knex, ids.postoffice)).toBe(true);
    expect(await canReadLogs(t.knex, ids.admin)).toBe(true);
    expect(await canReadLogs(t.knex, ids.owner)).toBe(false);
  });
});
