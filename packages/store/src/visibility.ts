// Who may see which fax — the one place (the API's single-fax checks, its fax lists and the
// CLI all ask here). Metadata (numbers, times, pages, state): holders of metadata.read see
// every fax, holders of queue.read every outgoing fax, anyone else the faxes of mailboxes it
// holds a right on (directly or through a group) and the faxes it submitted itself. Content
// (the pages) is stricter: in.read on the mailbox for a received fax; for a sent fax its
// owner, or out.send / out.modify on the mailbox — never the auditor (see `decide`).
import type { Knex } from 'knex';
import { type AuthzFacts, decide, loadFacts } from './authz.js';
import type { Db } from './db.js';
import { CAPABILITY_ROLES, type FaxDirection, type MailboxKind, type Role } from './model.js';
import { type ActorRef, actorId } from './services/refs.js';

/** What a fax-visibility decision about one viewer depends on. */
export interface FaxViewer {
  userId: number;
  disabled: boolean;
  roles: readonly Role[];
  /** Mailboxes on which the viewer holds at least one right, directly or through a group. */
  mailboxIds: readonly number[];
}

/** The part of a fax the decision looks at. */
export interface FaxRef {
  direction: FaxDirection;
  mailboxId: number | null;
  ownerUserId: number | null;
}

const holds = (roles: readonly Role[], cap: 'metadata.read' | 'queue.read') =>
  roles.some((r) => CAPABILITY_ROLES[cap].includes(r));

/**
 * The mailboxes whose faxes (of `direction`, or of both when omitted) the viewer sees:
 * 'all', or a list of ids (its own submissions come on top, see `decideFaxMetadata`).
 */
export function visibleScope(v: FaxViewer, direction?: FaxDirection): 'all' | 'none' | readonly number[] {
  if (v.disabled) return 'none';
  if (holds(v.roles, 'metadata.read')) return 'all';
  if (direction === 'out' && holds(v.roles, 'queue.read')) return 'all';
  if (v.roles.includes('auditor')) return [];
  return v.mailboxIds;
}

/** May the viewer see this fax's metadata? The pure rule; `whereFaxVisible` is the same in SQL. */
export function decideFaxMetadata(v: FaxViewer, fax: FaxRef): boolean {
  if (v.disabled) return false;
  if (fax.ownerUserId !== null && fax.ownerUserId === v.userId) return true;
  const scope = visibleScope(v, fax.direction);
  if (scope === 'all') return true;
  if (scope === 'none') return false;
  return fax.mailboxId !== null && scope.includes(fax.mailboxId);
}

/** May the viewer read this fax's pages? `facts` are loadFacts(viewer, fax.mailboxId). */
export function decideFaxContent(facts: AuthzFacts, userId: number, fax: FaxRef): boolean {
  const user = facts.user;
  if (!user || user.disabled || fax.mailboxId === null) return false;
  if (fax.direction === 'in') return decide(facts, 'in.read');
  if (user.roles.includes('auditor')) return false;
  if (fax.ownerUserId !== null && fax.ownerUserId === userId) return true;
  return decide(facts, 'out.send') || decide(facts, 'out.modify');
}

/** Loads a viewer (null when the user does not exist). */
export async function loadViewer(db: Db, userId: number): Promise<FaxViewer | null> {
  if (!Number.isSafeInteger(userId) || userId <= 0) return null;
  const { rows } = await db.raw(
    `SELECT u.id, u.disabled,
            ARRAY(SELECT r.role FROM user_roles r WHERE r.user_id = u.id) AS roles,
            ARRAY(SELECT DISTINCT g.mailbox_id FROM grants g
                   WHERE g.user_id = u.id
                      OR g.group_id IN (SELECT m.group_id FROM group_members m WHERE m.user_id = u.id)) AS mailbox_ids
       FROM users u WHERE u.id = ?`,
    [userId],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    userId: Number(row.id),
    disabled: row.disabled,
    roles: row.roles,
    mailboxIds: (row.mailbox_ids as Array<string | number>).map(Number),
  };
}

/**
 * Restricts a query on `faxes` (aliased or not: `column` qualifies the names) to the faxes
 * whose metadata the viewer sees — the SQL form of `decideFaxMetadata`.
 */
export function whereFaxVisible<Q extends Knex.QueryBuilder>(
  query: Q,
  v: FaxViewer,
  direction?: FaxDirection,
  column: (name: string) => string = (n) => n,
): Q {
  if (v.disabled) return query.whereRaw('false') as Q;
  if (holds(v.roles, 'metadata.read')) return query;
  const outAll = holds(v.roles, 'queue.read');
  const ids = v.roles.includes('auditor') ? [] : [...v.mailboxIds];
  return query.where((w) => {
    w.where(column('owner_user_id'), v.userId);
    if (ids.length > 0) w.orWhereIn(column('mailbox_id'), ids);
    if (outAll && direction !== 'in') w.orWhere(column('direction'), 'out');
  }) as Q;
}

/** May user `userId` see the fax's metadata? */
export async function canSeeFax(db: Db, userId: number, fax: FaxRef): Promise<boolean> {
  const v = await loadViewer(db, userId);
  return v !== null && decideFaxMetadata(v, fax);
}

/** May user `userId` read the fax's pages? */
export async function canReadFaxContent(db: Db, userId: number, fax: FaxRef): Promise<boolean> {
  if (fax.mailboxId === null) return false;
  return decideFaxContent(await loadFacts(db, { id: userId }, fax.mailboxId), userId, fax);
}

/** May the viewer see the metadata of every fax in this mailbox (its own submissions aside)? */
export function decideMailboxMetadata(v: FaxViewer, mailbox: { id: number; kind: MailboxKind }): boolean {
  const scope = visibleScope(v, mailbox.kind === 'incoming' ? 'in' : 'out');
  if (scope === 'all') return true;
  if (scope === 'none') return false;
  return scope.includes(mailbox.id);
}

/** May `actor` read the fax metadata of the mailbox? See `decideMailboxMetadata`. */
export async function canReadMetadata(db: Db, actor: ActorRef, mailboxId: number): Promise<boolean> {
  if (!Number.isSafeInteger(mailboxId) || mailboxId <= 0) return false;
  const ref = actorId(actor);
  const user = typeof ref === 'number' ? { id: ref } : await db('users').where({ name: ref }).first('id');
  const v = user ? await loadViewer(db, Number(user.id)) : null;
  const mailbox = await db('mailboxes').where({ id: mailboxId }).first('id', 'kind');
  return (
    v !== null &&
    mailbox !== undefined &&
    decideMailboxMetadata(v, { id: Number(mailbox.id), kind: mailbox.kind })
  );
}
