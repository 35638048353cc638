// faxgate db setup | migrate | bootstrap-admin: the offline commands, as an admin runs them.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Knex, openDatabase } from '@faxgate/store';
import { createTestDatabase, DEFAULT_DATABASE_URL, type TestDatabase } from '@faxgate/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, runFaxgate } from '../../testing/run-cli.js';
import { appRoleOf } from './db.js';

const tag = randomBytes(4).toString('hex');
const ownerRole = `fg_c_owner_${tag}`;
const appRole = `fg_c_app_${tag}`;
const osUser = os.userInfo().username;

let testDb: TestDatabase;
let admin: Knex;
let dir: string;
let ownerFile: string;
let configFile: string;
let appUrl = '';

/** The CLI with a configuration of database.url = the app role and ownerUrlFile = ownerFile. */
function run(args: string[], input?: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return runFaxgate(
    args,
    { FAXGATE_CONFIG: configFile, FAXGATE_DATABASE_URL: appUrl || testDb.url, ...extraEnv },
    input,
  );
}

function writeConfig(database: Record<string, unknown>): void {
  fs.writeFileSync(configFile, JSON.stringify({ logging: { level: 'warn' }, database }));
}

const events = (type: string) =>
  admin('audit_events').where({ type }).orderBy('id').select('actor', 'subject', 'details');

beforeAll(async () => {
  testDb = await createTestDatabase('faxgate_dbcli');
  admin = openDatabase(testDb.url, { poolMax: 2 });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-dbcli-'));
  fs.chmodSync(dir, 0o755); // the unprivileged-user test must reach the config, not the owner URL
  ownerFile = path.join(dir, 'owner.url');
  configFile = path.join(dir, 'faxgate.yaml');
  writeConfig({ ownerUrlFile: ownerFile });
  fs.chmodSync(configFile, 0o644);
});

afterAll(async () => {
  await admin?.destroy();
  await testDb?.drop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  const root = openDatabase(process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL, { poolMax: 1 });
  try {
    for (const r of [appRole, ownerRole]) await root.raw(`DROP ROLE IF EXISTS ${r}`);
  } finally {
    await root.destroy();
  }
});

describe('faxgate db setup', () => {
  const setupArgs = () => [
    'db',
    'setup',
    '--admin-url-stdin',
    '--owner-role',
    ownerRole,
    '--app-role',
    appRole,
    '--write-owner-url',
    ownerFile,
  ];

  it('creates the roles, migrates as the owner, writes the owner URL 0600 and prints the app URL', async () => {
    const r = await run(setupArgs(), `${testDb.url}\n`);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      `owner role ${ownerRole}, application role ${appRole} (created ${ownerRole}, ${appRole})`,
    );
    expect(r.stdout).toMatch(/migrations: applied 0001_core/);
    const m = r.stdout.match(/^ {2}(postgres:\/\/\S+)$/m);
    expect(m).not.toBeNull();
    appUrl = m?.[1] ?? '';
    expect(new URL(appUrl).username).toBe(appRole);
    expect(new URL(appUrl).password).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(new URL(appUrl).pathname).toBe(`/${testDb.name}`);
    expect(fs.statSync(ownerFile).mode & 0o777).toBe(0o600);
    const owner = new URL(fs.readFileSync(ownerFile, 'utf8').trim());
    expect(owner.username).toBe(ownerRole);
    expect(owner.password).not.toBe('');
    expect(r.stdout).not.toContain(owner.password); // the owner's password goes only to the file
    const { rows } = await admin.raw(
      `SELECT DISTINCT pg_get_userbyid(relowner)::text AS o FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND relkind = 'r'`,
    );
    expect(rows).toEqual([{ o: ownerRole }]);
    const setup = await events('system.setup');
    expect(setup).toHaveLength(1);
    expect(setup[0]).toMatchObject({ actor: `system:${osUser}`, details: { ownerRole, appRole } });
  });

  it('is idempotent: a second run (admin URL from a private file) creates nothing and keeps the app password', async () => {
    const adminFile = path.join(dir, 'admin-private.url');
    fs.writeFileSync(adminFile, `${testDb.url}\n`, { mode: 0o600 });
    const args = setupArgs().map((x) => (x === '--admin-url-stdin' ? `--admin-url-file=${adminFile}` : x));
    const r = await run([...args, '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ created: [], reassigned: [], migrationsApplied: [], appPasswordSet: false });
    expect(new URL(out.appUrl).password).toBe('');
  });

  it('refuses a non-superuser administrative URL, a missing or world-readable URL source (exit 2)', async () => {
    const asOwner = fs.readFileSync(ownerFile, 'utf8');
    const r1 = await run(
      ['db', 'setup', '--admin-url-stdin', '--owner-role', 'fg_x_o', '--app-role', 'fg_x_a'],
      asOwner,
    );
    expect(r1.stderr).toMatch(/needs a superuser connection/);
    expect(r1.code).toBe(2);
    expect((await events('access.denied')).at(-1)).toMatchObject({
      actor: `system:${osUser}`,
      subject: 'db setup',
      details: { reason: expect.stringContaining(`${ownerRole} is not one`) },
    });
    const r2 = await run(['db', 'setup']);
    expect(r2.stderr).toMatch(/exactly one of --admin-url-stdin, --admin-url-file/);
    expect(r2.code).toBe(2);
    const open = path.join(dir, 'admin.url');
    fs.writeFileSync(open, testDb.url, { mode: 0o644 });
    fs.chmodSync(open, 0o644);
    const r3 = await run(['db', 'setup', '--admin-url-file', open]);
    expect(r3.stderr).toMatch(/readable by every OS user/);
    expect(r3.code).toBe(2);
    const r4 = await run(['db', 'setup', '--admin-url-stdin', '--app-role', 'Bad-Name'], testDb.url);
    expect(r4.stderr).toMatch(/--app-role: "Bad-Name" is not a role name/);
    expect(r4.code).toBe(2);
  });
});

describe('faxgate db migrate', () => {
  it('runs as the owner from ownerUrlFile and grants the app role', async () => {
    const r = await run(['db', 'migrate', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ applied: [], grantedTo: appRole });
    expect(JSON.parse(r.stdout).database).toContain(`${ownerRole}:<redacted>@`);
  });

  it('refuses a world-readable owner URL file, naming it', async () => {
    fs.chmodSync(ownerFile, 0o644);
    try {
      const r = await run(['db', 'migrate']);
      expect(r.stderr).toContain(
        `refusing the database owner credentials in ${ownerFile}: readable by every OS user`,
      );
      expect(r.code).toBe(2);
    } finally {
      fs.chmodSync(ownerFile, 0o600);
    }
  });

  it('refuses an unprivileged OS user who cannot read the owner URL file', async () => {
    const entry = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../main.ts');
    const child = spawn(
      process.execPath,
      ['--conditions=development', '--import', 'tsx', entry, 'db', 'migrate'],
      {
        cwd: path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../..'),
        uid: 65534,
        gid: 65534,
        env: {
          PATH: process.env.PATH,
          HOME: dir,
          FAXGATE_CONFIG: configFile,
          FAXGATE_DATABASE_URL: appUrl,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(stderr).toContain(`cannot read the database owner credentials in ${ownerFile}: permission denied`);
    expect(code).toBe(2);
  }, 60_000);
});

describe('faxgate db bootstrap-admin', () => {
  it('creates the first admin as system:<os user>', async () => {
    const r = await run(
      ['db', 'bootstrap-admin', `boss${tag}`, '--password-stdin'],
      'first-admin-password\n',
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const u = await admin('users as u')
      .join('user_roles as r', 'r.user_id', 'u.id')
      .where('u.name', `boss${tag}`)
      .select('r.role', 'u.password_hash');
    expect(u).toHaveLength(1);
    expect(u[0].role).toBe('admin');
    expect(u[0].password_hash).toMatch(/^\$argon2/);
    const added = await events('admin.user_add');
    expect(added.at(-1)).toMatchObject({
      actor: `system:${osUser}`,
      subject: `user:boss${tag}`,
      details: { via: 'bootstrap-admin' },
    });
  });

  it('refuses once an enabled admin exists, and records the refusal', async () => {
    const before = (await events('access.denied')).length;
    const r = await run(['db', 'bootstrap-admin', 'mallory', '--password-stdin'], 'mallory-password\n');
    expect(r.stderr).toMatch(/refused: an enabled admin exists already/);
    expect(r.code).toBe(2);
    expect(await admin('users').where({ name: 'mallory' }).first()).toBeUndefined();
    const denied = await events('access.denied');
    expect(denied.length).toBe(before + 1);
    expect(denied.at(-1)).toMatchObject({
      actor: `system:${osUser}`,
      subject: 'bootstrap admin',
      details: { user: 'mallory' },
    });
  });

  it('refuses a bad user name or an empty password with exit 2', async () => {
    await admin('users').update({ disabled: true }); // no enabled admin: the input is checked
    try {
      const r1 = await run(['db', 'bootstrap-admin', 'bad name', '--password-stdin'], 'some-password-1\n');
      expect(r1.code).toBe(2);
      expect(r1.stderr).toMatch(/name/);
      const r2 = await run(['db', 'bootstrap-admin', `ok${tag}`, '--password-stdin'], '\n');
      expect(r2.stderr).toMatch(/empty password/);
      expect(r2.code).toBe(2);
    } finally {
      await admin('users').update({ disabled: false });
    }
  });
});

describe('appRoleOf', () => {
  it('is the URL user when it is a role name', () => {
    expect(appRoleOf('postgres://faxgate_app:pw@h/db')).toBe('faxgate_app');
    expect(appRoleOf('postgres://h/db')).toBeNull();
    expect(appRoleOf('postgres://Bad%22Name@h/db')).toBeNull();
  });
});
