// User, group, mailbox and grant commands as an admin runs them: the real CLI with the
// admin's token against the gateway API on a real PostgreSQL. Each success path changes the
// store and writes its audit event naming the admin; each bad input exits 2 and changes
// nothing; a user without the right is refused (exit 2) and the refusal is on record.
import { users } from '@faxgate/store';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { auditEvents, type CliApiFixture, cliApiFixture, snapshot } from '../test-support/cli-fixture.js';

// Every test runs the CLI as processes of their own, several times: slow on a busy machine.
vi.setConfig({ testTimeout: 240_000 });
let f: CliApiFixture;
const ADMIN = 'root-admin';

beforeAll(async () => {
  f = await cliApiFixture('logging:\n  level: warn\n', { queue: false });
  await users.add(f.db, { name: ADMIN, roles: ['admin'] });
}, 60_000);
afterAll(async () => {
  await f?.close();
});

/** The admin runs a command. */
const run = (args: string[], input?: string) => f.as(ADMIN, args, input);

/** Runs a command that must fail with exit 2 and leave every table exactly as it was. */
async function expectRefusedUnchanged(args: string[], message: RegExp, input?: string, as = ADMIN) {
  const before = await snapshot(f.db, ['credentials']);
  const r = await f.as(as, args, input);
  expect(r.stderr).toMatch(message);
  expect(r.code).toBe(2);
  expect(await snapshot(f.db, ['credentials'])).toEqual(before);
}

describe('faxgate user', () => {
  const password = 'correct horse battery staple';

  it('adds a user with a password from stdin, audited without the password', async () => {
    const r = await run(
      ['user', 'add', 'alice', '--role', 'user', '--password-stdin', '--json'],
      `${password}\n`,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ name: 'alice', roles: ['user'], hasPassword: true });
    expect((await users.verifyPassword(f.db, 'alice', password)).ok).toBe(true);
    const [ev] = (await auditEvents(f.db)).filter((e) => e.type === 'admin.user_add');
    expect(ev).toMatchObject({ actor: ADMIN, subject: 'user:alice' });
    expect(JSON.stringify(await auditEvents(f.db))).not.toContain(password);
  });

  it('refuses an unknown role, a taken name and a bad name without changing anything', async () => {
    await expectRefusedUnchanged(['user', 'add', 'bob', '--role', 'wizard'], /unknown role "wizard"/);
    await expectRefusedUnchanged(['user', 'add', 'alice'], /already exists/);
    await expectRefusedUnchanged(['user', 'add', '-x'], /error|unknown option/i);
  });

  it('sets a password from stdin; an unknown user and a short password are refused', async () => {
    const r = await run(['user', 'passwd', 'alice', '--password-stdin'], 'another long secret\n');
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
      /password must .*8 characters/, // the API's minimum
      'short',
    );
  });

  it('disables a user; an unknown user is refused', async () => {
    await run(['user', 'add', 'carol']);
    const r = await run(['user', 'disable', 'carol']);
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
      const r = await run(args);
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
    expect((await run(['revoke', 'in.read', '--mailbox', 'sales-in', '--group', 'sales'])).code).toBe(0);
    expect(await f.db('grants').count({ n: '*' })).toEqual([{ n: 0 }]);
    expect((await run(['group', 'member', 'sales', 'dave', '--remove'])).code).toBe(0);
    const types = (await auditEvents(f.db)).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['admin.revoke', 'admin.member_remove']));
  });
});

describe('rights of the token user', () => {
  it('names the user in the audit trail and applies its rights', async () => {
    expect((await run(['user', 'add', 'postie', '--role', 'postoffice'])).code).toBe(0);
    const r = await f.as('postie', ['group', 'add', 'support']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const ev = (await auditEvents(f.db)).find(
      (e) => e.type === 'admin.group_add' && e.subject === 'group:support',
    );
    expect(ev?.actor).toBe('postie');
  });

  it('refuses a user without the right, records the refusal and changes nothing else', async () => {
    const usersBefore = await f.db('users').count({ n: '*' });
    const r = await f.as('dave', ['user', 'add', 'mallory']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^faxgate: dave may not create user mallory/);
    expect(await f.db('users').count({ n: '*' })).toEqual(usersBefore);
    const denied = (await auditEvents(f.db)).filter((e) => e.type === 'access.denied');
    expect(denied.at(-1)).toMatchObject({ actor: 'dave' });
  });

  it('keeps admin power with admins: the post office may not create admins or touch an admin', async () => {
    expect((await run(['user', 'add', 'ada', '--role', 'admin'])).code).toBe(0);
    const usersBefore = await f.db('users').orderBy('id').select('name', 'disabled', 'password_hash');
    const deniedBefore = (await auditEvents(f.db)).filter((e) => e.type === 'access.denied').length;
    for (const args of [
      ['user', 'add', 'boss', '--role', 'admin'],
      ['user', 'passwd', 'ada', '--password-stdin'],
      ['user', 'disable', 'ada'],
    ]) {
      const r = await f.as('postie', args, 'a long enough password\n');
      expect(r.stderr).toMatch(/^faxgate: postie may not /);
      expect(r.code).toBe(2);
    }
    expect(await f.db('users').orderBy('id').select('name', 'disabled', 'password_hash')).toEqual(
      usersBefore,
    );
    const denied = (await auditEvents(f.db)).filter((e) => e.type === 'access.denied');
    expect(denied.slice(deniedBefore).map((e) => e.actor)).toEqual(['postie', 'postie', 'postie']);
    const r = await f.as('ada', ['user', 'add', 'boss', '--role', 'admin']);
    expect(r.code).toBe(0);
  });
});
