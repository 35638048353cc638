// A CLI call that works on the database: configuration, one short-lived pool, the acting
// identity, and the two ways a command touches data — a change (store call + audit event
// in one transaction) or a privileged read (rights check + audit event for the read).

import { type AuditEventInput, type AuditEventType, appendAuditEvent } from '@faxgate/audit';
import { can, type inTransaction, openDatabase, type Permission, users } from '@faxgate/store';
import type { Command } from 'commander';
import type { LoadedConfig } from '../config/load.js';
import { redactUrl } from '../config/redact.js';
import { cliConfig, globalOptions, osActor } from './context.js';
import { CliError } from './errors.js';

export type Database = ReturnType<typeof openDatabase>;
export type Transaction = Parameters<Parameters<typeof inTransaction>[1]>[0];

export interface CliSession {
  db: Database;
  loaded: LoadedConfig;
  /** How the audit trail names the caller: the --as user's name, or cli:<os user>. */
  actor: string;
  /** The faxgate user given with --as, or null for the (trusted) OS account. */
  asUser: string | null;
}

/** What a change returns: the audit event's subject and details, and the command's result. */
export interface ChangeOutcome<T> {
  /** null when nothing changed (e.g. already a member): then no audit event is written. */
  event: Omit<AuditEventInput, 'actor' | 'type'> | null;
  result: T;
}

/** Opens the database for one CLI call, runs `fn`, and always closes the pool. */
export async function withSession<T>(cmd: Command, fn: (s: CliSession) => Promise<T>): Promise<T> {
  const loaded = cliConfig(cmd);
  const db = openDatabase(loaded.config.database.url, {
    poolMax: 2,
    applicationName: 'faxgate-cli',
    preparedStatements: loaded.config.database.preparedStatements,
  });
  try {
    try {
      await db.raw('SELECT 1');
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      throw new CliError(`database ${redactUrl(loaded.config.database.url)}: ${msg}`, 1);
    }
    const as = globalOptions(cmd).as;
    let asUser: string | null = null;
    if (as !== undefined) {
      const u = await users.find(db, as);
      if (!u) throw new CliError(`--as: user ${JSON.stringify(as)} does not exist`, 2);
      asUser = u.name;
    }
    return await fn({ db, loaded, actor: asUser ?? osActor(), asUser });
  } finally {
    await db.destroy();
  }
}

/**
 * Refuses the call unless the --as user holds `permission`. The OS account (no --as) is
 * trusted: it holds the configuration and with it the database credentials. A refusal is
 * itself recorded as an `access.denied` audit event.
 */
export async function requirePermission(
  s: CliSession,
  permission: Permission,
  what: string,
  mailboxId?: number,
): Promise<void> {
  if (s.asUser === null) return;
  if (await can(s.db, s.asUser, permission, mailboxId)) return;
  await s.db.transaction((trx) =>
    appendAuditEvent(trx, {
      type: 'access.denied',
      actor: s.actor,
      subject: what,
      details: { permission, via: 'cli' },
    }),
  );
  throw new CliError(`${s.asUser} may not ${what} (needs ${permission})`, 2);
}

/** Runs a state change and its audit event in one transaction: both happen or neither. */
export async function change<T>(
  s: CliSession,
  type: AuditEventType,
  fn: (trx: Transaction) => Promise<ChangeOutcome<T>>,
): Promise<T> {
  return s.db.transaction(async (trx) => {
    const { event, result } = await fn(trx);
    if (event) await appendAuditEvent(trx, { type, actor: s.actor, ...event });
    return result;
  });
}

/**
 * Only an admin hands out or touches admin power: with --as, a non-admin (e.g. the post
 * office, which holds user.manage) may not give roles other than `user`, nor set the
 * password of or disable an admin. Otherwise user.manage would be a path to admin.
 * The OS account (no --as) is trusted as above.
 */
export async function requireAdminFor(
  s: CliSession,
  what: string,
  opts: { roles?: readonly string[]; target?: string },
): Promise<void> {
  if (s.asUser === null) return;
  const me = await users.get(s.db, s.asUser);
  if (me.roles.includes('admin')) return;
  const raises = (opts.roles ?? []).some((r) => r !== 'user');
  const target = opts.target === undefined ? null : await users.find(s.db, opts.target);
  if (!raises && !target?.roles.includes('admin')) return;
  await s.db.transaction((trx) =>
    appendAuditEvent(trx, {
      type: 'access.denied',
      actor: s.actor,
      subject: what,
      details: { needed: 'role admin', roles: opts.roles ?? null, target: opts.target ?? null, via: 'cli' },
    }),
  );
  throw new CliError(`${s.asUser} may not ${what} (needs the admin role)`, 2);
}
