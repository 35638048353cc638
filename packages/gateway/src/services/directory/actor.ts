// Who acts in the directory services, and the one way every operation runs: in ONE
// transaction, the actor and the target are loaded (and locked), the policy decides, the
// change is made and its audit event appended. A refusal rolls everything back, is recorded
// as an `access.denied` event of its own and surfaces as a typed DirectoryForbiddenError.
import { type AuditEventType, appendAuditEvent } from '@faxgate/audit';
import { type Db, InvalidInputError, isRole, type Knex, NotFoundError, type Role } from '@faxgate/store';
import { DirectoryForbiddenError } from './errors.js';
import { decideOperation, type Operation } from './policy.js';

/** A faxgate user acting (API, console), or the offline system session (`system:<os user>`). */
export type Actor = { id: number; name: string; via?: string } | { system: string; via?: string };

/** The actor as loaded inside the operation's transaction. */
export interface LoadedActor {
  /** The user's id; null for the system session. */
  id: number | null;
  /** How the audit trail names it. */
  label: string;
  /** The system session holds every role. */
  roles: readonly Role[];
  via: string;
}

export interface TargetUser {
  id: number;
  name: string;
  roles: Role[];
  disabled: boolean;
}

/** The refusal of a self-service password change with a wrong old password (throttled like a login). */
export const OLD_PASSWORD_WRONG = 'the old password is wrong';

/** Raised inside a transaction to roll it back; `run` turns it into access.denied + 403. */
class Refusal extends Error {
  constructor(
    readonly what: string,
    readonly reason: string,
    readonly details: Record<string, unknown>,
  ) {
    super(`${what}: ${reason}`);
  }
}

export type Trx = Knex.Transaction;

export function actorLabel(a: Actor): string {
  if ('system' in a) return /^(system|demo):/.test(a.system) ? a.system : `system:${a.system}`;
  return a.name;
}

const ALL_ROLES: readonly Role[] = ['admin', 'postoffice', 'operator', 'auditor', 'user'];

// The actor's row is read, not locked: locking it too (while the target is locked FOR
// UPDATE) would let two admins acting on each other at once deadlock. Its roles are those
// committed when the operation starts.
async function loadActor(trx: Trx, a: Actor): Promise<LoadedActor | null> {
  const via = a.via ?? ('system' in a ? 'system' : 'api');
  if ('system' in a) return { id: null, label: actorLabel(a), roles: ALL_ROLES, via };
  const { rows } = await trx.raw(
    `SELECT u.disabled, ARRAY(SELECT r.role FROM user_roles r WHERE r.user_id = u.id) AS roles
       FROM users u WHERE u.id = ?`,
    [a.id],
  );
  const row = rows[0];
  if (!row || row.disabled) return null;
  return { id: a.id, label: a.name, roles: (row.roles as string[]).filter(isRole), via };
}

const USER_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

/** The target user, locked for the rest of the transaction (its roles cannot change under us). */
export async function lockUser(trx: Trx, ref: number | string): Promise<TargetUser> {
  const byId = typeof ref === 'number';
  if (byId ? !Number.isSafeInteger(ref) || ref <= 0 : !USER_NAME.test(ref)) {
    throw new InvalidInputError(`user ${JSON.stringify(String(ref))} is not a valid user id or name`);
  }
  const { rows } = await trx.raw(
    `SELECT u.id, u.name, u.disabled, ARRAY(SELECT r.role FROM user_roles r WHERE r.user_id = u.id) AS roles
       FROM users u WHERE ${byId ? 'u.id = ?' : 'u.name = ?'} FOR UPDATE`,
    [ref],
  );
  const row = rows[0];
  if (!row) throw new NotFoundError('user', ref);
  return {
    id: Number(row.id),
    name: row.name,
    disabled: row.disabled,
    roles: (row.roles as string[]).filter(isRole),
  };
}

/** Whether `ref` (an id or a name) names the acting user itself. */
export function refersToActor(actor: LoadedActor, ref: string | number): boolean {
  return actor.id !== null && (ref === actor.id || ref === actor.label);
}

/** What an operation's body gets. */
export interface OpContext {
  trx: Trx;
  actor: LoadedActor;
  /** Refuses (rolls back, records access.denied, throws DirectoryForbiddenError). */
  refuse(what: string, reason: string, details?: Record<string, unknown>): never;
  /** Checks `op` against the policy for this actor; refuses when it says no. */
  authorize(
    op: Operation,
    what: string,
    opts?: { target?: TargetUser; givenRoles?: readonly Role[]; details?: Record<string, unknown> },
  ): void;
  /** Appends an audit event in the transaction (actor and `via` filled in). */
  audit(type: AuditEventType, subject: string, details?: Record<string, unknown>): Promise<void>;
}

/** Runs one directory operation as `actor`: check, change and audit event in one transaction. */
export async function runOperation<T>(db: Db, actor: Actor, fn: (ctx: OpContext) => Promise<T>): Promise<T> {
  try {
    return await db.transaction(async (trx) => {
      const loaded = await loadActor(trx, actor);
      if (!loaded) throw new Refusal('act', 'the account does not exist or is disabled', {});
      const ctx: OpContext = {
        trx,
        actor: loaded,
        refuse(what, reason, details = {}) {
          throw new Refusal(what, reason, details);
        },
        authorize(op, what, opts = {}) {
          const d = decideOperation(loaded.roles, op, {
            targetRoles: opts.target?.roles,
            givenRoles: opts.givenRoles,
          });
          if (!d.ok) {
            throw new Refusal(what, d.reason, {
              operation: op,
              needed: d.needed,
              ...(opts.target ? { target: opts.target.name, targetRoles: opts.target.roles } : {}),
              ...(opts.givenRoles ? { roles: opts.givenRoles } : {}),
              ...opts.details,
            });
          }
        },
        async audit(type, subject, details = {}) {
          await appendAuditEvent(trx, {
            type,
            actor: loaded.label,
            actorId: loaded.id,
            subject,
            details: { ...details, via: loaded.via },
          });
        },
      };
      return fn(ctx);
    });
  } catch (e) {
    if (!(e instanceof Refusal)) throw e;
    const label = actorLabel(actor);
    await db.transaction((trx) =>
      appendAuditEvent(trx, {
        type: 'access.denied',
        actor: label,
        actorId: 'id' in actor ? actor.id : null,
        subject: e.what,
        details: { ...e.details, reason: e.reason, via: actor.via ?? ('system' in actor ? 'system' : 'api') },
      }),
    );
    throw new DirectoryForbiddenError(`${label} may not ${e.what}: ${e.reason}`, e.details, e.reason);
  }
}

/** A name or a numeric id, as the store takes it. */
export const refOf = (s: string | number): string | number =>
  typeof s === 'number' ? s : /^[0-9]+$/.test(s) ? Number(s) : s;
