// The body of a notification: which event, when, and the fax's metadata — never page
// content, never the subject line (free text a sender typed), never who is logged in where.
import { type Db, faxes } from '@faxgate/store';
import {
  type AlertWebhookEvent,
  type FaxWebhookEvent,
  isAlertEvent,
  STATE_OF,
  type WebhookEvent,
} from './events.js';

/** An audit event as the notifier reads it. */
export interface AuditRow {
  seq: number;
  time: Date;
  type: string;
  faxId: number | null;
  mailboxId: number | null;
  details: Record<string, unknown>;
  hash: string;
}

export interface WebhookPayload {
  /** Stable across retries and restarts: the audit event's hash (dedup key for receivers). */
  id: string;
  event: FaxWebhookEvent;
  /** When the event was recorded. */
  at: string;
  /** Position in the audit trail, to find the event with `faxgate audit export`. */
  auditSeq: number;
  fax: {
    id: number | null;
    direction: 'in' | 'out' | null;
    state: string;
    mailbox: string | null;
    localNumber: string | null;
    remoteNumber: string | null;
    remoteStationId: string | null;
    pages: number | null;
    pagesTotal: number | null;
    dials: number | null;
    tries: number | null;
    cause: string | null;
    causeText: string | null;
    internal: boolean | null;
    jobTag: string | null;
    notBefore: string | null;
    submittedAt: string | null;
    completedAt: string | null;
  };
}

/** The body of `alert.raised` / `alert.cleared`: the alert as the audit event recorded it, no fax. */
export interface AlertWebhookPayload {
  id: string;
  event: AlertWebhookEvent;
  at: string;
  auditSeq: number;
  alert: { key: string; severity: string; source: string; summary: string };
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * Builds the body. The fax's fields are read from its record now; `state` is the one the
 * event recorded (the record may have moved on, e.g. a requeued fax that is sent since).
 */
export async function buildPayload(
  db: Db,
  event: WebhookEvent,
  row: AuditRow,
): Promise<WebhookPayload | AlertWebhookPayload> {
  if (isAlertEvent(event)) {
    const d = row.details;
    const text = (v: unknown) => (typeof v === 'string' ? v : '');
    return {
      id: row.hash,
      event,
      at: row.time.toISOString(),
      auditSeq: row.seq,
      alert: {
        key: text(d.key),
        severity: text(d.severity),
        source: text(d.source),
        summary: text(d.summary),
      },
    };
  }
  const fax = row.faxId === null ? null : await faxes.find(db, row.faxId);
  const mailboxId = fax?.mailboxId ?? row.mailboxId;
  const mailbox =
    mailboxId === null
      ? undefined
      : await db('mailboxes').where({ id: mailboxId }).first<{ name: string }>('name');
  return {
    id: row.hash,
    event,
    at: row.time.toISOString(),
    auditSeq: row.seq,
    fax: {
      id: row.faxId,
      direction: fax?.direction ?? null,
      state: STATE_OF[event],
      mailbox: mailbox?.name ?? null,
      localNumber: fax?.localNumber ?? null,
      remoteNumber: fax?.remoteNumber ?? null,
      remoteStationId: fax?.remoteStationId ?? null,
      pages: fax?.pagesDone ?? null,
      pagesTotal: fax?.pagesTotal ?? null,
      dials: fax?.dials ?? null,
      tries: fax?.tries ?? null,
      cause: fax?.cause ?? null,
      causeText: fax?.causeText ?? null,
      internal: fax?.internal ?? null,
      jobTag: fax?.jobTag ?? null,
      notBefore:
        event !== 'fax.requeued'
          ? null
          : typeof row.details.notBefore === 'string'
            ? row.details.notBefore
            : iso(fax?.notBefore ?? null),
      submittedAt: iso(fax?.createdAt ?? null),
      completedAt: iso(fax?.completedAt ?? null),
    },
  };
}
