// Resolving who reads, for access checks and the audit record of the read.
import { type ActorRef, type Db, users } from '@faxgate/store';

/** The user id behind an actor reference (null when no such user: the check then fails anyway). */
export async function actorUserId(db: Db, actor: ActorRef): Promise<number | null> {
  if (typeof actor === 'object' && actor !== null) return actor.id;
  if (typeof actor === 'number') return actor;
  return (await users.find(db, actor))?.id ?? null;
}
