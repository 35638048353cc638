// faxgate db setup | migrate | bootstrap-admin — the commands that work without a daemon.
// `setup` takes an administrative URL once and makes the owner and application roles;
// `migrate` and `bootstrap-admin` run as the owner (withSystemSession: owner credentials
// from a file only root and the service user can read) and are audited as system:<os user>.

import fs from 'node:fs';
import path from 'node:path';
import { appendAuditEvent, migrateAndGrant, setupRoles } from '@faxgate/audit';
import { generatePassword, type Knex, openDatabase, SetupPrivilegeError, users } from '@faxgate/store';
import type { Command } from 'commander';
import { redactUrl } from '../../config/redact.js';
import { cliConfig, printJson, printLine } from '../context.js';
import { CliError } from '../errors.js';
import { readPassword } from '../password.js';
import { type SystemSession, systemActor, withSystemSession } from '../system-session.js';

const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** The application role named by database.url (its user), or null when the URL names none. */
export function appRoleOf(databaseUrl: string): string | null {
  try {
    const user = decodeURIComponent(new URL(databaseUrl).username);
    return ROLE_NAME.test(user) ? user : null;
  } catch {
    return null;
  }
}

function checkedPostgresUrl(text: string, where: string): URL {
  const line = text.split('\n')[0]?.trim() ?? '';
  if (!URL.canParse(line)) throw new CliError(`${where}: expected a postgres:// URL`, 2);
  const u = new URL(line);
  if (!['postgres:', 'postgresql:'].includes(u.protocol))
    throw new CliError(`${where}: expected a postgres:// URL`, 2);
  if (u.pathname.length <= 1) throw new CliError(`${where}: the URL must name the database (…/faxgate)`, 2);
  return u;
}

/** Standard input as text (at most 4 KiB: a URL, not a stream). */
async function readStdinText(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += b.length;
    if (size > 4096) throw new CliError('standard input: longer than 4096 bytes', 2);
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The administrative URL from standard input or a file that is not world-readable. */
async function readAdminUrl(o: { adminUrlStdin?: boolean; adminUrlFile?: string }): Promise<URL> {
  if (Boolean(o.adminUrlStdin) === Boolean(o.adminUrlFile)) {
    throw new CliError(
      'give the administrative URL with exactly one of --admin-url-stdin, --admin-url-file FILE',
      2,
    );
  }
  if (o.adminUrlStdin) return checkedPostgresUrl(await readStdinText(), 'standard input');
  const file = o.adminUrlFile as string;
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    throw new CliError(`--admin-url-file ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, 2);
  }
  if (st.mode & 0o004) {
    throw new CliError(`--admin-url-file ${file}: readable by every OS user; chmod 600 it first`, 2);
  }
  return checkedPostgresUrl(fs.readFileSync(file, 'utf8'), `--admin-url-file ${file}`);
}

/** `admin` with another user and password (host, port, database and parameters kept). */
function urlFor(admin: URL, role: string, password: string | null): URL {
  const u = new URL(admin.toString());
  u.username = role;
  u.password = password === null ? '' : encodeURIComponent(password);
  return u;
}

/** Writes `content` to `file` with mode 0600 (a new file, renamed over the old one). */
function writePrivateFile(file: string, content: string): void {
  const dir = path.dirname(path.resolve(file));
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(tmp, content, { mode: 0o600, flag: 'wx' });
    fs.chmodSync(tmp, 0o600);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw new CliError(`--write-owner-url ${file}: ${(e as Error).message}`, 2);
  }
}

async function hasAuditTable(db: Knex): Promise<boolean> {
  const { rows } = await db.raw(`SELECT to_regclass('public.audit_events') IS NOT NULL AS ok`);
  return rows[0].ok === true;
}

/** A refused setup is recorded where the given role may append to the audit trail (best effort). */
async function recordDenied(db: Knex, reason: string): Promise<void> {
  try {
    if (!(await hasAuditTable(db))) return;
    await db.transaction((trx) =>
      appendAuditEvent(trx, {
        type: 'access.denied',
        actor: systemActor(),
        subject: 'db setup',
        details: { reason, via: 'cli' },
      }),
    );
  } catch {
    // a role that may not write the trail: the refusal is still printed
  }
}

interface SetupOptions {
  adminUrlStdin?: boolean;
  adminUrlFile?: string;
  ownerRole: string;
  appRole: string;
  writeOwnerUrl?: string;
  resetPasswords?: boolean;
  migrate: boolean;
  revokePublicConnect: boolean;
  json?: boolean;
}

async function dbSetup(cmd: Command, o: SetupOptions): Promise<void> {
  cliConfig(cmd); // a broken configuration is reported before anything changes
  const adminUrl = await readAdminUrl(o);
  const database = decodeURIComponent(adminUrl.pathname.slice(1));
  const admin = openDatabase(adminUrl.toString(), { poolMax: 1, applicationName: 'faxgate-setup' });
  try {
    try {
      await admin.raw('SELECT 1');
    } catch (e) {
      throw new CliError(`database ${redactUrl(adminUrl.toString())}: ${(e as Error).message}`, 1);
    }
    // --write-owner-url needs the owner's password: a new one when the role exists already.
    const resetOwner = o.resetPasswords || o.writeOwnerUrl !== undefined;
    const r = await setupRoles(admin, {
      database,
      ownerRole: o.ownerRole,
      appRole: o.appRole,
      ...(resetOwner ? { ownerPassword: generatePassword() } : {}),
      ...(o.resetPasswords ? { appPassword: generatePassword() } : {}),
      revokePublicConnect: o.revokePublicConnect,
    }).catch(async (e: unknown) => {
      if (e instanceof SetupPrivilegeError) await recordDenied(admin, e.message);
      throw e;
    });
    let applied: string[] = [];
    if (o.migrate) {
      // As the owner without needing its password: the administrative session takes its role.
      const asOwner = new URL(adminUrl.toString());
      asOwner.searchParams.set('options', `-c role=${r.ownerRole}`);
      const owner = openDatabase(asOwner.toString(), { poolMax: 1, applicationName: 'faxgate-setup' });
      try {
        applied = (await migrateAndGrant(owner, r.appRole)).applied;
        if (await hasAuditTable(owner)) {
          await owner.transaction((trx) =>
            appendAuditEvent(trx, {
              type: 'system.setup',
              actor: systemActor(),
              subject: `database:${database}`,
              details: {
                ownerRole: r.ownerRole,
                appRole: r.appRole,
                created: r.created,
                reassigned: r.reassigned.length,
                passwordsSet: [
                  ...(r.ownerPassword === null ? [] : [r.ownerRole]),
                  ...(r.appPassword === null ? [] : [r.appRole]),
                ],
                migrationsApplied: applied,
              },
            }),
          );
        }
      } finally {
        await owner.destroy();
      }
    }
    const ownerUrl = urlFor(adminUrl, r.ownerRole, r.ownerPassword);
    const appUrl = urlFor(adminUrl, r.appRole, r.appPassword);
    if (o.writeOwnerUrl) writePrivateFile(o.writeOwnerUrl, `${ownerUrl.toString()}\n`);
    if (o.json) {
      printJson({
        database,
        ownerRole: r.ownerRole,
        appRole: r.appRole,
        created: r.created,
        reassigned: r.reassigned,
        migrationsApplied: applied,
        ownerUrlFile: o.writeOwnerUrl ?? null,
        appUrl: appUrl.toString(),
        appPasswordSet: r.appPassword !== null,
      });
      return;
    }
    printLine(
      `database ${database}: owner role ${r.ownerRole}, application role ${r.appRole}` +
        (r.created.length ? ` (created ${r.created.join(', ')})` : ' (both existed; corrected)'),
    );
    if (r.reassigned.length) printLine(`  ${r.reassigned.length} object(s) now owned by ${r.ownerRole}`);
    if (o.migrate)
      printLine(`  migrations: ${applied.length ? `applied ${applied.join(', ')}` : 'schema up to date'}`);
    if (o.writeOwnerUrl)
      printLine(`  owner URL written to ${o.writeOwnerUrl} (mode 0600; database.ownerUrlFile)`);
    printLine(`database.url for the daemon (faxgate.yaml or $FAXGATE_DATABASE_URL; keep it secret):`);
    printLine(`  ${appUrl.toString()}`);
    if (r.appPassword === null) {
      printLine(`  (${r.appRole} kept its password: --reset-passwords sets new ones)`);
    }
  } finally {
    await admin.destroy();
  }
}

async function dbMigrate(s: SystemSession): Promise<{ applied: string[]; grantedTo: string | null }> {
  const r = await migrateAndGrant(s.db, appRoleOf(s.loaded.config.database.url));
  // The audit table exists only after migrating, so the event follows the migration.
  if (r.applied.length) {
    await s.audit('system.migrate', {
      subject: 'database',
      details: { applied: r.applied, grantedTo: r.grantedTo, via: 'cli' },
    });
  }
  return r;
}

/**
 * Creates the first admin, only while no enabled admin exists (then an admin manages users
 * through the API). A refusal is recorded as access.denied.
 */
async function bootstrapAdmin(s: SystemSession, name: string, password: string): Promise<void> {
  const existing = await s.db.transaction(async (trx) => {
    // One bootstrap at a time: two concurrent calls must not both see "no admin".
    await trx.raw('SELECT pg_advisory_xact_lock(hashtext(?))', ['faxgate.bootstrap-admin']);
    const admins = await trx('users as u')
      .join('user_roles as r', 'r.user_id', 'u.id')
      .where({ 'r.role': 'admin', 'u.disabled': false })
      .pluck('u.name');
    if (admins.length) return admins as string[];
    const u = await users.add(trx, { name, roles: ['admin'], password });
    await appendAuditEvent(trx, {
      type: 'admin.user_add',
      actor: s.actor,
      subject: `user:${u.name}`,
      details: { roles: ['admin'], via: 'bootstrap-admin' },
    });
    return null;
  });
  if (existing) {
    await s.audit('access.denied', {
      subject: 'bootstrap admin',
      details: { user: name, reason: 'an enabled admin exists', via: 'cli' },
    });
    throw new CliError(
      `refused: an enabled admin exists already (${existing.length}); admins add users through the API (faxgate users add)`,
      2,
    );
  }
}

export function registerDbCommands(program: Command): void {
  const db = program.command('db').description('the PostgreSQL database (offline: owner credentials)');

  db.command('setup')
    .description(
      'once, with an administrative URL: create the owner role (migrations) and the application role (the daemon: owns nothing, least rights), migrate, and print the daemon’s database.url',
    )
    .option(
      '--admin-url-stdin',
      'read the administrative (superuser) URL, naming the database, from standard input',
    )
    .option('--admin-url-file <file>', 'read the administrative URL from this file (not world-readable)')
    .option('--owner-role <name>', 'the owner role', 'faxgate_owner')
    .option('--app-role <name>', 'the application role', 'faxgate_app')
    .option('--write-owner-url <file>', 'write the owner URL to this file, mode 0600 (database.ownerUrlFile)')
    .option('--reset-passwords', 'set new random passwords on roles that exist already')
    .option('--no-migrate', 'only the roles: do not migrate the schema')
    .option('--keep-public-connect', 'do not revoke CONNECT on the database from PUBLIC (shared databases)')
    .option('--json', 'print the result as JSON')
    .action(async function (
      this: Command,
      o: Omit<SetupOptions, 'revokePublicConnect'> & { keepPublicConnect?: boolean },
    ) {
      for (const [flag, v] of [
        ['--owner-role', o.ownerRole],
        ['--app-role', o.appRole],
      ] as const) {
        if (!ROLE_NAME.test(v))
          throw new CliError(`${flag}: ${JSON.stringify(v)} is not a role name (a–z, 0–9, _)`, 2);
      }
      await dbSetup(this, { ...o, revokePublicConnect: !o.keepPublicConnect });
    });

  db.command('migrate')
    .description(
      'bring the schema up to date as the owner role, then grant the application role (idempotent)',
    )
    .option('--json', 'print the applied migrations as JSON')
    .action(async function (this: Command, o: { json?: boolean }) {
      const { applied, grantedTo, url } = await withSystemSession(this, async (s) => ({
        ...(await dbMigrate(s)),
        url: s.ownerUrl,
      }));
      if (o.json) printJson({ database: url, applied, grantedTo });
      else printLine(applied.length ? `${url}: applied ${applied.join(', ')}` : `${url}: schema up to date`);
    });

  db.command('bootstrap-admin')
    .description('create the first admin — only while no enabled admin exists (owner credentials)')
    .argument('<name>', 'the admin’s user name')
    .option('--password-stdin', 'read the password from standard input (else a no-echo prompt)')
    .action(async function (this: Command, name: string, o: { passwordStdin?: boolean }) {
      await withSystemSession(this, async (s) => {
        const password = await readPassword({ stdin: o.passwordStdin ?? false, confirm: true });
        await bootstrapAdmin(s, name, password);
      });
      printLine(`admin ${name} created; log in with \`faxgate login ${name}\``);
    });
}
