// Grants: one mailbox right for a user or a group.
import type { Db } from '../db.js';
import { InvalidInputError } from '../errors.js';
import { isMailboxRight, MAILBOX_RIGHTS, type MailboxRight, rightKind } from '../model.js';
import { get as getMailbox } from './mailboxes.js';
import { type Ref, resolveId } from './refs.js';

/** Exactly one of `user` or `group`. */
export type Grantee = { user: Ref; group?: undefined } | { group: Ref; user?: undefined };

export type GrantInput = Grantee & { mailbox: Ref; right: MailboxRight };

export interface Grant {
  id: number;
  userId: number | null;
  userName: string | null;
  groupId: number | null;
  groupName: string | null;
  mailboxId: number;
  mailboxName: string;
  mailboxKind: 'incoming' | 'outgoing';
  right: MailboxRight;
  createdAt: Date;
}

export function checkRight(right: unknown): MailboxRight {
  if (!isMailboxRight(right)) {
    throw new InvalidInputError(
      `unknown right ${JSON.stringify(right)} (rights: ${MAILBOX_RIGHTS.join(', ')})`,
    );
  }
  return right;
}

async function resolveGrantee(
  db: Db,
  g: Grantee,
): Promise<{ user_id: number | null; group_id: number | null }> {
  const hasUser = g.user !== undefined && g.user !== null;
  const hasGroup = g.group !== undefined && g.group !== null;
  if (hasUser === hasGroup) throw new InvalidInputError('a grant names exactly one of a user or a group');
  return hasUser
    ? { user_id: await resolveId(db, 'users', 'user', g.user as Ref), group_id: null }
    : { user_id: null, group_id: await resolveId(db, 'groups', 'group', g.group as Ref) };
}

async function resolve(db: Db, input: GrantInput) {
  const right = checkRight(input.right);
  const who = await resolveGrantee(db, input);
  const mailbox = await getMailbox(db, input.mailbox);
  if (rightKind(right) !== mailbox.kind) {
    throw new InvalidInputError(
      `right ${right} applies to ${rightKind(right)} mailboxes; ${JSON.stringify(mailbox.name)} is ${mailbox.kind}`,
    );
  }
  return { right, who, mailbox };
}

function grantQuery(db: Db) {
  return db({ gr: 'grants' })
    .leftJoin({ u: 'users' }, 'u.id', 'gr.user_id')
    .leftJoin({ g: 'groups' }, 'g.id', 'gr.group_id')
    .join({ mb: 'mailboxes' }, 'mb.id', 'gr.mailbox_id')
    .select(
      'gr.id',
      'gr.user_id',
      'u.name as user_name',
      'gr.group_id',
      'g.name as group_name',
      'gr.mailbox_id',
      'mb.name as mailbox_name',
      'mb.kind as mailbox_kind',
      'gr.right',
      'gr.created_at',
    )
    .orderBy([{ column: 'mb.name' }, { column: 'gr.right' }, { column: 'gr.id' }]);
}

// biome-ignore lint/suspicious/noExplicitAny: a row of grantQuery
function toGrant(r: any): Grant {
  return {
    id: r.id,
    userId: r.user_id,
    userName: r.user_name,
    groupId: r.group_id,
    groupName: r.group_name,
    mailboxId: r.mailbox_id,
    mailboxName: r.mailbox_name,
    mailboxKind: r.mailbox_kind,
    right: r.right,
    createdAt: r.created_at,
  };
}

/**
 * Grants a right; idempotent (granting what exists returns the existing grant with
 * `created: false`). InvalidInputError for an unknown right or one of the wrong mailbox kind.
 */
export async function grant(db: Db, input: GrantInput): Promise<Grant & { created: boolean }> {
  const { right, who, mailbox } = await resolve(db, input);
  const [row] = await db('grants')
    .insert({ ...who, mailbox_id: mailbox.id, mailbox_kind: mailbox.kind, right })
    .onConflict(
      db.raw(
        who.user_id !== null
          ? '(user_id, mailbox_id, "right") WHERE user_id IS NOT NULL'
          : '(group_id, mailbox_id, "right") WHERE group_id IS NOT NULL',
      ),
    )
    .ignore()
    .returning('id');
  const existing = await grantQuery(db)
    .where({ ...(who.user_id !== null ? { 'gr.user_id': who.user_id } : { 'gr.group_id': who.group_id }) })
    .where({ 'gr.mailbox_id': mailbox.id, 'gr.right': right })
    .first();
  return { ...toGrant(existing), created: row !== undefined };
}

/** Revokes a right; returns false when it was not granted. */
export async function revoke(db: Db, input: GrantInput): Promise<boolean> {
  const { right, who, mailbox } = await resolve(db, input);
  const q = db('grants').where({ mailbox_id: mailbox.id, right });
  if (who.user_id !== null) q.where({ user_id: who.user_id });
  else q.where({ group_id: who.group_id });
  return (await q.delete()) > 0;
}

/**
 * Grants held directly by a user or a group, or all grants on a mailbox. For a user,
 * `{ user, effective: true }` also lists the grants it holds through its groups.
 */
export async function listFor(
  db: Db,
  filter: { user: Ref; effective?: boolean } | { group: Ref } | { mailbox: Ref },
): Promise<Grant[]> {
  const q = grantQuery(db);
  if ('user' in filter) {
    const userId = await resolveId(db, 'users', 'user', filter.user);
    if (filter.effective) {
      q.where((w) =>
        w
          .where('gr.user_id', userId)
          .orWhereIn('gr.group_id', db('group_members').select('group_id').where({ user_id: userId })),
      );
    } else q.where('gr.user_id', userId);
  } else if ('group' in filter) {
    q.where('gr.group_id', await resolveId(db, 'groups', 'group', filter.group));
  } else if ('mailbox' in filter) {
    q.where('gr.mailbox_id', await resolveId(db, 'mailboxes', 'mailbox', filter.mailbox));
  } else {
    throw new InvalidInputError('listFor needs a user, a group or a mailbox');
  }
  return (await q).map(toGrant);
}
