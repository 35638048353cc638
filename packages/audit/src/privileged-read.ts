// The one way a privileged read of a log happens: check the capability, record a refusal
// as `access.denied`, and record the read itself in the same transaction as the read —
// also when writing the output fails midway (then with the error).
import {
  type ActorRef,
  type Capability,
  can,
  type Db,
  ForbiddenError,
  InvalidInputError,
  type Knex,
  users,
} from '@faxgate/store';
import { appendAuditEvent } from './append.js';
import type { AuditEventType } from './events.js';

export interface Reader {
  /** The user who reads: id, name or { id }. */
  actor: ActorRef;
  /** Name recorded as the event's actor. */
  actorName: string;
}

/** The user id behind an actor reference (null when no such user: the check then fails anyway). */
export async function actorUserId(db: Db, actor: ActorRef): Promise<number | null> {
  if (typeof actor === 'object' && actor !== null) return actor.id;
  if (typeof actor === 'number') return actor;
  return (await users.find(db, actor))?.id ?? null;
}

/** `from`/`to` of an export: valid Dates or absent; as ISO strings for the record. */
export function checkRange(range: { from?: Date; to?: Date }): { from: string | null; to: string | null } {
  for (const [k, v] of Object.entries({ from: range.from, to: range.to })) {
    if (v !== undefined && (!(v instanceof Date) || Number.isNaN(v.getTime()))) {
      throw new InvalidInputError(`${k} must be a valid Date`);
    }
  }
  return { from: range.from?.toISOString() ?? null, to: range.to?.toISOString() ?? null };
}

/**
 * Runs `read(trx)` for `who` if it holds `capability`, recording `event` (with `details`
 * and the number of rows `read` returns) in the read's transaction. Without `who`, no check
 * and no record (the daemon's own archiving).
 */
export async function privilegedRead(
  db: Knex,
  who: Reader | undefined,
  what: {
    capability: Capability;
    subject: string;
    event: AuditEventType;
    details: Record<string, unknown>;
    noun: string;
  },
  read: (trx: Knex.Transaction) => Promise<number>,
): Promise<{ count: number; eventId: number | null }> {
  const actorId = who ? await actorUserId(db, who.actor) : null;
  if (who && !(await can(db, who.actor, what.capability))) {
    await appendAuditEvent(db, {
      type: 'access.denied',
      actor: who.actorName,
      actorId,
      subject: what.subject,
      details: { ...what.details, needed: what.capability },
    });
    throw new ForbiddenError(`${who.actorName} may not read ${what.noun} (needs ${what.capability})`);
  }
  const result = await db.transaction(async (trx) => {
    let count = 0;
    let failure: unknown;
    try {
      count = await read(trx);
    } catch (err) {
      failure = err;
    }
    const ev = who
      ? await appendAuditEvent(trx, {
          type: what.event,
          actor: who.actorName,
          actorId,
          subject: what.subject,
          details: {
            ...what.details,
            rows: count,
            ...(failure ? { error: String((failure as Error)?.message ?? failure) } : {}),
          },
        })
      : null;
    return { count, eventId: ev?.id ?? null, failure };
  });
  // The record of a (partial) read is committed; then the failure is reported.
  if (result.failure) throw result.failure;
  return { count: result.count, eventId: result.eventId };
}
