// What must work without a daemon — database setup and migrations, `audit verify` offline,
// creating the first admin — runs as the database's *owner* role, not as a faxgate user.
// The owner's URL is a secret only root and the service user can read (database.ownerUrl /
// $FAXGATE_DATABASE_OWNER_URL, or the file database.ownerUrlFile); whoever can read it acts
// as `system:<os user>` and every change is an audit event under that name.

import fs from 'node:fs';
import os from 'node:os';
import { type AuditEventInput, type AuditEventType, appendAuditEvent } from '@faxgate/audit';
import { type inTransaction, openDatabase } from '@faxgate/store';
import type { Command } from 'commander';
import type { LoadedConfig } from '../config/load.js';
import { redactUrl } from '../config/redact.js';
import type { FaxgateConfig } from '../config/schema.js';
import { cliConfig } from './context.js';
import { CliError, OwnerCredentialsError } from './errors.js';

export type SystemDatabase = ReturnType<typeof openDatabase>;
export type SystemTransaction = Parameters<Parameters<typeof inTransaction>[1]>[0];

export interface SystemSession {
  /** A short-lived pool connected as the owner role (closed when the session ends). */
  db: SystemDatabase;
  loaded: LoadedConfig;
  /** How the audit trail names the caller: `system:<os user>`. */
  actor: string;
  /** The owner URL with its password redacted (for messages). */
  ownerUrl: string;
  /** Where the owner URL came from: `database.ownerUrl` or the file's path. */
  ownerUrlSource: string;
  /**
   * Runs `fn` and its audit event (actor = this session's actor) in one transaction: both
   * happen or neither. `fn` returns `event: null` when nothing changed (then no event).
   */
  change<T>(type: AuditEventType, fn: (trx: SystemTransaction) => Promise<SystemChange<T>>): Promise<T>;
  /** Records one audit event on its own (e.g. after a migration created the audit table). */
  audit(type: AuditEventType, event: Omit<AuditEventInput, 'actor' | 'type'>): Promise<void>;
}

export interface SystemChange<T> {
  event: Omit<AuditEventInput, 'actor' | 'type'> | null;
  result: T;
}

/** `system:<os user>` — the OS account is named because the owner credentials do not say who used them. */
export function systemActor(): string {
  let name: string;
  try {
    name = os.userInfo().username;
  } catch {
    name = `uid${process.getuid?.() ?? 'unknown'}`;
  }
  return `system:${name}`;
}

function worldReadable(file: string): boolean {
  try {
    return (fs.statSync(file).mode & 0o004) !== 0;
  } catch {
    return false;
  }
}

/**
 * The owner URL and where it came from: `database.ownerUrl` when set, else the first line
 * of `database.ownerUrlFile`, which must be readable by this OS user and by nobody else
 * than its owner and group (mode & 0o004 = 0). An ownerUrl written in the configuration
 * file `from.file` counts only when that file is not world-readable either. Throws
 * OwnerCredentialsError otherwise.
 */
export function readOwnerUrl(
  config: FaxgateConfig,
  from?: Pick<LoadedConfig, 'file' | 'envOverrides'>,
): { url: string; source: string } {
  const { ownerUrl, ownerUrlFile: file } = config.database;
  if (ownerUrl !== undefined) {
    // Written into the configuration file, the owner URL is only as private as that file.
    const inFile = from?.file && !from.envOverrides.includes('FAXGATE_DATABASE_OWNER_URL') ? from.file : null;
    if (inFile && worldReadable(inFile)) {
      throw new OwnerCredentialsError(
        `refusing database.ownerUrl in ${inFile}: the file is readable by every OS user; ` +
          'use database.ownerUrlFile (mode 0600) or $FAXGATE_DATABASE_OWNER_URL instead',
      );
    }
    return { url: ownerUrl, source: 'database.ownerUrl' };
  }
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new OwnerCredentialsError(
        `no database owner credentials: database.ownerUrl is not set and ${file} does not exist ` +
          '(create it with `faxgate db setup --write-owner-url FILE`, or set database.ownerUrlFile)',
      );
    }
    throw new OwnerCredentialsError(
      `cannot read the database owner credentials in ${file}: ${code ?? String(e)} ` +
        '(only root and the service user may; run this as one of them)',
    );
  }
  if (!st.isFile()) throw new OwnerCredentialsError(`database owner credentials ${file}: not a regular file`);
  if (st.mode & 0o004) {
    throw new OwnerCredentialsError(
      `refusing the database owner credentials in ${file}: readable by every OS user ` +
        `(mode ${(st.mode & 0o777).toString(8)}); chmod 600 (or 640 with the service user's group)`,
    );
  }
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new OwnerCredentialsError(
      `cannot read the database owner credentials in ${file}: ${code === 'EACCES' ? 'permission denied' : (code ?? String(e))} ` +
        '(only root and the service user may; run this as one of them)',
    );
  }
  const url = text.split('\n')[0]?.trim() ?? '';
  if (!URL.canParse(url) || !['postgres:', 'postgresql:'].includes(new URL(url).protocol)) {
    // never echo the content: it is a secret
    throw new OwnerCredentialsError(
      `database owner credentials ${file}: expected a postgres:// URL on its first line`,
    );
  }
  return { url, source: file };
}

/**
 * Opens the database as the owner role for one offline CLI call (e.g. `db migrate`,
 * `db bootstrap-admin`, `audit verify` without a daemon), runs `fn`, and always closes the
 * pool. Refuses with exit code 2 and a message naming the file when the owner credentials
 * cannot be read; a database that cannot be reached is exit code 1.
 */
export async function withSystemSession<T>(cmd: Command, fn: (s: SystemSession) => Promise<T>): Promise<T> {
  const loaded = cliConfig(cmd);
  return runSystemSession(loaded, fn);
}

/** withSystemSession for an already loaded configuration (tests, the demo). */
export async function runSystemSession<T>(
  loaded: LoadedConfig,
  fn: (s: SystemSession) => Promise<T>,
): Promise<T> {
  const { url, source } = readOwnerUrl(loaded.config, loaded);
  const db = openDatabase(url, {
    poolMax: 2,
    applicationName: 'faxgate-system',
    preparedStatements: loaded.config.database.preparedStatements,
  });
  try {
    try {
      await db.raw('SELECT 1');
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      throw new CliError(`database (owner, from ${source}) ${redactUrl(url)}: ${msg}`, 1);
    }
    const actor = systemActor();
    const session: SystemSession = {
      db,
      loaded,
      actor,
      ownerUrl: redactUrl(url),
      ownerUrlSource: source,
      change: (type, body) =>
        db.transaction(async (trx) => {
          const { event, result } = await body(trx);
          if (event) await appendAuditEvent(trx, { type, actor, ...event });
          return result;
        }),
      audit: async (type, event) => {
        await db.transaction((trx) => appendAuditEvent(trx, { type, actor, ...event }));
      },
    };
    return await fn(session);
  } finally {
    await db.destroy();
  }
}
