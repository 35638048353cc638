// Users: accounts, argon2id password hashes, disabled flag, roles.
import argon2 from 'argon2';
import type { Db } from '../db.js';
import { inTransaction } from '../db.js';
import { ConflictError, InvalidInputError, NotFoundError } from '../errors.js';
import { isRole, ROLES, type Role } from '../model.js';
import { checkId, checkNoControl } from '../names.js';
import { checkName, type Ref, resolveId } from './refs.js';

export interface User {
  id: number;
  name: string;
  displayName: string;
  disabled: boolean;
  /** Roles, sorted in the order of ROLES. */
  roles: Role[];
  hasPassword: boolean;
  /** Own e-mail address (migration 0080); mails go to it only with mailOptIn. */
  email: string | null;
  mailOptIn: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface AddUserInput {
  name: string;
  displayName?: string;
  /** Plain password; stored only as an argon2id hash. Omit to create an account that cannot log in yet. */
  password?: string;
  roles?: Role[];
  disabled?: boolean;
}

export type VerifyPasswordResult =
  | { ok: true; user: User }
  | { ok: false; reason: 'unknown_user' | 'disabled' | 'no_password' | 'bad_password'; user?: User };

/** argon2id parameters (OWASP 2023 minimum: m=19 MiB, t=2, p=1). */
export const ARGON2_OPTIONS = {
  type: argon2.argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 1024;

function checkPassword(password: unknown): string {
  if (typeof password !== 'string' || password.length < MIN_PASSWORD_LENGTH) {
    throw new InvalidInputError(`password must be at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw new InvalidInputError(`password must be at most ${MAX_PASSWORD_LENGTH} characters`);
  }
  return password;
}

function checkRole(role: unknown): Role {
  if (!isRole(role)) {
    throw new InvalidInputError(`unknown role ${JSON.stringify(role)} (roles: ${ROLES.join(', ')})`);
  }
  return role;
}

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(checkPassword(password), ARGON2_OPTIONS);
}

// A hash verified when the user is unknown, so that the answer takes about as long either way.
let dummyHash: Promise<string> | undefined;

interface UserRow {
  id: number;
  name: string;
  display_name: string;
  password_hash: string | null;
  disabled: boolean;
  email: string | null;
  mail_opt_in: boolean;
  created_at: Date;
  updated_at: Date;
  roles: string[] | null;
}

const USER_COLUMNS = [
  'u.id',
  'u.name',
  'u.display_name',
  'u.password_hash',
  'u.disabled',
  'u.email',
  'u.mail_opt_in',
  'u.created_at',
  'u.updated_at',
];

function userQuery(db: Db) {
  return db({ u: 'users' })
    .select(USER_COLUMNS)
    .select(
      db.raw(
        `COALESCE((SELECT array_agg(r.role ORDER BY r.role) FROM user_roles r WHERE r.user_id = u.id), '{}') AS roles`,
      ),
    );
}

function toUser(row: UserRow): User {
  const roles = (row.roles ?? []).filter(isRole);
  return {
    id: row.id,
    name: row.name,
    displayName: row.display_name,
    disabled: row.disabled,
    roles: ROLES.filter((r) => roles.includes(r)),
    hasPassword: row.password_hash !== null,
    email: row.email,
    mailOptIn: row.mail_opt_in,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

async function findRow(db: Db, ref: Ref): Promise<UserRow | undefined> {
  return userQuery(db)
    .where(
      typeof ref === 'number'
        ? { 'u.id': checkId('user', ref) }
        : { 'u.name': checkNoControl('user name', ref) },
    )
    .first();
}

export async function find(db: Db, ref: Ref): Promise<User | null> {
  const row = await findRow(db, ref);
  return row ? toUser(row) : null;
}

export async function get(db: Db, ref: Ref): Promise<User> {
  const row = await findRow(db, ref);
  if (!row) throw new NotFoundError('user', ref);
  return toUser(row);
}

export async function list(db: Db, options: { includeDisabled?: boolean } = {}): Promise<User[]> {
  const q = userQuery(db).orderBy('u.name');
  if (options.includeDisabled === false) q.where('u.disabled', false);
  return ((await q) as UserRow[]).map(toUser);
}

export async function add(db: Db, input: AddUserInput): Promise<User> {
  const name = checkName('user', input.name);
  const roles = (input.roles ?? ['user']).map(checkRole);
  const hash = input.password === undefined ? null : await hashPassword(input.password);
  return inTransaction(db, async (trx) => {
    const [row] = await trx('users')
      .insert({
        name,
        display_name: input.displayName ?? '',
        password_hash: hash,
        disabled: input.disabled ?? false,
      })
      .onConflict('name')
      .ignore()
      .returning('id');
    if (!row) throw new ConflictError(`user ${JSON.stringify(name)} already exists`);
    if (roles.length > 0) {
      await trx('user_roles').insert([...new Set(roles)].map((role) => ({ user_id: row.id, role })));
    }
    return get(trx, row.id as number);
  });
}

/**
 * Sets a user's password and ends every live session and API token of the user — except
 * `keepCredential` (the session of a self-service change). Returns how many were ended.
 * Pass a transaction: the new hash and the revocations belong together.
 */
export async function setPassword(
  db: Db,
  ref: Ref,
  password: string,
  opts: { keepCredential?: number } = {},
): Promise<number> {
  const hash = await hashPassword(password);
  const id = await resolveId(db, 'users', 'user', ref);
  await db('users').where({ id }).update({ password_hash: hash, updated_at: db.fn.now() });
  const q = db('credentials').where({ user_id: id }).whereNull('revoked_at');
  if (opts.keepCredential !== undefined) q.whereNot({ id: opts.keepCredential });
  return q.update({ revoked_at: db.fn.now() });
}

/**
 * Checks a login. Never throws for a wrong name or password: returns why it failed, so the
 * caller can record `auth.failed` (without the password). An unknown name costs as much
 * time as a wrong password.
 */
export async function verifyPassword(db: Db, name: string, password: string): Promise<VerifyPasswordResult> {
  const row = typeof name === 'string' && name.length > 0 ? await findRow(db, name) : undefined;
  if (!row) {
    dummyHash ??= argon2.hash('faxgate-dummy-password', ARGON2_OPTIONS);
    await argon2.verify(await dummyHash, typeof password === 'string' ? password : '').catch(() => false);
    return { ok: false, reason: 'unknown_user' };
  }
  const user = toUser(row);
  if (row.password_hash === null) return { ok: false, reason: 'no_password', user };
  const good =
    typeof password === 'string' && password.length <= MAX_PASSWORD_LENGTH
      ? await argon2.verify(row.password_hash, password).catch(() => false)
      : false;
  if (!good) return { ok: false, reason: 'bad_password', user };
  if (user.disabled) return { ok: false, reason: 'disabled', user };
  return { ok: true, user };
}

async function setDisabled(db: Db, ref: Ref, disabled: boolean): Promise<User> {
  const id = await resolveId(db, 'users', 'user', ref);
  await db('users').where({ id }).update({ disabled, updated_at: db.fn.now() });
  return get(db, id);
}

/** A disabled user can do nothing (see `decide`); its grants and memberships stay for the record. */
export function disable(db: Db, ref: Ref): Promise<User> {
  return setDisabled(db, ref, true);
}

export function enable(db: Db, ref: Ref): Promise<User> {
  return setDisabled(db, ref, false);
}

export async function setDisplayName(db: Db, ref: Ref, displayName: string): Promise<User> {
  const id = await resolveId(db, 'users', 'user', ref);
  await db('users').where({ id }).update({ display_name: displayName, updated_at: db.fn.now() });
  return get(db, id);
}

/** Sets the user's e-mail address (null: none) and/or opt-in; the caller checks the address's form. */
export async function setMail(
  db: Db,
  ref: Ref,
  change: { email?: string | null; mailOptIn?: boolean },
): Promise<User> {
  const id = await resolveId(db, 'users', 'user', ref);
  const row: Record<string, unknown> = { updated_at: db.fn.now() };
  if (change.email !== undefined) row.email = change.email;
  if (change.mailOptIn !== undefined) row.mail_opt_in = change.mailOptIn;
  await db('users').where({ id }).update(row);
  return get(db, id);
}

/** Adds a role; returns false when the user already had it. */
export async function assignRole(db: Db, ref: Ref, role: Role): Promise<boolean> {
  const r = checkRole(role);
  const id = await resolveId(db, 'users', 'user', ref);
  const rows = await db('user_roles')
    .insert({ user_id: id, role: r })
    .onConflict(['user_id', 'role'])
    .ignore()
    .returning('role');
  if (rows.length > 0) await db('users').where({ id }).update({ updated_at: db.fn.now() });
  return rows.length > 0;
}

/** Removes a role; returns false when the user did not have it. */
export async function revokeRole(db: Db, ref: Ref, role: Role): Promise<boolean> {
  const r = checkRole(role);
  const id = await resolveId(db, 'users', 'user', ref);
  const n = await db('user_roles').where({ user_id: id, role: r }).delete();
  if (n > 0) await db('users').where({ id }).update({ updated_at: db.fn.now() });
  return n > 0;
}
