// Alerts: a condition an operator must act on (disk nearly full, a line failing its check).
// They are audit events, so the record of them is tamper-evident and webhooks follow from the
// trail (notify/events.ts). Which alerts are open lives in PostgreSQL (table `alerts`), so
// several nodes seeing the same condition raise it once and clear it once.
import { appendAuditEvent } from '@faxgate/audit';
import { type Db, InvalidInputError, inTransaction } from '@faxgate/store';

export const ALERT_SEVERITIES = ['warning', 'critical'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

export interface AlertInput {
  /** Stable name of the condition, e.g. `disk.spool` or `check.line:1`: a–z 0–9 . _ : - */
  key: string;
  severity: AlertSeverity;
  /** Which part saw it: `disk-guard`, `health-checks`, … */
  source: string;
  /** One line for a person: what is wrong. No secrets, no fax content. */
  summary: string;
}

export interface OpenAlert extends AlertInput {
  raisedAt: Date;
}

export interface AlertOptions {
  /** Audit actor: the gateway's author or 'system'. */
  actor: string;
}

const KEY = /^[a-z0-9][a-z0-9._:-]{0,127}$/;

function checked(a: AlertInput): AlertInput {
  if (typeof a.key !== 'string' || !KEY.test(a.key))
    throw new InvalidInputError(`alert key ${JSON.stringify(a.key)} is invalid (a-z 0-9 . _ : -, up to 128)`);
  if (!(ALERT_SEVERITIES as readonly string[]).includes(a.severity))
    throw new InvalidInputError(
      `alert severity must be warning or critical, not ${JSON.stringify(a.severity)}`,
    );
  if (typeof a.source !== 'string' || a.source.length < 1 || a.source.length > 64)
    throw new InvalidInputError('alert source must be 1..64 characters');
  // One line, bounded: it goes into webhooks and logs.
  const summary = String(a.summary ?? '')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 500);
  if (!summary) throw new InvalidInputError('an alert needs a summary');
  return { key: a.key, severity: a.severity, source: a.source, summary };
}

/**
 * Raises the alert unless it is open already with the same severity. A change of severity
 * (warning → critical, or back) is raised again, so receivers see the escalation. Returns
 * whether an `alert.raised` event was appended. Safe from several nodes at once: the row's
 * key serialises them and only the one that changed it appends the event.
 */
export async function raiseAlert(db: Db, alert: AlertInput, opts: AlertOptions): Promise<boolean> {
  const a = checked(alert);
  return inTransaction(db, async (trx) => {
    const { rows } = await trx.raw(
      `INSERT INTO alerts (key, severity, source, summary) VALUES (?, ?, ?, ?)
         ON CONFLICT (key) DO UPDATE
           SET severity = EXCLUDED.severity, source = EXCLUDED.source,
               summary = EXCLUDED.summary, raised_at = now()
           WHERE alerts.severity <> EXCLUDED.severity
       RETURNING key`,
      [a.key, a.severity, a.source, a.summary],
    );
    if (rows.length === 0) return false;
    await appendAuditEvent(trx, {
      type: 'alert.raised',
      actor: opts.actor,
      subject: `alert:${a.key}`,
      details: { key: a.key, severity: a.severity, source: a.source, summary: a.summary },
    });
    return true;
  });
}

/**
 * Clears the alert if it is open. `summary` says why it is over (e.g. "spool: 40 % free
 * again"); the event keeps the severity and source it was raised with. Returns whether an
 * `alert.cleared` event was appended.
 */
export async function clearAlert(db: Db, key: string, summary: string, opts: AlertOptions): Promise<boolean> {
  if (typeof key !== 'string' || !KEY.test(key))
    throw new InvalidInputError(`alert key ${JSON.stringify(key)} is invalid`);
  return inTransaction(db, async (trx) => {
    const { rows } = await trx.raw('DELETE FROM alerts WHERE key = ? RETURNING severity, source, summary', [
      key,
    ]);
    if (rows.length === 0) return false;
    const row = rows[0] as { severity: AlertSeverity; source: string; summary: string };
    const a = checked({ key, severity: row.severity, source: row.source, summary: summary || row.summary });
    await appendAuditEvent(trx, {
      type: 'alert.cleared',
      actor: opts.actor,
      subject: `alert:${key}`,
      details: { key, severity: a.severity, source: a.source, summary: a.summary },
    });
    return true;
  });
}

/** Raises when `failing`, clears otherwise: the usual call of a periodic check. */
export async function setAlert(
  db: Db,
  failing: boolean,
  alert: AlertInput,
  clearedSummary: string,
  opts: AlertOptions,
): Promise<boolean> {
  return failing ? raiseAlert(db, alert, opts) : clearAlert(db, alert.key, clearedSummary, opts);
}

/** The open alerts, oldest first; with `prefix`, only keys starting with it. */
export async function openAlerts(db: Db, prefix?: string): Promise<OpenAlert[]> {
  const q = db('alerts').orderBy([{ column: 'raised_at' }, { column: 'key' }]);
  if (prefix) q.whereLike('key', `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  const rows = await q.select('key', 'severity', 'source', 'summary', 'raised_at');
  return rows.map((r) => ({
    key: r.key,
    severity: r.severity,
    source: r.source,
    summary: r.summary,
    raisedAt: r.raised_at,
  }));
}
