// API token operations of the directory service layer. Anyone may create, list and revoke
// their own tokens; another user's need user.manage AND the escalation rule (policy.ts) —
// a token is a credential, so a post office cannot mint one for an admin or an auditor.
import { type Credential, credentials, type Db, NotFoundError } from '@faxgate/store';
import {
  type Actor,
  lockUser,
  type OpContext,
  refersToActor,
  refOf,
  runOperation,
  type TargetUser,
} from './actor.js';
import type { Operation } from './policy.js';

async function targetOf(
  ctx: OpContext,
  ref: string | number | undefined,
  op: Operation,
  what: (name: string) => string,
): Promise<TargetUser> {
  // Someone else's: the capability first, before the name is looked up (403, not 404).
  if (ref !== undefined && !refersToActor(ctx.actor, refOf(ref))) ctx.authorize(op, what(String(ref)));
  const target = await lockUser(ctx.trx, ref === undefined ? (ctx.actor.id ?? 0) : refOf(ref));
  if (target.id !== ctx.actor.id) ctx.authorize(op, what(target.name), { target });
  return target;
}

/** Tokens of a user (default: the actor), newest first. */
export function listTokens(db: Db, actor: Actor, user?: string | number): Promise<Credential[]> {
  return runOperation(db, actor, async (ctx) => {
    const target = await targetOf(ctx, user, 'token.list', (n) => `list the tokens of ${n}`);
    return credentials.list(ctx.trx, { user: target.id, kind: 'token' });
  });
}

export interface CreateTokenInput {
  /** Whose token (default: the actor's own). */
  user?: string | number;
  name: string;
  expiresAt?: Date;
}

/** Issues an API token; the secret is in the result, once. */
export function createToken(
  db: Db,
  actor: Actor,
  input: CreateTokenInput,
): Promise<{ credential: Credential; secret: string }> {
  return runOperation(db, actor, async (ctx) => {
    const target = await targetOf(ctx, input.user, 'token.create', (n) => `create a token for ${n}`);
    const issued = await credentials.issue(ctx.trx, {
      kind: 'token',
      user: target.id,
      name: input.name,
      expiresAt: input.expiresAt,
    });
    await ctx.audit('auth.token_create', target.name, {
      token: issued.credential.id,
      name: input.name,
      expiresAt: input.expiresAt ?? null,
    });
    return issued;
  });
}

/** Revokes an API token; false when it was revoked already. */
export function revokeToken(db: Db, actor: Actor, id: number): Promise<boolean> {
  return runOperation(db, actor, async (ctx) => {
    const c =
      Number.isSafeInteger(id) && id > 0 ? await ctx.trx('credentials').where({ id }).first() : undefined;
    if (c?.kind !== 'token') throw new NotFoundError('token', id);
    const target = await targetOf(
      ctx,
      Number(c.user_id),
      'token.revoke',
      (n) => `revoke token ${id} of ${n}`,
    );
    if (!(await credentials.revoke(ctx.trx, id))) return false;
    await ctx.audit('auth.token_revoke', target.name, { token: id });
    return true;
  });
}
