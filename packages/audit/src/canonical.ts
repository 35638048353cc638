// The canonical encoding of an audit event and the chain hash. This is the contract that
// `faxgate audit verify` checks; the README states it byte for byte.
import { createHash } from 'node:crypto';

/** prev_hash of the first event: 64 zeros. */
export const GENESIS_HASH = '0'.repeat(64);

/** JSON value after a round trip through JSON (what jsonb stores and returns). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };

/**
 * Canonical JSON: no whitespace; object keys sorted by UTF-16 code units (JavaScript's
 * default sort), recursively; strings and numbers as JSON.stringify writes them.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const s = JSON.stringify(value);
    return s === undefined ? 'null' : s;
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

/** The fields of an event that the hash covers, as stored. */
export interface CanonicalEvent {
  seq: number;
  /** UTC, ISO 8601 with milliseconds: 2026-11-27T21:04:01.123Z */
  time: string;
  type: string;
  actor: string;
  actorId: number | null;
  subject: string | null;
  mailboxId: number | null;
  faxId: number | null;
  details: JsonValue;
}

/** Everything after `{"seq":<seq>` — computed before the chain position is known. */
export function canonicalTail(e: Omit<CanonicalEvent, 'seq'>): string {
  return (
    `,"time":${JSON.stringify(e.time)}` +
    `,"type":${JSON.stringify(e.type)}` +
    `,"actor":${JSON.stringify(e.actor)}` +
    `,"actor_id":${e.actorId === null ? 'null' : e.actorId}` +
    `,"subject":${e.subject === null ? 'null' : JSON.stringify(e.subject)}` +
    `,"mailbox_id":${e.mailboxId === null ? 'null' : e.mailboxId}` +
    `,"fax_id":${e.faxId === null ? 'null' : e.faxId}` +
    `,"details":${canonicalJson(e.details)}}`
  );
}

export function canonicalEvent(e: CanonicalEvent): string {
  return `{"seq":${e.seq}${canonicalTail(e)}`;
}

/** hash = hex(sha256(bytes(prev_hash as 32 raw bytes) ‖ UTF-8(canonical))) */
export function chainHash(prevHash: string, canonical: string): string {
  return createHash('sha256').update(Buffer.from(prevHash, 'hex')).update(canonical, 'utf8').digest('hex');
}
