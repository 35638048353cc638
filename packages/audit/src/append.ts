// Appending to the audit trail, inside the caller's transaction.
import { type Db, InvalidInputError } from '@faxgate/store';
import { canonicalTail, type JsonValue } from './canonical.js';
import { type AuditEventType, isAuditEventType } from './events.js';

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
  /** Defaults to now. Stored with millisecond precision. */
  time?: Date;
}

export interface AppendedEvent {
  seq: number;
  hash: string;
  time: Date;
}

/**
 * How the chain position is serialised:
 * - 'head-row' (default): one statement that locks the one-row audit_head FOR UPDATE,
 *   inserts the event with its hash computed by PostgreSQL and moves the head;
 * - 'advisory': pg_advisory_xact_lock first, then the same statement (one more round trip).
 * `npm run bench:audit` measures both.
 */
export type AppendStrategy = 'head-row' | 'advisory';

export const AUDIT_ADVISORY_LOCK_KEY = 0x66617861; // 'faxa'

const APPEND_SQL = `
WITH h AS (SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE),
ins AS (
  INSERT INTO audit_events (seq, time, type, actor, actor_id, subject, mailbox_id, fax_id, details, prev_hash, hash)
  SELECT h.seq + 1, ?::timestamptz, ?, ?, ?, ?, ?, ?, ?::jsonb, h.hash,
         encode(sha256(decode(h.hash, 'hex') || convert_to('{"seq":' || (h.seq + 1)::text, 'UTF8') || ?::bytea), 'hex')
    FROM h
  RETURNING seq, hash)
UPDATE audit_head SET seq = ins.seq, hash = ins.hash FROM ins WHERE audit_head.id = 1
RETURNING ins.seq AS seq, ins.hash AS hash`;

function optionalId(name: string, v: unknown): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isSafeInteger(v))
    throw new InvalidInputError(`${name} must be an integer`);
  return v;
}

function optionalText(name: string, v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw new InvalidInputError(`${name} must be text`);
  return v;
}

/** Details as JSON would store them (undefined dropped, Dates as ISO strings); refuses what jsonb cannot hold. */
function normaliseDetails(details: unknown): { [k: string]: JsonValue } {
  if (details === undefined || details === null) return {};
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
  return JSON.parse(text);
}

/**
 * Appends one event to the hash chain. Pass the transaction that makes the change the
 * event records, so both commit or neither does; the chain position stays locked until
 * that transaction ends, so keep it short. Run in READ COMMITTED (PostgreSQL's default):
 * under REPEATABLE READ or SERIALIZABLE a concurrent append makes this fail with a
 * serialization error (retry the transaction).
 */
export async function appendAuditEvent(
  trx: Db,
  event: AuditEventInput,
  options: { strategy?: AppendStrategy } = {},
): Promise<AppendedEvent> {
  if (!isAuditEventType(event.type)) {
    throw new InvalidInputError(`unknown audit event type ${JSON.stringify(event.type)}`);
  }
  if (typeof event.actor !== 'string' || event.actor === '') {
    throw new InvalidInputError('an audit event needs an actor');
  }
  const time = new Date(event.time ?? Date.now());
  if (Number.isNaN(time.getTime())) throw new InvalidInputError('audit event time is invalid');
  const e = {
    time: time.toISOString(),
    type: event.type,
    actor: event.actor,
    actorId: optionalId('actorId', event.actorId),
    subject: optionalText('subject', event.subject),
    mailboxId: optionalId('mailboxId', event.mailboxId),
    faxId: optionalId('faxId', event.faxId),
    details: normaliseDetails(event.details),
  };
  const tail = Buffer.from(canonicalTail(e), 'utf8');
  if (options.strategy === 'advisory') {
    await trx.raw('SELECT pg_advisory_xact_lock(?)', [AUDIT_ADVISORY_LOCK_KEY]);
  }
  const { rows } = await trx.raw(APPEND_SQL, [
    e.time,
    e.type,
    e.actor,
    e.actorId,
    e.subject,
    e.mailboxId,
    e.faxId,
    JSON.stringify(e.details),
    tail,
  ]);
  if (rows.length !== 1) throw new Error('audit_head is missing: run the audit migrations');
  return { seq: rows[0].seq, hash: rows[0].hash, time };
}

/** Appends several events in order (same transaction, consecutive positions). */
export async function appendAuditEvents(
  trx: Db,
  events: readonly AuditEventInput[],
): Promise<AppendedEvent[]> {
  const out: AppendedEvent[] = [];
  for (const e of events) out.push(await appendAuditEvent(trx, e));
  return out;
}
