// Credentials of the REST API: sessions (people, after a password login; they expire) and
// API tokens (machines; named, optionally expiring). The secret is shown once, when issued;
// the database keeps only its SHA-256.
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../db.js';
import { InvalidInputError, NotFoundError } from '../errors.js';
import { checkNoControl } from '../names.js';
import { type Ref, resolveId } from './refs.js';
import { get as getUser, type User } from './users.js';

export type CredentialKind = 'session' | 'token';

export interface Credential {
  id: number;
  kind: CredentialKind;
  userId: number;
  name: string;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  remoteAddr: string | null;
}

export interface IssueInput {
  kind: CredentialKind;
  user: Ref;
  /** What the token is for ("billing system"); sessions: free text such as the user agent. */
  name?: string;
  /** Required for sessions. */
  expiresAt?: Date;
  remoteAddr?: string;
}

/** `fgs_` sessions, `fgt_` tokens: a leaked secret says what it is (secret scanners, logs). */
const PREFIX: Record<CredentialKind, string> = { session: 'fgs_', token: 'fgt_' };
const SECRET_RE = /^fg[st]_[A-Za-z0-9_-]{43}$/;
const MAX_NAME = 128;

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Whether a string has the shape of a faxgate secret (cheap check before any query). */
export function looksLikeSecret(s: unknown): s is string {
  return typeof s === 'string' && SECRET_RE.test(s);
}

// biome-ignore lint/suspicious/noExplicitAny: a raw pg row
function toCredential(r: any): Credential {
  return {
    id: Number(r.id),
    kind: r.kind,
    userId: Number(r.user_id),
    name: r.name,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
    remoteAddr: r.remote_addr,
  };
}

export async function issue(db: Db, input: IssueInput): Promise<{ credential: Credential; secret: string }> {
  const name = input.name ?? '';
  if (typeof name !== 'string' || name.length > MAX_NAME) {
    throw new InvalidInputError(`credential name must be at most ${MAX_NAME} characters`);
  }
  checkNoControl('credential name', name);
  if (input.kind === 'session' && !input.expiresAt) throw new InvalidInputError('a session needs an expiry');
  if (input.expiresAt && !(input.expiresAt.getTime() > Date.now())) {
    throw new InvalidInputError('expiry must be in the future');
  }
  const userId = await resolveId(db, 'users', 'user', input.user);
  const secret = PREFIX[input.kind] + randomBytes(32).toString('base64url');
  const [row] = await db('credentials')
    .insert({
      kind: input.kind,
      user_id: userId,
      name,
      secret_hash: hashSecret(secret),
      expires_at: input.expiresAt ?? null,
      remote_addr: input.remoteAddr ?? null,
    })
    .returning('*');
  return { credential: toCredential(row), secret };
}

export interface AuthenticateOptions {
  /** Sessions unused for longer than this are expired (idle timeout). */
  sessionIdleMs?: number;
  now?: Date;
}

/**
 * The credential and its user for a presented secret, or null when it is unknown, revoked,
 * expired, idle too long, or its user is disabled. Marks it used (at most once a minute,
 * so a busy token does not write on every request).
 */
export async function authenticate(
  db: Db,
  secret: string,
  opts: AuthenticateOptions = {},
): Promise<{ credential: Credential; user: User } | null> {
  if (!looksLikeSecret(secret)) return null;
  const row = await db('credentials')
    .where({ secret_hash: hashSecret(secret) })
    .first();
  if (!row) return null;
  const c = toCredential(row);
  const now = opts.now ?? new Date();
  if (c.revokedAt) return null;
  if (c.expiresAt && c.expiresAt.getTime() <= now.getTime()) return null;
  if (c.kind === 'session' && opts.sessionIdleMs !== undefined) {
    const last = (c.lastUsedAt ?? c.createdAt).getTime();
    if (now.getTime() - last > opts.sessionIdleMs) return null;
  }
  const user = await getUser(db, c.userId);
  if (user.disabled) return null;
  if (!c.lastUsedAt || now.getTime() - c.lastUsedAt.getTime() > 60_000) {
    await db('credentials').where({ id: c.id }).update({ last_used_at: now });
    c.lastUsedAt = now;
  }
  return { credential: c, user };
}

export async function get(db: Db, id: number): Promise<Credential> {
  const row = await db('credentials').where({ id }).first();
  if (!row) throw new NotFoundError('credential', id);
  return toCredential(row);
}

/** Credentials of a user (or all), newest first; revoked ones only when asked. */
export async function list(
  db: Db,
  opts: { user?: Ref; kind?: CredentialKind; includeRevoked?: boolean } = {},
): Promise<Credential[]> {
  const q = db('credentials').orderBy('id', 'desc');
  if (opts.user !== undefined) q.where({ user_id: await resolveId(db, 'users', 'user', opts.user) });
  if (opts.kind) q.where({ kind: opts.kind });
  if (!opts.includeRevoked) q.whereNull('revoked_at');
  return (await q).map(toCredential);
}

/** Revokes one credential; false when it was revoked already. */
export async function revoke(db: Db, id: number): Promise<boolean> {
  await get(db, id);
  const n = await db('credentials').where({ id }).whereNull('revoked_at').update({ revoked_at: db.fn.now() });
  return n > 0;
}

/** Revokes every live credential of a user (password change, account disabled); returns how many. */
export async function revokeAllOf(db: Db, user: Ref, kind?: CredentialKind): Promise<number> {
  const q = db('credentials')
    .where({ user_id: await resolveId(db, 'users', 'user', user) })
    .whereNull('revoked_at');
  if (kind) q.where({ kind });
  return q.update({ revoked_at: db.fn.now() });
}
