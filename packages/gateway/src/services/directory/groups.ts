// Group operations of the directory service layer. Groups carry mailbox rights, never roles
// (policy.ts): creating and listing groups needs user.manage; adding or removing a member
// is an operation on that member, so the escalation rule applies to it.
import { type Db, type Group, groups } from '@faxgate/store';
import { type Actor, lockUser, refOf, runOperation } from './actor.js';

export function listGroups(db: Db, actor: Actor): Promise<Group[]> {
  return runOperation(db, actor, async (ctx) => {
    ctx.authorize('group.list', 'list groups');
    return groups.list(ctx.trx);
  });
}

export function createGroup(
  db: Db,
  actor: Actor,
  input: { name: string; description?: string },
): Promise<Group> {
  return runOperation(db, actor, async (ctx) => {
    ctx.authorize('group.create', `create group ${input.name}`);
    const g = await groups.add(ctx.trx, input);
    await ctx.audit('admin.group_add', `group:${g.name}`, { description: g.description });
    return g;
  });
}

/** Adds (`add: true`) or removes a member; returns whether anything changed. */
export function setMember(
  db: Db,
  actor: Actor,
  input: { group: string | number; user: string | number; add: boolean },
): Promise<boolean> {
  return runOperation(db, actor, async (ctx) => {
    ctx.authorize('group.member', `change the members of group ${input.group}`); // before any look-up
    const target = await lockUser(ctx.trx, refOf(input.user));
    const group = await groups.get(ctx.trx, refOf(input.group));
    ctx.authorize(
      'group.member',
      `${input.add ? 'add' : 'remove'} ${target.name} ${input.add ? 'to' : 'from'} group ${group.name}`,
      { target },
    );
    const changed = input.add
      ? await groups.addMember(ctx.trx, group.id, target.id)
      : await groups.removeMember(ctx.trx, group.id, target.id);
    if (changed) {
      await ctx.audit(input.add ? 'admin.member_add' : 'admin.member_remove', `group:${group.name}`, {
        user: target.name,
      });
    }
    return changed;
  });
}
