// User operations of the directory service layer: list, create, change (display name,
// password, disabled, roles) and the self-service password change. Every one is checked
// against policy.ts and audited in its own transaction (see actor.ts).
import {
  credentials,
  type Db,
  InvalidInputError,
  isRole,
  ROLES,
  type Role,
  type User,
  users,
} from '@faxgate/store';
import { checkMailAddress } from '../../mail/address.js';
import { type Actor, lockUser, OLD_PASSWORD_WRONG, refersToActor, refOf, runOperation } from './actor.js';

function checkRoles(roles: unknown): Role[] {
  if (!Array.isArray(roles)) throw new InvalidInputError('roles must be a list');
  for (const r of roles) {
    if (!isRole(r)) {
      throw new InvalidInputError(`unknown role ${JSON.stringify(r)} (roles: ${ROLES.join(', ')})`);
    }
  }
  return [...new Set(roles as Role[])];
}

export function listUsers(db: Db, actor: Actor): Promise<User[]> {
  return runOperation(db, actor, async (ctx) => {
    ctx.authorize('user.list', 'list users');
    return users.list(ctx.trx);
  });
}

export interface CreateUserInput {
  name: string;
  displayName?: string;
  password?: string;
  roles?: Role[];
  disabled?: boolean;
}

export function createUser(db: Db, actor: Actor, input: CreateUserInput): Promise<User> {
  const roles = checkRoles(input.roles ?? ['user']);
  return runOperation(db, actor, async (ctx) => {
    ctx.authorize('user.create', `create user ${input.name} with roles ${roles.join(',') || '(none)'}`, {
      givenRoles: roles,
    });
    const created = await users.add(ctx.trx, { ...input, roles });
    await ctx.audit('admin.user_add', `user:${created.name}`, {
      roles: created.roles,
      displayName: created.displayName,
      password: created.hasPassword,
      disabled: created.disabled,
    });
    return created;
  });
}

export interface UserChange {
  displayName?: string;
  disabled?: boolean;
  /** A new password. Someone else's: a reset (user.manage and the rule). One's own: needs `oldPassword`. */
  password?: string;
  oldPassword?: string;
  /** The complete new set of roles. */
  roles?: Role[];
  /** Own e-mail address for fax mails (null: none); like the display name, one's own for everyone. */
  email?: string | null;
  /** Whether fax mails go to that address (mail/README.md). */
  mailOptIn?: boolean;
}

export interface UserChangeOptions {
  /** The credential the request came with: kept alive by a self-service password change. */
  currentCredential?: number;
}

/**
 * Changes a user. All checks come first, then all changes, in one transaction: a refusal
 * of any part changes nothing.
 */
export function updateUser(
  db: Db,
  actor: Actor,
  ref: string | number,
  change: UserChange,
  opts: UserChangeOptions = {},
): Promise<User> {
  const wanted = change.roles === undefined ? undefined : checkRoles(change.roles);
  return runOperation(db, actor, async (ctx) => {
    // Without user.manage, someone else's account is refused before it is looked up: the
    // answer (403, not 404) does not tell which names exist.
    if (!refersToActor(ctx.actor, refOf(ref))) ctx.authorize('user.modify', `change user ${ref}`);
    const target = await lockUser(ctx.trx, refOf(ref));
    const self = ctx.actor.id === target.id;
    const subject = `user:${target.name}`;
    const added = wanted?.filter((r) => !target.roles.includes(r)) ?? [];
    const removed = wanted === undefined ? [] : target.roles.filter((r) => !wanted.includes(r));

    // --- checks ---
    if (change.displayName !== undefined && !self) {
      ctx.authorize('user.modify', `change the display name of ${target.name}`, { target });
    }
    if (change.password !== undefined) {
      if (self) {
        if (change.oldPassword === undefined) {
          throw new InvalidInputError('changing your own password needs oldPassword (the current one)');
        }
        const check = await users.verifyPassword(ctx.trx, target.name, change.oldPassword);
        if (!check.ok) ctx.refuse(`change the password of ${target.name}`, OLD_PASSWORD_WRONG);
      } else {
        ctx.authorize('user.password', `set the password of ${target.name}`, { target });
      }
    }
    const email =
      change.email === undefined || change.email === null ? change.email : checkMailAddress(change.email);
    if ((change.email !== undefined || change.mailOptIn !== undefined) && !self) {
      ctx.authorize('user.modify', `change the e-mail settings of ${target.name}`, { target });
    }
    // Asked for, the check runs even when nothing would change: a no-op is no way around it.
    if (change.disabled !== undefined) {
      ctx.authorize('user.disable', `${change.disabled ? 'disable' : 'enable'} user ${target.name}`, {
        target,
      });
    }
    if (wanted !== undefined) {
      ctx.authorize('role.assign', `give ${target.name} the roles ${wanted.join(',') || '(none)'}`, {
        target,
        givenRoles: added,
      });
    }
    if (removed.length > 0) {
      ctx.authorize('role.revoke', `take the roles ${removed.join(',')} from ${target.name}`, {
        target,
        givenRoles: removed,
      });
    }

    // --- changes ---
    if (change.displayName !== undefined) {
      await users.setDisplayName(ctx.trx, target.id, change.displayName);
      await ctx.audit('admin.user_modify', subject, { displayName: change.displayName });
    }
    if (email !== undefined || change.mailOptIn !== undefined) {
      await users.setMail(ctx.trx, target.id, { email, mailOptIn: change.mailOptIn });
      await ctx.audit('admin.user_modify', subject, {
        ...(email !== undefined ? { email } : {}),
        ...(change.mailOptIn !== undefined ? { mailOptIn: change.mailOptIn } : {}),
      });
    }
    if (change.password !== undefined) {
      const keep = self ? opts.currentCredential : undefined;
      const ended = await users.setPassword(ctx.trx, target.id, change.password, { keepCredential: keep });
      await ctx.audit('admin.password_set', subject, { self, credentialsEnded: ended });
    }
    if (change.disabled !== undefined && change.disabled !== target.disabled) {
      if (change.disabled) {
        await users.disable(ctx.trx, target.id);
        const ended = await credentials.revokeAllOf(ctx.trx, target.id);
        await ctx.audit('admin.user_disable', subject, { credentialsEnded: ended });
      } else {
        await users.enable(ctx.trx, target.id);
        await ctx.audit('admin.user_enable', subject);
      }
    }
    for (const r of added) {
      if (await users.assignRole(ctx.trx, target.id, r))
        await ctx.audit('admin.role_assign', subject, { role: r });
    }
    for (const r of removed) {
      if (await users.revokeRole(ctx.trx, target.id, r))
        await ctx.audit('admin.role_revoke', subject, { role: r });
    }
    return users.get(ctx.trx, target.id);
  });
}

/** Self-service: one's own password, given the old one; ends one's other sessions and tokens. */
export function changeOwnPassword(
  db: Db,
  actor: Actor & { id: number },
  input: { oldPassword: string; newPassword: string },
  opts: UserChangeOptions = {},
): Promise<User> {
  return updateUser(
    db,
    actor,
    actor.id,
    { password: input.newPassword, oldPassword: input.oldPassword },
    opts,
  );
}
