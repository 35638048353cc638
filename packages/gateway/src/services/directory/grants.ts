// Grant operations of the directory service layer: mailbox rights of groups (the rule,
// M 2.179) and of single users. A right for a group needs user.manage; a right for a user
// is an operation on that user, so the escalation rule applies to it as well.
import { type Db, type Grant, grants, type MailboxRight, NotFoundError } from '@faxgate/store';
import { type Actor, lockUser, type OpContext, refOf, runOperation } from './actor.js';

export type GrantFilter =
  | { mailbox: string | number }
  | { user: string | number }
  | { group: string | number };

/** Grants on a mailbox, of a user (effective: through its groups too) or of a group. */
export function listGrants(db: Db, actor: Actor, filter: GrantFilter): Promise<Grant[]> {
  return runOperation(db, actor, async (ctx) => {
    ctx.authorize('grant.list', 'list grants');
    if ('mailbox' in filter) return grants.listFor(ctx.trx, { mailbox: refOf(filter.mailbox) });
    if ('user' in filter) return grants.listFor(ctx.trx, { user: refOf(filter.user), effective: true });
    return grants.listFor(ctx.trx, { group: refOf(filter.group) });
  });
}

export type GrantRequest = { mailbox: string | number; right: MailboxRight } & (
  | { user: string | number; group?: undefined }
  | { group: string | number; user?: undefined }
);

async function authorizeGrantee(
  ctx: OpContext,
  who: { user?: string | number | null; group?: string | number | null },
  what: string,
): Promise<{ user: number } | { group: string | number }> {
  if (who.user !== undefined && who.user !== null) {
    ctx.authorize('grant.user', what); // the capability before any look-up
    const target = await lockUser(ctx.trx, refOf(who.user));
    ctx.authorize('grant.user', what, { target });
    return { user: target.id };
  }
  ctx.authorize('grant.group', what);
  return { group: refOf(who.group as string | number) };
}

/** Grants a right; idempotent (`created: false` when it existed). */
export function grantRight(db: Db, actor: Actor, req: GrantRequest): Promise<Grant & { created: boolean }> {
  return runOperation(db, actor, async (ctx) => {
    const grantee = await authorizeGrantee(
      ctx,
      req,
      `grant ${req.right} on ${req.mailbox} to ${req.user ?? `group ${req.group}`}`,
    );
    const r = await grants.grant(ctx.trx, { ...grantee, mailbox: refOf(req.mailbox), right: req.right });
    if (r.created) {
      await ctx.audit('admin.grant', `mailbox:${r.mailboxName}`, {
        right: r.right,
        user: r.userName,
        group: r.groupName,
      });
    }
    return r;
  });
}

/** Revokes the grant with this id. */
export function revokeGrant(db: Db, actor: Actor, id: number): Promise<void> {
  return runOperation(db, actor, async (ctx) => {
    const row =
      Number.isSafeInteger(id) && id > 0 ? await ctx.trx('grants').where({ id }).first() : undefined;
    if (!row) throw new NotFoundError('grant', id, `grant ${id} does not exist`);
    const grantee = await authorizeGrantee(
      ctx,
      {
        user: row.user_id === null ? null : Number(row.user_id),
        group: row.group_id === null ? null : Number(row.group_id),
      },
      `revoke grant ${id}`,
    );
    await grants.revoke(ctx.trx, { ...grantee, mailbox: Number(row.mailbox_id), right: row.right });
    await ctx.audit('admin.revoke', `mailbox:${row.mailbox_id}`, {
      right: row.right,
      grant: Number(row.id),
      userId: row.user_id === null ? null : Number(row.user_id),
      groupId: row.group_id === null ? null : Number(row.group_id),
    });
  });
}
