// db setup against a real PostgreSQL: roles, ownership, PUBLIC shut out, least rights, idempotence.
import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../db.js';
import { InvalidInputError, SetupPrivilegeError } from '../errors.js';
import { migrate } from '../migrate.js';
import { createTestDatabase, DEFAULT_DATABASE_URL, type TestDatabase } from '../testing.js';
import { describePrivilege, privilegeProblems } from './describe-privilege.js';
import { scramSha256Verifier } from './scram.js';
import { type SetupRolesResult, setupDatabaseRoles } from './setup-roles.js';

const tag = randomBytes(4).toString('hex');
const owner = `fg_t_owner_${tag}`;
const app = `fg_t_app_${tag}`;
const stranger = `fg_t_stranger_${tag}`;

let testDb: TestDatabase;
let admin: Knex;
let first: SetupRolesResult;
const pools: Knex[] = [];

/** A pool connected as `role` (local trust auth: the password is not checked). */
function as(role: string): Knex {
  const u = new URL(testDb.url);
  u.username = role;
  u.password = '';
  const k = openDatabase(u.toString(), { poolMax: 1 });
  pools.push(k);
  return k;
}

const denied = (p: Promise<unknown>) => expect(p).rejects.toMatchObject({ code: '42501' });

beforeAll(async () => {
  testDb = await createTestDatabase('faxgate_roles');
  admin = openDatabase(testDb.url, { poolMax: 2 });
  await migrate(admin); // as the superuser, as before roles existed: setup must hand the tables over
  await admin.raw(`CREATE ROLE ${stranger} LOGIN`);
  first = await setupDatabaseRoles(admin, {
    database: testDb.name,
    ownerRole: owner,
    appRole: app,
    restrictedTables: { config_versions: ['SELECT', 'INSERT'] },
  });
}, 60_000);

afterAll(async () => {
  for (const p of pools) await p.destroy();
  await admin?.destroy();
  await testDb?.drop();
  const root = openDatabase(process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL, { poolMax: 1 });
  try {
    for (const r of [owner, app, stranger]) await root.raw(`DROP ROLE IF EXISTS ${r}`);
  } finally {
    await root.destroy();
  }
});

describe('setupDatabaseRoles', () => {
  it('creates both roles without any special attribute, with SCRAM passwords', async () => {
    expect(first.created).toEqual([owner, app]);
    expect(first.ownerPassword).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(first.appPassword).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(first.ownerPassword).not.toBe(first.appPassword);
    const { rows } = await admin.raw(
      `SELECT rolname, rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls, rolcanlogin,
              rolpassword LIKE 'SCRAM-SHA-256$4096:%' AS scram
         FROM pg_authid WHERE rolname IN (?, ?) ORDER BY rolname`,
      [app, owner],
    );
    for (const r of rows) {
      expect(r).toMatchObject({
        rolsuper: false,
        rolcreatedb: false,
        rolcreaterole: false,
        rolreplication: false,
        rolbypassrls: false,
        rolcanlogin: true,
        scram: true,
      });
    }
  });

  it('hands the database, schema public and every table, sequence and function to the owner', async () => {
    expect(first.reassigned).toEqual(expect.arrayContaining(['users', 'faxes', 'fax_pages']));
    const { rows } = await admin.raw(
      `SELECT (SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()) AS db,
              (SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'public') AS schema,
              (SELECT array_agg(DISTINCT pg_get_userbyid(relowner)::text) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = 'public' AND relkind IN ('r', 'S', 'v')) AS rels,
              (SELECT count(*)::int FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                WHERE n.nspname = 'public' AND pg_get_userbyid(proowner) <> ?) AS foreign_functions`,
      [owner],
    );
    expect(rows[0]).toEqual({ db: owner, schema: owner, rels: [owner], foreign_functions: 0 });
  });

  it('leaves the application role owning nothing and not privileged; the owner is', async () => {
    const d = await describePrivilege(as(app));
    expect(d).toEqual({
      user: app,
      superuser: false,
      otherAttributes: [],
      ownsTables: [],
      canDisableAuditTriggers: false,
    });
    expect(privilegeProblems(d)).toEqual([]);
    const o = await describePrivilege(as(owner));
    expect(o.ownsTables).toEqual(expect.arrayContaining(['users', 'fax_pages']));
    expect(privilegeProblems(o).join()).toMatch(new RegExp(`${owner} owns \\d+ table`));
    const su = await describePrivilege(admin);
    expect(su.superuser).toBe(true);
    expect(su.canDisableAuditTriggers).toBe(true);
    expect(privilegeProblems(su).join()).toMatch(/is a superuser/);
  });

  it('gives the application role read/write on the tables, nothing more on restricted ones', async () => {
    const a = as(app);
    await a('users').insert({ name: `u_${tag}` });
    await a('users')
      .where({ name: `u_${tag}` })
      .update({ display_name: 'x' });
    expect(await a('fax_pages').count({ n: '*' })).toEqual([{ n: 0 }]);
    await a('users')
      .where({ name: `u_${tag}` })
      .delete();
    await denied(a.raw('UPDATE config_versions SET comment = NULL'));
    await denied(a.raw('DELETE FROM config_versions'));
    await denied(a.raw('TRUNCATE users'));
    await denied(a.raw('CREATE TABLE evil (x int)'));
    await denied(a.raw('DELETE FROM faxgate_migrations'));
    expect((await a.raw('SELECT count(*)::int AS n FROM faxgate_migrations')).rows[0].n).toBeGreaterThan(0);
    await expect(a.raw('ALTER TABLE users DISABLE TRIGGER ALL')).rejects.toThrow(/must be owner/);
  });

  it('shuts PUBLIC out: a role without grants cannot connect, nor read fax pages once it can', async () => {
    await expect(as(stranger).raw('SELECT 1')).rejects.toThrow(/permission denied for database/);
    await admin.raw(`GRANT CONNECT ON DATABASE "${testDb.name}" TO ${stranger}`);
    const s = as(stranger);
    await denied(s.raw('SELECT * FROM fax_pages'));
    await denied(s.raw('SELECT * FROM users'));
    await denied(s.raw('CREATE TABLE evil (x int)'));
  });

  it('is idempotent: a second run creates nothing, keeps the passwords, reassigns nothing', async () => {
    const before = (
      await admin.raw('SELECT rolname, rolpassword FROM pg_authid WHERE rolname IN (?, ?) ORDER BY 1', [
        app,
        owner,
      ])
    ).rows;
    const again = await setupDatabaseRoles(admin, { database: testDb.name, ownerRole: owner, appRole: app });
    expect(again).toMatchObject({ created: [], reassigned: [], ownerPassword: null, appPassword: null });
    const after = (
      await admin.raw('SELECT rolname, rolpassword FROM pg_authid WHERE rolname IN (?, ?) ORDER BY 1', [
        app,
        owner,
      ])
    ).rows;
    expect(after).toEqual(before);
  });

  it('sets a given password as its SCRAM verifier (the plain text never reaches the server)', async () => {
    const pw = `given-${randomBytes(12).toString('hex')}`;
    const r = await setupDatabaseRoles(admin, {
      database: testDb.name,
      ownerRole: owner,
      appRole: app,
      appPassword: pw,
    });
    expect(r.appPassword).toBe(pw);
    const { rows } = await admin.raw('SELECT rolpassword FROM pg_authid WHERE rolname = ?', [app]);
    const stored: string = rows[0].rolpassword;
    const salt = Buffer.from(stored.split('$')[1].split(':')[1], 'base64');
    expect(stored).toBe(scramSha256Verifier(pw, salt));
  });

  it('revokes a membership that would let the application act as the owner', async () => {
    await admin.raw(`GRANT ${owner} TO ${app}`);
    await setupDatabaseRoles(admin, { database: testDb.name, ownerRole: owner, appRole: app });
    const { rows } = await admin.raw('SELECT pg_has_role(?, ?, ?) AS m', [app, owner, 'MEMBER']);
    expect(rows[0].m).toBe(false);
  });

  it('refuses bad input with typed errors', async () => {
    const base = { database: testDb.name, ownerRole: owner, appRole: app };
    await expect(setupDatabaseRoles(admin, { ...base, appRole: owner })).rejects.toThrow(InvalidInputError);
    await expect(setupDatabaseRoles(admin, { ...base, ownerRole: 'x"; drop' })).rejects.toThrow(/role name/);
    await expect(setupDatabaseRoles(admin, { ...base, ownerRole: 'postgres' })).rejects.toThrow(
      /administrative role|superuser/,
    );
    await expect(setupDatabaseRoles(admin, { ...base, database: 'elsewhere' })).rejects.toThrow(
      /not elsewhere/,
    );
    await expect(setupDatabaseRoles(admin, { ...base, appPassword: 'short' })).rejects.toThrow(/12\.\.256/);
    await expect(setupDatabaseRoles(as(owner), base)).rejects.toThrow(SetupPrivilegeError);
  });
});
