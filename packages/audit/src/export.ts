// Exporting the audit trail (JSON lines or CSV), streamed in batches.
import type { Writable } from 'node:stream';
import { type Db, InvalidInputError, type Knex } from '@faxgate/store';
import { csvLine } from './csv.js';
import { checkRange, privilegedRead, type Reader } from './privileged-read.js';
import { countUnsealed, sealBeforeReading } from './seal.js';
import { writeChunk } from './stream.js';

export type AuditExportFormat = 'jsonl' | 'csv';

export interface AuditExportQuery {
  /** Inclusive lower bound on `time`. */
  from?: Date;
  /** Exclusive upper bound on `time`. */
  to?: Date;
  format: AuditExportFormat;
  /** Rows per query (default 5,000). */
  batch?: number;
}

export interface ExportedAuditEvent {
  seq: number;
  time: string;
  type: string;
  actor: string;
  actorId: number | null;
  subject: string | null;
  mailboxId: number | null;
  faxId: number | null;
  details: unknown;
  /** The details exactly as hashed (PostgreSQL's jsonb text), for offline verification. */
  detailsText: string;
  prevHash: string;
  hash: string;
}

/** CSV columns; `details` is the jsonb text exactly as hashed. */
export const AUDIT_CSV_COLUMNS = [
  'seq',
  'time',
  'type',
  'actor',
  'actor_id',
  'subject',
  'mailbox_id',
  'fax_id',
  'details',
  'prev_hash',
  'hash',
] as const;

function checkQuery(q: AuditExportQuery) {
  if (q.format !== 'jsonl' && q.format !== 'csv') {
    throw new InvalidInputError(`unknown export format ${JSON.stringify(q.format)} (jsonl, csv)`);
  }
  return checkRange(q);
}

/**
 * Streams audit events with `from <= time < to` in seq order to `out`. Each line carries
 * prev_hash and hash, so an export of the whole trail can be verified offline with the
 * formula in the README. Seals what is unsealed first; returns the number of events written
 * and how many committed events were still unsealed after that (not exported; normally 0).
 *
 * Without `who`, no access check and no record (for the daemon's own archiving). With
 * `who`, the actor needs `audit.read`, and the export is recorded as `audit.export` in the
 * same transaction as the read.
 */
export async function exportAuditEvents(
  db: Knex,
  query: AuditExportQuery,
  out: Writable,
  who?: Reader,
): Promise<{ count: number; unsealed: number }> {
  const range = checkQuery(query);
  await sealBeforeReading(db);
  const { count } = await privilegedRead(
    db,
    who,
    {
      capability: 'audit.read',
      subject: 'audit_events',
      event: 'audit.export',
      details: { format: query.format, ...range },
      noun: 'the audit trail',
    },
    (trx) => streamEvents(trx, query, out),
  );
  return { count, unsealed: await countUnsealed(db) };
}

async function streamEvents(db: Db, query: AuditExportQuery, out: Writable): Promise<number> {
  const batch = Math.max(1, query.batch ?? 5000);
  if (query.format === 'csv') await writeChunk(out, csvLine(AUDIT_CSV_COLUMNS));
  let count = 0;
  let afterSeq = 0;
  for (;;) {
    const q = db('audit_events')
      .select(
        'seq',
        db.raw(`to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS time`),
        'type',
        'actor',
        'actor_id',
        'subject',
        'mailbox_id',
        'fax_id',
        db.raw('details::text AS details'),
        'prev_hash',
        'hash',
      )
      .where('seq', '>', afterSeq)
      .orderBy('seq')
      .limit(batch);
    if (query.from) q.where('time', '>=', query.from);
    if (query.to) q.where('time', '<', query.to);
    const rows = await q;
    for (const r of rows) {
      const line =
        query.format === 'jsonl'
          ? `${JSON.stringify({
              seq: r.seq,
              time: r.time,
              type: r.type,
              actor: r.actor,
              actorId: r.actor_id,
              subject: r.subject,
              mailboxId: r.mailbox_id,
              faxId: r.fax_id,
              details: JSON.parse(r.details),
              detailsText: r.details,
              prevHash: r.prev_hash,
              hash: r.hash,
            } satisfies ExportedAuditEvent)}\n`
          : csvLine(AUDIT_CSV_COLUMNS.map((c) => r[c]));
      await writeChunk(out, line);
      count++;
    }
    if (rows.length < batch) return count;
    afterSeq = rows[rows.length - 1].seq;
  }
}
