// User, group, mailbox and grant commands against a real PostgreSQL: each success path
// changes the store and writes its audit event; each bad input exits 2 and changes nothing.
import os from 'node:os';
import { users } from '@faxgate/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, type CliFixture, cliFixture, snapshot } from '../test-support/cli-fixture.js';

let f: CliFixture;
const osActor = `cli:${os.userInfo().username}`;

beforeAll(async () => {
  f = await cliFixture();
  const r = await f.run(['db', 'migrate']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
});
afterAll(async () => {
  await f?.close();
});

/** Runs a command that must fail with exit 2 and leave every table exactly as it was. */
async function expectRefusedUnchanged(args: string[], message: RegExp, input?: string) {
  const before = await snapshot(f.db);
  const r = await f.run(args, input);
  expect(r.stderr).toMatch(message);
  expect(r.code).toBe(2);
  expect(await snapshot(f.db)).toEqual(before);
}

describe('faxgate db migrate', () => {
  it('is idempotent', async () => {
    const r = await f.run(['db', 'migrate', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ applied: [] });
  });
});

describe('faxgate user', () => {
  const password = 'correct horse battery staple';

  it('adds a user with a password from stdin, audited without the password', async () => {
    const r = await f.run(
      ['user', 'add', 'alice', '--role', 'user', '--password-stdin', '--json'],
      `${password}\n`,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ name: 'alice', roles: ['user'], hasPassword: true });
    expect((await users.verifyPassword(f.db, 'alice', password)).ok).toBe(true);
    const [ev] = (await auditEvents(f.db)).filter((e) => e.type === 'admin.user_add');
    expect(ev).toMatchObject({ actor: osActor, subject: 'user:alice' });
    expect(JSON.stringify(await auditEvents(f.db))).not.toContain(password);
  });

  it('refuses an unknown role, a taken name and a bad name without changing anything', async () => {
    await expectRefusedUnchanged(['user', 'add', 'bob', '--role', 'wizard'], /unknown role "wizard"/);
    await expectRefusedUnchanged(['user', 'add', 'alice'], /already exists/);
    await expectRefusedUnchanged(['user', 'add', '-x'], /error|unknown option/i);
  });

  it('sets a password from stdin; an unknown user is refused before anything is read', async () => {
    const r = await f.run(['user', 'passwd', 'alice', '--password-stdin'], 'another long secret\n');
    expect(r.code).toBe(0);
    expect((await users.verifyPassword(f.db, 'alice', 'another long secret')).ok).toBe(true);
    expect((await auditEvents(f.db)).map((e) => e.type)).toContain('admin.password_set');
    await expectRefusedUnchanged(
      ['user', 'passwd', 'nobody', '--password-stdin'],
      /user "nobody" does not exist/,
      'x'.repeat(12),
    );
    await expectRefusedUnchanged(
      ['user', 'passwd', 'alice', '--password-stdin'],
      /at least 8 characters/,
      'short',
    );
  });

  it('disables a user; an unknown user is refused', async () => {
    await f.run(['user', 'add', 'carol']);
    const r = await f.run(['user', 'disable', 'carol']);
    expect(r.code).toBe(0);
    expect((await users.get(f.db, 'carol')).disabled).toBe(true);
    expect((await auditEvents(f.db)).filter((e) => e.type === 'admin.user_disable')).toHaveLength(1);
    await expectRefusedUnchanged(['user', 'disable', 'nobody'], /user "nobody" does not exist/);
  });
});

describe('faxgate group, mailbox, grant, revoke', () => {
  it('builds groups, mailboxes and grants, each audited', async () => {
    for (const args of [
      ['user', 'add', 'dave'],
      ['group', 'add', 'sales'],
      ['group', 'member', 'sales', 'dave'],
      ['mailbox', 'add', 'sales-in', '--kind', 'incoming', '--number', '+49 30 1234-0', '+49301234100'],
      ['grant', 'in.read', '--mailbox', 'sales-in', '--group', 'sales'],
    ]) {
      const r = await f.run(args);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
    const types = (await auditEvents(f.db)).map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining(['admin.group_add', 'admin.member_add', 'admin.mailbox_add', 'admin.grant']),
    );
    const rows = await f.db('grants').select('right');
    expect(rows).toEqual([{ right: 'in.read' }]);
    const nums: string[] = await f.db('mailbox_numbers').pluck('number');
    expect(nums.sort()).toEqual(['+493012340', '+49301234100']);
  });

  it('refuses unknown users, groups, mailboxes and rights without changing anything', async () => {
    await expectRefusedUnchanged(['group', 'member', 'sales', 'nobody'], /user "nobody" does not exist/);
    await expectRefusedUnchanged(['group', 'member', 'nogroup', 'dave'], /group "nogroup" does not exist/);
    await expectRefusedUnchanged(['mailbox', 'add', 'x', '--kind', 'sideways'], /sideways/);
    await expectRefusedUnchanged(
      ['mailbox', 'add', 'dup', '--kind', 'incoming', '--number', '+493012340'],
      /already belongs/,
    );
    await expectRefusedUnchanged(
      ['grant', 'in.fly', '--mailbox', 'sales-in', '--group', 'sales'],
      /unknown right "in.fly"/,
    );
    await expectRefusedUnchanged(
      ['grant', 'in.read', '--mailbox', 'nobox', '--group', 'sales'],
      /mailbox "nobox" does not exist/,
    );
    await expectRefusedUnchanged(
      ['grant', 'in.read', '--mailbox', 'sales-in', '--user', 'nobody'],
      /user "nobody" does not exist/,
    );
    await expectRefusedUnchanged(
      ['grant', 'out.send', '--mailbox', 'sales-in', '--group', 'sales'],
      /out\.send/,
    );
    await expectRefusedUnchanged(
      ['grant', 'in.read', '--mailbox', 'sales-in'],
      /exactly one of --user or --group/,
    );
    await expectRefusedUnchanged(
      ['revoke', 'in.read', '--mailbox', 'sales-in', '--group', 'nogroup'],
      /group "nogroup" does not exist/,
    );
  });

  it('revokes a grant and removes a member', async () => {
    expect((await f.run(['revoke', 'in.read', '--mailbox', 'sales-in', '--group', 'sales'])).code).toBe(0);
    expect(await f.db('grants').count({ n: '*' })).toEqual([{ n: 0 }]);
    expect((await f.run(['group', 'member', 'sales', 'dave', '--remove'])).code).toBe(0);
    const types = (await auditEvents(f.db)).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['admin.revoke', 'admin.member_remove']));
  });
});

describe('--as USER', () => {
  it('names the user in the audit trail and applies its rights', async () => {
    expect((await f.run(['user', 'add', 'postie', '--role', 'postoffice'])).code).toBe(0);
    const r = await f.run(['--as', 'postie', 'group', 'add', 'support']);
    expect(r.code).toBe(0);
    const ev = (await auditEvents(f.db)).find(
      (e) => e.type === 'admin.group_add' && e.subject === 'group:support',
    );
    expect(ev?.actor).toBe('postie');
  });

  it('refuses a user without the right, records the refusal and changes nothing else', async () => {
    const usersBefore = await f.db('users').count({ n: '*' });
    const r = await f.run(['--as', 'dave', 'user', 'add', 'mallory']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/dave may not add users \(needs user\.manage\)/);
    expect(await f.db('users').count({ n: '*' })).toEqual(usersBefore);
    const denied = (await auditEvents(f.db)).filter((e) => e.type === 'access.denied');
    expect(denied.at(-1)).toMatchObject({ actor: 'dave' });
  });

  it('keeps admin power with admins: the post office may not create admins or touch an admin', async () => {
    expect((await f.run(['user', 'add', 'ada', '--role', 'admin'])).code).toBe(0);
    const usersBefore = await f.db('users').orderBy('id').select('name', 'disabled', 'password_hash');
    for (const [args, msg] of [
      [
        ['user', 'add', 'boss', '--role', 'admin'],
        /postie may not add a user with roles admin \(needs the admin role\)/,
      ],
      [['user', 'passwd', 'ada', '--password-stdin'], /postie may not set the password of ada/],
      [['user', 'disable', 'ada'], /postie may not disable ada/],
    ] as const) {
      const r = await f.run(['--as', 'postie', ...args], 'a long enough password\n');
      expect(r.stderr).toMatch(msg);
      expect(r.code).toBe(2);
    }
    expect(await f.db('users').orderBy('id').select('name', 'disabled', 'password_hash')).toEqual(
      usersBefore,
    );
    const r = await f.run(['--as', 'ada', 'user', 'add', 'boss', '--role', 'admin']);
    expect(r.code).toBe(0);
  });

  it('refuses an unknown --as user without changing anything', async () => {
    await expectRefusedUnchanged(['--as', 'ghost', 'group', 'add', 'x'], /--as: user "ghost" does not exist/);
  });
});
