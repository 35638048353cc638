// Appending to the audit trail, inside the caller's transaction.
import { type Db, InvalidInputError } from '@faxgate/store';
import { type AuditEventType, isAuditEventType } from './events.js';
import { insertAlong, type SqlPart } from './insert-along.js';

export interface AuditEventInput {
  type: AuditEventType;
  /** Who did it: a user name, or 'system' / a component name for the daemon itself. */
  actor: string;
  actorId?: number | null;
  /** What it was done to, as text: 'user:alice', 'fax:42', 'config', … */
  subject?: string | null;
  mailboxId?: number | null;
  faxId?: number | null;
  /** Structured details; must be JSON (no secrets, no fax content). */
  details?: Record<string, unknown>;
  /** Defaults to the database clock at the append. */
  time?: Date;
}

export interface AppendedEvent {
  /**
   * Row id of the event. Its chain position (seq) is given by the next seal after its commit
   * (see `sealedEvent`, `sealAuditTrail`).
   */
  id: number;
  time: Date;
}

function optionalId(name: string, v: unknown): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isSafeInteger(v))
    throw new InvalidInputError(`${name} must be an integer`);
  return v;
}

function optionalText(name: string, v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw new InvalidInputError(`${name} must be text`);
  if (v.includes('\0')) throw new InvalidInputError(`${name} must not contain NUL characters`);
  return v;
}

/** Details as JSON text (undefined dropped, Dates as ISO strings); refuses what must not or cannot be stored. */
function detailsJson(details: unknown): string {
  if (details === undefined || details === null) return '{}';
  if (typeof details !== 'object' || Array.isArray(details)) {
    throw new InvalidInputError('audit event details must be an object');
  }
  const text = JSON.stringify(details, (_k, v) => {
    if (typeof v === 'bigint') return v.toString();
    if (v instanceof Uint8Array)
      throw new InvalidInputError('audit event details must not contain binary data');
    return v;
  });
  if (text.includes('\\u0000'))
    throw new InvalidInputError('audit event details must not contain NUL characters');
  return text;
}

/**
 * Appends one event. Pass the transaction that makes the change the event records: both
 * commit or neither does. The event is written unsealed; it gets its chain position,
 * prev_hash and hash from the next seal after its commit (the daemon's sealer, verify,
 * export, a checkpoint, or sealAuditTrail).
 */
export async function appendAuditEvent(trx: Db, event: AuditEventInput): Promise<AppendedEvent> {
  const r = eventRow(event);
  // One constant statement (prepared once per connection), no query building per append.
  const { rows } = await trx.raw(INSERT_ONE, [
    r.type,
    r.actor,
    r.actor_id,
    r.subject,
    r.mailbox_id,
    r.fax_id,
    r.details,
    ('time' in r ? r.time : undefined) ?? null,
  ]);
  return { id: rows[0].id, time: rows[0].time };
}

// Without a time of its own, the event gets the column's default, the database clock.
const INSERT_ONE = `INSERT INTO audit_events (type, actor, actor_id, subject, mailbox_id, fax_id, details, time)
  VALUES (?, ?, ?, ?, ?, ?, ?::jsonb, coalesce(?::timestamptz, clock_timestamp())) RETURNING id, time`;

/** The row of one event, checked: unknown type, missing actor, bad ids or details refused. */
function eventRow(event: AuditEventInput) {
  if (!isAuditEventType(event.type)) {
    throw new InvalidInputError(`unknown audit event type ${JSON.stringify(event.type)}`);
  }
  const actor = optionalText('actor', event.actor);
  if (!actor) throw new InvalidInputError('an audit event needs an actor');
  let time: Date | null = null;
  if (event.time !== undefined) {
    time = new Date(event.time);
    if (Number.isNaN(time.getTime())) throw new InvalidInputError('audit event time is invalid');
  }
  return {
    type: event.type,
    actor,
    actor_id: optionalId('actorId', event.actorId),
    subject: optionalText('subject', event.subject),
    mailbox_id: optionalId('mailboxId', event.mailboxId),
    fax_id: optionalId('faxId', event.faxId),
    details: detailsJson(event.details),
    // Left out, the column's default (the database clock) applies; a multi-row insert
    // writes DEFAULT for the rows that leave it out.
    ...(time ? { time } : {}),
  };
}

/**
 * The INSERT of `events` (in this order) for each row of `source`, a CTE of the caller's
 * statement (e.g. the row a claim updated): they commit with that statement, and only if it
 * matched a row. Checked like appendAuditEvent. See insertAlong.
 */
export function auditInsertFrom(
  source: string,
  events: AuditEventInput | readonly AuditEventInput[],
): SqlPart {
  const list = Array.isArray(events) ? events : [events as AuditEventInput];
  const rows = list.map((e) => {
    const { time, ...row } = eventRow(e) as ReturnType<typeof eventRow> & { time?: Date };
    // The details as the object they are (checked and cleaned by detailsJson), not as text.
    return { ...row, details: JSON.parse(row.details), ...(time ? { time } : {}) };
  });
  if (rows.some((r) => 'time' in r) && !rows.every((r) => 'time' in r))
    throw new InvalidInputError('events appended together give a time for all of them or for none');
  return insertAlong('audit_events', source, rows);
}

/**
 * Appends several events in order (same transaction; sealed in this order) with one INSERT:
 * row ids, and so chain positions, follow the order given.
 */
export async function appendAuditEvents(
  trx: Db,
  events: readonly AuditEventInput[],
): Promise<AppendedEvent[]> {
  if (events.length === 0) return [];
  const rows = events.map(eventRow);
  const out: { id: number; time: Date }[] = await trx('audit_events').insert(rows).returning(['id', 'time']);
  if (out.length !== rows.length)
    throw new Error(`audit: ${rows.length} events appended, ${out.length} returned`);
  return out.map((r) => ({ id: r.id, time: r.time }));
}

/** Chain position and hash of an event once it is sealed (null before). */
export async function sealedEvent(db: Db, id: number): Promise<{ seq: number; hash: string } | null> {
  const row = await db('audit_events').where({ id }).whereNotNull('seq').first('seq', 'hash');
  return row ? { seq: row.seq, hash: row.hash } : null;
}
