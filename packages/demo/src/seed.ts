// The demo's people and mailboxes: one user per role, an outgoing and an incoming mailbox
// for the demo user (rights through a group, the rule of M 2.179) and the demo's fax post
// office. Idempotent: what exists is reused; every run gives the demo users new passwords.
// Each change is stored together with its audit event, as the CLI does it.
import { randomBytes } from 'node:crypto';
import { type AuditEventType, appendAuditEvent } from '@faxgate/audit';
import {
  type Db,
  grants,
  groups,
  inTransaction,
  type Knex,
  type MailboxKind,
  type MailboxRight,
  mailboxes,
  type Role,
  users,
} from '@faxgate/store';
import { DEMO_NUMBERS } from './config.js';

export interface DemoUser {
  name: string;
  role: Role;
  /** What this login shows, for the printed list. */
  shows: string;
}

export const DEMO_USERS: readonly DemoUser[] = [
  { name: 'demo-admin', role: 'admin', shows: 'everything, incl. configuration' },
  { name: 'demo-postoffice', role: 'postoffice', shows: 'every mailbox, users and grants' },
  { name: 'demo-operator', role: 'operator', shows: 'queue and lines, no fax content' },
  { name: 'demo-auditor', role: 'auditor', shows: 'audit trail and send/receive log, no fax content' },
  { name: 'demo-user', role: 'user', shows: 'sends from demo-out, reads demo-in' },
];

export const DEMO_MAILBOXES: ReadonlyArray<{ name: string; kind: MailboxKind; numbers: string[] }> = [
  { name: 'demo-out', kind: 'outgoing', numbers: [DEMO_NUMBERS.outbox] },
  { name: 'demo-in', kind: 'incoming', numbers: [DEMO_NUMBERS.inbox] },
  { name: 'demo-postoffice', kind: 'incoming', numbers: [] },
];

export const DEMO_GROUP = 'demo-users';
const GROUP_RIGHTS: ReadonlyArray<{ mailbox: string; rights: MailboxRight[] }> = [
  { mailbox: 'demo-out', rights: ['out.send', 'out.stop', 'out.modify', 'out.delete'] },
  { mailbox: 'demo-in', rights: ['in.read', 'in.forward', 'in.delete'] },
];

export interface DemoLogin {
  name: string;
  role: Role;
  shows: string;
  password: string;
}

export interface SeedResult {
  logins: DemoLogin[];
  /** Mailbox ids by name. */
  mailboxes: Record<string, number>;
  /** What this run created or changed (besides the passwords), e.g. "user demo-admin". */
  created: string[];
}

/** Runs `fn` and records its audit event in the same transaction; `fn` returns null when nothing changed. */
async function audited(
  db: Knex,
  actor: string,
  type: AuditEventType,
  fn: (trx: Db) => Promise<{ subject: string; details?: Record<string, unknown> } | null>,
): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    const event = await fn(trx);
    if (event) await appendAuditEvent(trx, { type, actor, ...event });
    return event !== null;
  });
}

/** 72 random bits, URL-safe: typed in a login form or a curl command without quoting. */
export function demoPassword(): string {
  return `demo-${randomBytes(9).toString('base64url')}`;
}

async function seedUser(db: Knex, actor: string, u: DemoUser, created: string[]): Promise<string> {
  const password = demoPassword();
  const existing = await users.find(db, u.name);
  if (!existing) {
    await audited(db, actor, 'admin.user_add', async (trx) => {
      const added = await users.add(trx, {
        name: u.name,
        roles: [u.role],
        password,
        displayName: `Demo ${u.role}`,
      });
      return { subject: `user:${added.name}`, details: { roles: added.roles, password: true, demo: true } };
    });
    created.push(`user ${u.name}`);
    return password;
  }
  // Reused: exactly its demo role (so each login shows what its role may), enabled, a new password.
  if (!existing.roles.includes(u.role)) {
    await audited(db, actor, 'admin.role_assign', async (trx) =>
      (await users.assignRole(trx, existing.id, u.role))
        ? { subject: `user:${u.name}`, details: { role: u.role } }
        : null,
    );
    created.push(`role ${u.role} of ${u.name}`);
  }
  for (const role of existing.roles.filter((r) => r !== u.role)) {
    await audited(db, actor, 'admin.role_revoke', async (trx) =>
      (await users.revokeRole(trx, existing.id, role))
        ? { subject: `user:${u.name}`, details: { role } }
        : null,
    );
  }
  if (existing.disabled) {
    await audited(db, actor, 'admin.user_enable', async (trx) => {
      await users.enable(trx, existing.id);
      return { subject: `user:${u.name}` };
    });
  }
  await audited(db, actor, 'admin.password_set', async (trx) => {
    await users.setPassword(trx, existing.id, password);
    return { subject: `user:${u.name}`, details: { demo: true } };
  });
  return password;
}

async function seedMailbox(
  db: Knex,
  actor: string,
  m: (typeof DEMO_MAILBOXES)[number],
  created: string[],
): Promise<number> {
  const existing = await mailboxes.find(db, m.name);
  if (existing && existing.kind !== m.kind) {
    throw new Error(`mailbox ${m.name} exists as ${existing.kind}, the demo needs it ${m.kind}: rename it`);
  }
  if (!existing) {
    const box = await inTransaction(db, async (trx) => {
      const added = await mailboxes.add(trx, {
        name: m.name,
        kind: m.kind,
        numbers: m.numbers,
        description: 'faxgate demo',
      });
      await appendAuditEvent(trx, {
        type: 'admin.mailbox_add',
        actor,
        subject: `mailbox:${added.name}`,
        details: { kind: added.kind, numbers: added.numbers, demo: true },
      });
      return added;
    });
    created.push(`mailbox ${m.name}`);
    return box.id;
  }
  for (const number of m.numbers) {
    if (existing.numbers.includes(mailboxes.normaliseNumber(number))) continue;
    await audited(db, actor, 'admin.number_add', async (trx) => {
      await mailboxes.addNumber(trx, existing.id, number);
      return { subject: `mailbox:${m.name}`, details: { number } };
    });
    created.push(`number ${number} of ${m.name}`);
  }
  return existing.id;
}

/** Creates or reuses the demo's users, mailboxes, group and grants; the database must be migrated. */
export async function seedDemo(db: Knex, actor: string): Promise<SeedResult> {
  const created: string[] = [];
  const ids: Record<string, number> = {};
  for (const m of DEMO_MAILBOXES) ids[m.name] = await seedMailbox(db, actor, m, created);

  const logins: DemoLogin[] = [];
  for (const u of DEMO_USERS) logins.push({ ...u, password: await seedUser(db, actor, u, created) });

  if (!(await groups.find(db, DEMO_GROUP))) {
    await audited(db, actor, 'admin.group_add', async (trx) => {
      await groups.add(trx, { name: DEMO_GROUP, description: 'faxgate demo users' });
      return { subject: `group:${DEMO_GROUP}` };
    });
    created.push(`group ${DEMO_GROUP}`);
  }
  await audited(db, actor, 'admin.member_add', async (trx) =>
    (await groups.addMember(trx, DEMO_GROUP, 'demo-user'))
      ? { subject: `group:${DEMO_GROUP}`, details: { user: 'demo-user' } }
      : null,
  );
  for (const { mailbox, rights } of GROUP_RIGHTS) {
    for (const right of rights) {
      const granted = await audited(db, actor, 'admin.grant', async (trx) =>
        (await grants.grant(trx, { group: DEMO_GROUP, mailbox, right })).created
          ? { subject: `mailbox:${mailbox}`, details: { right, mailbox, grantee: `group:${DEMO_GROUP}` } }
          : null,
      );
      if (granted) created.push(`grant ${right} on ${mailbox}`);
    }
  }
  return { logins, mailboxes: ids, created };
}
