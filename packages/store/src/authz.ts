// The one authorisation function. Every code path that touches a mailbox, a fax, a log or
// an administrative function asks `can()` (or, without a database, `decide()`). Which fax
// (or mailbox) metadata a user sees is visibility.ts, built on the same facts.
import type { Db } from './db.js';
import { InvalidInputError } from './errors.js';
import {
  CAPABILITY_ROLES,
  isCapability,
  isMailboxRight,
  MAILBOX_RIGHTS,
  type MailboxKind,
  type MailboxRight,
  type Permission,
  type Role,
  rightKind,
} from './model.js';
import { type ActorRef, actorId } from './services/refs.js';

/** Everything a decision depends on, loaded fresh from the database for every check. */
export interface AuthzFacts {
  /** The acting user, or null when it does not exist. */
  user: { disabled: boolean; roles: readonly Role[] } | null;
  /** The mailbox the permission is asked for (mailbox rights only), or null when it does not exist. */
  mailbox?: { kind: MailboxKind } | null;
  /** Rights the user holds on that mailbox, directly or through any of its groups. */
  rights?: readonly MailboxRight[];
}

/** Roles that reach every mailbox with every right of its kind (M 2.180: the post office sees all). */
export const ALL_MAILBOX_ROLES: readonly Role[] = ['admin', 'postoffice'];

/**
 * The pure core of `can`. Rules, in order:
 * 1. unknown user or disabled user → no;
 * 2. a capability → yes iff one of the user's roles holds it (CAPABILITY_ROLES);
 * 3. a mailbox right on a missing mailbox, or on a mailbox of the other kind → no;
 * 4. admin or postoffice → yes;
 * 5. auditor → no: the auditor reads logs and metadata, never fax content, even when
 *    someone granted it a right (separation of duties);
 * 6. otherwise yes iff the right was granted to the user or to one of its groups.
 * Anything unknown is denied.
 */
export function decide(facts: AuthzFacts, permission: Permission): boolean {
  const user = facts.user;
  if (!user || user.disabled) return false;
  if (isCapability(permission)) return user.roles.some((r) => CAPABILITY_ROLES[permission].includes(r));
  if (!isMailboxRight(permission)) return false;
  const mailbox = facts.mailbox;
  if (!mailbox || rightKind(permission) !== mailbox.kind) return false;
  if (user.roles.some((r) => ALL_MAILBOX_ROLES.includes(r))) return true;
  if (user.roles.includes('auditor')) return false;
  return (facts.rights ?? []).includes(permission);
}

function checkPermission(permission: unknown): Permission {
  if (!isMailboxRight(permission) && !isCapability(permission)) {
    throw new InvalidInputError(`unknown right or capability ${JSON.stringify(permission)}`);
  }
  return permission;
}

/** Loads the facts for `actor` (and `mailboxId`). Unknown actor or mailbox → null there. */
export async function loadFacts(db: Db, actor: ActorRef, mailboxId?: number): Promise<AuthzFacts> {
  const ref = actorId(actor);
  const userCond = typeof ref === 'number' ? 'u.id = ?' : 'u.name = ?';
  const withMailbox = mailboxId !== undefined;
  const sql = `
    SELECT u.disabled,
           ARRAY(SELECT r.role FROM user_roles r WHERE r.user_id = u.id) AS roles
           ${
             withMailbox
               ? `, (SELECT mb.kind FROM mailboxes mb WHERE mb.id = ?) AS mailbox_kind,
           ARRAY(SELECT DISTINCT g."right" FROM grants g
                  WHERE g.mailbox_id = ?
                    AND (g.user_id = u.id
                         OR g.group_id IN (SELECT m.group_id FROM group_members m WHERE m.user_id = u.id))) AS rights`
               : ''
           }
      FROM users u WHERE ${userCond}`;
  if (withMailbox && (!Number.isSafeInteger(mailboxId) || (mailboxId as number) <= 0)) {
    return { user: null, mailbox: null, rights: [] };
  }
  const bindings = withMailbox ? [mailboxId, mailboxId, ref] : [ref];
  const { rows } = await db.raw(sql, bindings as (string | number)[]);
  const row = rows[0];
  if (!row) return { user: null, mailbox: null, rights: [] };
  return {
    user: { disabled: row.disabled, roles: row.roles },
    ...(withMailbox
      ? { mailbox: row.mailbox_kind ? { kind: row.mailbox_kind } : null, rights: row.rights }
      : {}),
  };
}

/**
 * May `actor` exercise `permission`? A mailbox right needs `mailboxId`; a capability takes
 * none. Unknown actor or mailbox → false. An unknown permission string is a programming
 * error → InvalidInputError.
 */
export async function can(
  db: Db,
  actor: ActorRef,
  permission: Permission,
  mailboxId?: number,
): Promise<boolean> {
  const p = checkPermission(permission);
  if (isMailboxRight(p)) {
    if (mailboxId === undefined) throw new InvalidInputError(`right ${p} needs a mailbox`);
    return decide(await loadFacts(db, actor, mailboxId), p);
  }
  return decide(await loadFacts(db, actor), p);
}

/** May `actor` read the send/receive log? (`log.read`: admin, postoffice, auditor) */
export function canReadLogs(db: Db, actor: ActorRef): Promise<boolean> {
  return can(db, actor, 'log.read');
}

/** May `actor` read, export and verify the audit trail? (`audit.read`: admin, auditor) */
export function canReadAudit(db: Db, actor: ActorRef): Promise<boolean> {
  return can(db, actor, 'audit.read');
}

/** The rights `actor` effectively holds on a mailbox (after all rules of `decide`). */
export async function effectiveRights(db: Db, actor: ActorRef, mailboxId: number): Promise<MailboxRight[]> {
  const facts = await loadFacts(db, actor, mailboxId);
  const kind = facts.mailbox?.kind;
  if (!kind) return [];
  return MAILBOX_RIGHTS.filter((r) => rightKind(r) === kind && decide(facts, r));
}
