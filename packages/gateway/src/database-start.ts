// The daemon's database at start: which role it runs as, and who migrates. The daemon runs as
// the application role (database.url), which owns nothing and cannot switch off the audit
// trail's triggers; it refuses a superuser or table owner unless database.allowPrivileged.
// Migrations run as the owner role (database.ownerUrl / ownerUrlFile), which then grants the
// application role on whatever they created.
import { appendAuditEvent, auditMigrations, migrateAndGrant } from '@faxgate/audit';
import {
  describePrivilege,
  type Knex,
  migrate,
  migrationStatus,
  openDatabase,
  type PrivilegeDescription,
  privilegeProblems,
} from '@faxgate/store';
import { OwnerCredentialsError } from './cli/errors.js';
import { readOwnerUrl } from './cli/system-session.js';
import type { LoadedConfig } from './config/load.js';
import { redactUrl } from './config/redact.js';
import type { FaxgateConfig } from './config/schema.js';
import { DatabaseRoleError } from './errors.js';
import type { Logger } from './logger.js';

export interface PreparedDatabase {
  role: PrivilegeDescription;
  /** What makes the role privileged (allowed by database.allowPrivileged), or null for a least-privilege role. */
  privileged: string[] | null;
  applied: string[];
  /** Who ran the migrations: 'owner' (database.ownerUrl/ownerUrlFile), 'self' (a privileged daemon role allowed to be) or 'none' (the daemon's role only checked that none are pending). */
  migratedBy: 'owner' | 'self' | 'none';
}

/** The owner URL when one is configured or its file exists; null when there is none at all. */
function ownerUrlIfAny(
  config: FaxgateConfig,
  from?: Pick<LoadedConfig, 'file' | 'envOverrides'>,
): { url: string; source: string } | null {
  try {
    return readOwnerUrl(config, from);
  } catch (e) {
    if (
      e instanceof OwnerCredentialsError &&
      config.database.ownerUrl === undefined &&
      /does not exist/.test(e.message)
    ) {
      return null;
    }
    throw new DatabaseRoleError((e as Error).message);
  }
}

/** Records why the daemon refused to start, when the audit trail exists and takes it. */
async function recordRefusal(db: Knex, actor: string, details: Record<string, unknown>): Promise<boolean> {
  try {
    await db.transaction((trx) =>
      appendAuditEvent(trx, { type: 'system.refused', actor, subject: 'gateway', details }),
    );
    return true;
  } catch {
    return false; // no audit table yet, or the role may not write it: the refusal is still printed
  }
}

/**
 * Checks the daemon's role on `db`, then brings the schema up to date: as the owner when
 * owner credentials are configured, as the daemon's own role only when that role is
 * privileged and allowed to be, else it refuses when migrations are pending.
 */
export async function prepareDatabase(opts: {
  config: FaxgateConfig;
  /** Where the configuration came from: an ownerUrl in a world-readable file is refused. */
  loaded?: Pick<LoadedConfig, 'file' | 'envOverrides'>;
  db: Knex;
  log: Logger;
  actor: string;
}): Promise<PreparedDatabase> {
  const { config, db, log } = opts;
  const role = await describePrivilege(db);
  const problems = privilegeProblems(role);
  if (problems.length && !config.database.allowPrivileged) {
    const audited = await recordRefusal(db, opts.actor, {
      reason: 'privileged database role',
      role: role.user,
      problems,
    });
    throw new DatabaseRoleError(
      `database role ${role.user} is too privileged for the daemon: ${problems.join('; ')}. ` +
        'Give database.url the application role made by `faxgate db setup` ' +
        '(or set database.allowPrivileged: true for a demo or test — never in production)' +
        (audited ? ' [recorded as system.refused]' : ''),
    );
  }
  if (problems.length) {
    log.warn(
      `SECURITY WARNING: the daemon runs as a privileged database role (${problems.join('; ')}); ` +
        'database.allowPrivileged is true, so the application itself could switch off the audit triggers',
    );
  }

  const owner = ownerUrlIfAny(config, opts.loaded);
  let applied: string[] = [];
  let migratedBy: PreparedDatabase['migratedBy'] = 'none';
  if (owner) {
    log.info(`database ${redactUrl(owner.url)}: migrating as the owner (from ${owner.source})`);
    const ownerDb = openDatabase(owner.url, {
      poolMax: 1,
      applicationName: 'faxgate-migrate',
      preparedStatements: config.database.preparedStatements,
    });
    try {
      const r = await migrateAndGrant(ownerDb, role.user);
      applied = r.applied;
    } catch (e) {
      throw new DatabaseRoleError(`migrating as the owner (from ${owner.source}): ${(e as Error).message}`);
    } finally {
      await ownerDb.destroy();
    }
    migratedBy = 'owner';
  } else if (problems.length) {
    log.info(`database ${redactUrl(config.database.url)}: migrating`);
    applied = (await migrate(db, auditMigrations)).applied;
    migratedBy = 'self';
  } else {
    let pending: string[];
    try {
      pending = (await migrationStatus(db, auditMigrations)).pending;
    } catch (e) {
      throw new DatabaseRoleError(
        `cannot read the schema's migrations as ${role.user}: ${(e as Error).message} ` +
          '(run `faxgate db setup` and `faxgate db migrate` first, or configure database.ownerUrl)',
      );
    }
    if (pending.length) {
      throw new DatabaseRoleError(
        `the database schema is not up to date (${pending.length} migration(s) pending: ${pending.join(', ')}) ` +
          `and ${role.user} may not migrate it: run \`faxgate db migrate\` (owner credentials) or configure database.ownerUrl`,
      );
    }
  }
  return { role, privileged: problems.length ? problems : null, applied, migratedBy };
}

/**
 * For the lockdown report: a warning when the daemon last started as a privileged database
 * role (its system.start event says so), or when the configuration allows it to.
 */
export async function privilegedDatabaseWarning(db: Knex, config: FaxgateConfig): Promise<string | null> {
  const last = await db('audit_events')
    .where({ type: 'system.start' })
    .orderBy('id', 'desc')
    .first('details');
  const privileged = (last?.details as { databasePrivileged?: unknown } | undefined)?.databasePrivileged;
  if (Array.isArray(privileged) && privileged.length) {
    return `the daemon runs as a privileged database role (${privileged.join('; ')}; database.allowPrivileged): it could disable the audit triggers`;
  }
  if (config.database.allowPrivileged) {
    return 'database.allowPrivileged is true: the daemon would run as a superuser or table owner if database.url named one';
  }
  return null;
}
