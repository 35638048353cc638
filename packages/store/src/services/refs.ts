// Resolving references (id or name) to rows, with typed errors.
import type { Db } from '../db.js';
import { InvalidInputError, NotFoundError } from '../errors.js';
import { checkNoControl } from '../names.js';

/** A user, group or mailbox is named by its numeric id or by its unique name. */
export type Ref = number | string;

/** What a caller who acts is: a user id, a user name, or an object with the user's id. */
export type ActorRef = number | string | { id: number };

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

export function checkName(what: string, name: unknown): string {
  if (typeof name !== 'string' || !NAME_RE.test(name)) {
    throw new InvalidInputError(
      `${what} name ${JSON.stringify(name)} is invalid: 1–64 characters of A–Z a–z 0–9 . _ @ -, starting with a letter or digit`,
    );
  }
  return name;
}

function checkRef(what: string, ref: unknown): Ref {
  if (typeof ref === 'number') {
    if (!Number.isSafeInteger(ref) || ref <= 0) throw new InvalidInputError(`${what} id ${ref} is invalid`);
    return ref;
  }
  // A name that no name can be (control characters, NUL) is a bad request, not a lookup.
  if (typeof ref === 'string' && ref.length > 0) return checkNoControl(`${what} name`, ref);
  throw new InvalidInputError(`${what} reference ${JSON.stringify(ref)} is invalid`);
}

/** Resolves a ref of `table` to its id; throws NotFoundError. */
export async function resolveId(
  db: Db,
  table: 'users' | 'groups' | 'mailboxes',
  what: string,
  ref: Ref,
): Promise<number> {
  const r = checkRef(what, ref);
  const row = await db(table)
    .select('id')
    .where(typeof r === 'number' ? { id: r } : { name: r })
    .first();
  if (!row) throw new NotFoundError(what, r);
  return row.id as number;
}

export function actorId(actor: ActorRef): Ref {
  return typeof actor === 'object' && actor !== null ? actor.id : actor;
}
