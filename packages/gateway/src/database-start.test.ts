// The daemon and its database role, with real roles made by `db setup` (setupRoles): it
// starts as the application role (migrations run as the owner), and refuses a superuser or
// a table owner unless database.allowPrivileged — each refusal recorded as system.refused.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setupRoles } from '@faxgate/audit';
import { type Knex, openDatabase } from '@faxgate/store';
import { createTestDatabase, DEFAULT_DATABASE_URL, type TestDatabase } from '@faxgate/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from './config/load.js';
import { privilegedDatabaseWarning } from './database-start.js';
import { DatabaseRoleError } from './errors.js';
import { startGateway } from './gateway.js';
import { createGatewayLogger } from './logger.js';
import { formatStatus } from './status.js';

const tag = randomBytes(4).toString('hex');
const ownerRole = `fg_g_owner_${tag}`;
const appRole = `fg_g_app_${tag}`;

let testDb: TestDatabase;
let admin: Knex;
let dir: string;
let appUrl: string;
let ownerUrl: string;
const logger = createGatewayLogger(validateConfig({ logging: { level: 'error' } }, {}).config);

function urlAs(role: string, password: string): string {
  const u = new URL(testDb.url);
  u.username = role;
  u.password = password;
  return u.toString();
}

function writeConfig(name: string, database: Record<string, unknown>): string {
  const file = path.join(dir, `${name}.yaml`);
  fs.writeFileSync(
    file,
    JSON.stringify({
      api: { port: 0 },
      logging: { level: 'error' },
      paths: { spool: `${dir}/spool`, tmp: `${dir}/tmp` },
      audit: { checkpointDir: `${dir}/checkpoints`, checkpointKeyFile: `${dir}/key/audit-checkpoint.key` },
      database,
    }),
    { mode: 0o600 }, // private, as a configuration holding the owner URL must be
  );
  return file;
}

/** Starts the gateway with `database` as its configuration's database section. */
function start(name: string, database: Record<string, unknown>) {
  const env: NodeJS.ProcessEnv = {};
  if (process.env.REDIS_URL) env.REDIS_URL = process.env.REDIS_URL;
  return startGateway({ path: writeConfig(name, database), env, logger });
}

async function refusals(): Promise<Array<{ actor: string; details: { role: string; problems: string[] } }>> {
  return admin('audit_events').where({ type: 'system.refused' }).orderBy('id').select('actor', 'details');
}

beforeAll(async () => {
  testDb = await createTestDatabase('faxgate_gwroles');
  admin = openDatabase(testDb.url, { poolMax: 2 });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-gwroles-'));
  const r = await setupRoles(admin, { database: testDb.name, ownerRole, appRole });
  appUrl = urlAs(appRole, r.appPassword ?? '');
  ownerUrl = urlAs(ownerRole, r.ownerPassword ?? '');
}, 60_000);

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

describe('the daemon and its database role', () => {
  it('starts as the application role, migrating as the owner first', async () => {
    const gw = await start('app', { url: appUrl, ownerUrl });
    try {
      expect(gw.database.role.user).toBe(appRole);
      expect(gw.database.privileged).toBeNull();
      expect(gw.database.migratedBy).toBe('owner');
      expect(gw.migrationsApplied.length).toBeGreaterThan(0);
      expect(gw.status().database.privileged).toBeNull();
      expect(formatStatus(gw.status())).not.toContain('WARNING');
    } finally {
      await gw.stop();
    }
    // Everything the migrations made belongs to the owner; the daemon's start is on record.
    const { rows } = await admin.raw(
      `SELECT DISTINCT pg_get_userbyid(relowner)::text AS o FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND relkind = 'r'`,
    );
    expect(rows).toEqual([{ o: ownerRole }]);
    const startEvent = await admin('audit_events')
      .where({ type: 'system.start' })
      .orderBy('id', 'desc')
      .first();
    expect(startEvent.details).toMatchObject({ databaseRole: appRole, databasePrivileged: null });
  });

  it('refuses an owner URL written in a configuration file every OS user can read', async () => {
    const file = writeConfig('open', { url: appUrl, ownerUrl });
    fs.chmodSync(file, 0o644);
    const env: NodeJS.ProcessEnv = {};
    if (process.env.REDIS_URL) env.REDIS_URL = process.env.REDIS_URL;
    const err = await startGateway({ path: file, env, logger }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabaseRoleError);
    expect((err as Error).message).toContain(
      `refusing database.ownerUrl in ${file}: the file is readable by every OS user`,
    );
    // The same URL from the environment is the service manager's business: accepted.
    const gw = await startGateway({
      path: writeConfig('open-env', { url: appUrl }),
      env: { ...env, FAXGATE_DATABASE_OWNER_URL: ownerUrl },
      logger,
    });
    expect(gw.database.migratedBy).toBe('owner');
    await gw.stop();
  });

  it('starts as the application role without owner credentials when the schema is up to date', async () => {
    const gw = await start('app-only', { url: appUrl, ownerUrlFile: path.join(dir, 'no-such-owner.url') });
    try {
      expect(gw.database.migratedBy).toBe('none');
      expect(gw.database.privileged).toBeNull();
    } finally {
      await gw.stop();
    }
  });

  it('refuses as the application role when migrations are pending and nobody may run them', async () => {
    const last = await admin('faxgate_migrations').orderBy('id', 'desc').first();
    await admin('faxgate_migrations').where({ id: last.id }).delete();
    try {
      await expect(
        start('pending', { url: appUrl, ownerUrlFile: path.join(dir, 'none.url') }),
      ).rejects.toThrow(
        new RegExp(`not up to date \\(1 migration\\(s\\) pending: ${last.name}\\).*faxgate db migrate`),
      );
    } finally {
      await admin('faxgate_migrations').insert(last);
    }
  });

  it('refuses to start as a superuser, and records it', async () => {
    const before = (await refusals()).length;
    const err = await start('superuser', { url: testDb.url }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabaseRoleError);
    expect((err as DatabaseRoleError).exitCode).toBe(2);
    expect((err as Error).message).toMatch(/postgres is a superuser.*database\.allowPrivileged/);
    const after = await refusals();
    expect(after.length).toBe(before + 1);
    expect(after.at(-1)?.details.role).toBe('postgres');
  });

  it('refuses to start as the table owner, and records it', async () => {
    const before = (await refusals()).length;
    await expect(start('owner', { url: ownerUrl })).rejects.toThrow(
      new RegExp(`${ownerRole} owns \\d+ table\\(s\\) \\(.*audit_events`),
    );
    const after = await refusals();
    expect(after.length).toBe(before + 1);
    expect(after.at(-1)?.details).toMatchObject({ role: ownerRole });
    expect(after.at(-1)?.actor).toMatch(/^gateway:/);
  });

  it('starts as a superuser when database.allowPrivileged says so, and says so in the status', async () => {
    const gw = await start('allowed', { url: testDb.url, allowPrivileged: true });
    try {
      expect(gw.database.privileged, JSON.stringify(gw.database)).toEqual(['postgres is a superuser']);
      expect(gw.status().database.privileged).toEqual(['postgres is a superuser']);
      expect(formatStatus(gw.status())).toContain(
        'WARNING:   privileged database role (database.allowPrivileged): postgres is a superuser',
      );
    } finally {
      await gw.stop();
    }
    // The lockdown report's warning comes from the recorded start.
    const config = validateConfig({ database: { url: appUrl } }, {}).config;
    expect(await privilegedDatabaseWarning(admin, config)).toMatch(
      /runs as a privileged database role \(postgres is a superuser; database.allowPrivileged\)/,
    );
    const gw2 = await start('app-again', { url: appUrl, ownerUrl });
    await gw2.stop();
    expect(await privilegedDatabaseWarning(admin, config)).toBeNull();
    const allowing = validateConfig({ database: { url: appUrl, allowPrivileged: true } }, {}).config;
    expect(await privilegedDatabaseWarning(admin, allowing)).toMatch(/database.allowPrivileged is true/);
  });

  it('as the application role cannot change the audit trail or its triggers (insufficient_privilege)', async () => {
    const app = openDatabase(appUrl, { poolMax: 1 });
    try {
      for (const sql of [
        'ALTER TABLE audit_events DISABLE TRIGGER USER',
        'ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only',
        `UPDATE audit_events SET actor = 'mallory'`,
        'DELETE FROM audit_events',
        'TRUNCATE audit_events',
        'UPDATE audit_head SET seq = 0',
        'DELETE FROM xfer_log',
      ]) {
        await expect(app.raw(sql), sql).rejects.toMatchObject({ code: '42501' });
      }
      expect((await app.raw('SELECT count(*)::int AS n FROM fax_pages')).rows[0].n).toBe(0);
    } finally {
      await app.destroy();
    }
  });

  it('a role without grants cannot read fax_pages', async () => {
    const stranger = `fg_g_stranger_${tag}`;
    await admin.raw(`CREATE ROLE ${stranger} LOGIN`);
    await admin.raw(`GRANT CONNECT ON DATABASE "${testDb.name}" TO ${stranger}`);
    const s = openDatabase(urlAs(stranger, ''), { poolMax: 1 });
    try {
      await expect(s.raw('SELECT * FROM fax_pages')).rejects.toMatchObject({ code: '42501' });
    } finally {
      await s.destroy();
      await admin.raw(`REVOKE CONNECT ON DATABASE "${testDb.name}" FROM ${stranger}`);
      await admin.raw(`DROP ROLE ${stranger}`);
    }
  });
});

describe('npm run gateway as a superuser', () => {
  it('exits with code 2 and a clear message', async () => {
    const entry = path.join(path.dirname(fileURLToPath(import.meta.url)), 'main-job.ts');
    const file = writeConfig('main-job', {});
    const child = spawn(
      process.execPath,
      ['--conditions=development', '--import', 'tsx', entry, '--daemon'],
      {
        env: { ...process.env, FAXGATE_CONFIG: file, FAXGATE_DATABASE_URL: testDb.url },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(stderr).toMatch(/faxgate: refusing to start: database role postgres is too privileged/);
    expect(code).toBe(2);
  }, 60_000);
});
