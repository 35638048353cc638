// The database session of the few *system* commands that still open the database directly
// (config record, lockdown report, and db/audit verify until system-session.ts replaces
// them): they need the configuration's database credentials, which only root and the
// service user can read, and are audited as cli:<os user>. User-level commands never come
// here: they go through the API with the caller's token (api-client.ts); `--as` is gone.

import { type AuditEventInput, type AuditEventType, appendAuditEvent } from '@faxgate/audit';
import { can, type inTransaction, openDatabase, type Permission } from '@faxgate/store';
import type { Command } from 'commander';
import type { LoadedConfig } from '../config/load.js';
import { redactUrl } from '../config/redact.js';
import { cliConfig, osActor } from './context.js';
import { CliError } from './errors.js';

export type Database = ReturnType<typeof openDatabase>;
export type Transaction = Parameters<Parameters<typeof inTransaction>[1]>[0];

export interface CliSession {
  db: Database;
  loaded: LoadedConfig;
  /** How the audit trail names the caller: cli:<os user>. */
  actor: string;
  /** Always null: a system command acts as the OS account that holds the database credentials. */
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
    return await fn({ db, loaded, actor: osActor(), asUser: null });
  } finally {
    await db.destroy();
  }
}

/**
 * Refuses the call unless the session's faxgate user holds `permission`. A system session
 * has none: the OS account holds the configuration and with it the database credentials,
 * so the database's own access control is the boundary. A refusal is recorded as an
 * `access.denied` audit event.
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
