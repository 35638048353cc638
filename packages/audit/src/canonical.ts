// The canonical encoding of an audit event and the chain hash: the contract that
// `faxgate audit verify` checks. PostgreSQL computes it when it seals an event
// (faxgate_audit_canonical in the 0100 migration); this is the same in TypeScript.
import { createHash } from 'node:crypto';

/** prev_hash of the first event: 64 zeros. */
export const GENESIS_HASH = '0'.repeat(64);

/** The fields of an event that the hash covers, as stored. */
export interface CanonicalEvent {
  seq: number;
  /** UTC with microseconds: 2026-11-27T21:04:01.123000Z */
  time: string;
  type: string;
  actor: string;
  actorId: number | null;
  subject: string | null;
  mailboxId: number | null;
  faxId: number | null;
  /** The details exactly as PostgreSQL writes the jsonb value as text (`details::text`). */
  detailsText: string;
}

/**
 * {"seq":N,"time":"…Z","type":"…","actor":"…","actor_id":N|null,"subject":"…"|null,
 *  "mailbox_id":N|null,"fax_id":N|null,"details":<jsonb text>} — no whitespace outside the
 * details, strings escaped as JSON.stringify (= PostgreSQL's to_json) escapes them.
 */
export function canonicalEvent(e: CanonicalEvent): string {
  return (
    `{"seq":${e.seq}` +
    `,"time":${JSON.stringify(e.time)}` +
    `,"type":${JSON.stringify(e.type)}` +
    `,"actor":${JSON.stringify(e.actor)}` +
    `,"actor_id":${e.actorId === null ? 'null' : e.actorId}` +
    `,"subject":${e.subject === null ? 'null' : JSON.stringify(e.subject)}` +
    `,"mailbox_id":${e.mailboxId === null ? 'null' : e.mailboxId}` +
    `,"fax_id":${e.faxId === null ? 'null' : e.faxId}` +
    `,"details":${e.detailsText}}`
  );
}

/** hash = hex(sha256(prev_hash as 32 raw bytes ‖ UTF-8(canonical))) */
export function chainHash(prevHash: string, canonical: string): string {
  return createHash('sha256').update(Buffer.from(prevHash, 'hex')).update(canonical, 'utf8').digest('hex');
}

/** Canonical time text of a Date (millisecond Dates have 000 microseconds). */
export function canonicalTime(d: Date): string {
  return `${d.toISOString().slice(0, -1)}000Z`;
}
