// The review report of one period (M 5.25, NET.4.3.A9): faxes in and out per mailbox,
// failures by cause, lockdown rejections, denied accesses and configuration changes —
// what an auditor looks at before marking the period as reviewed. Counts come from the
// faxes table (by creation time) and the audit trail (by event time); lists are bounded.
import type { Db } from '@faxgate/store';
import type { Pseudonymise } from './pseudonym.js';

/** At most this many rows per list (the counts are always complete). */
export const LIST_LIMIT = 500;

export interface MailboxTraffic {
  mailbox: string;
  direction: 'in' | 'out';
  faxes: number;
  pages: number;
  done: number;
  failed: number;
}

export interface FailureCount {
  direction: 'in' | 'out';
  cause: string;
  count: number;
}

export interface FailedFax {
  id: number;
  time: Date;
  direction: 'in' | 'out';
  mailbox: string;
  remoteNumber: string | null;
  cause: string;
}

export interface Rejection {
  time: Date;
  type: string;
  rule: string;
  reason: string;
  caller: string | null;
  called: string | null;
}

export interface DeniedAccess {
  time: Date;
  actor: string;
  what: string;
  permission: string;
  via: string;
}

export interface ConfigChange {
  time: Date;
  actor: string;
  subject: string;
  node: string;
  comment: string;
}

export interface ReviewReport {
  from: Date;
  to: Date;
  generatedAt: Date;
  /** Remote numbers are pseudonyms (privacy.pseudonymiseNumbersFor). */
  pseudonymised: boolean;
  traffic: MailboxTraffic[];
  failures: FailureCount[];
  failedFaxes: FailedFax[];
  rejections: Rejection[];
  rejectionCount: number;
  deniedAccesses: DeniedAccess[];
  deniedCount: number;
  configChanges: ConfigChange[];
  /** Lists cut at LIST_LIMIT rows. */
  truncated: string[];
}

const FAILED = ['failed', 'rejected'];
const DONE = ['done', 'delivered', 'received'];
const text = (v: unknown) => (typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v));

async function eventsOf(db: Db, types: string[], from: Date, to: Date) {
  const [{ n }] = await db('audit_events')
    .whereIn('type', types)
    .where('time', '>=', from)
    .where('time', '<', to)
    .count({ n: '*' });
  const rows = await db('audit_events')
    .whereIn('type', types)
    .where('time', '>=', from)
    .where('time', '<', to)
    .orderBy('id')
    .limit(LIST_LIMIT)
    .select('time', 'type', 'actor', 'subject', 'details');
  return {
    count: Number(n),
    rows: rows as Array<{
      time: Date;
      type: string;
      actor: string;
      subject: string | null;
      details: Record<string, unknown>;
    }>,
  };
}

export async function buildReviewReport(
  db: Db,
  period: { from: Date; to: Date },
  pseudonymise: Pseudonymise | null,
): Promise<ReviewReport> {
  const { from, to } = period;
  const num = (n: unknown) => {
    const s = typeof n === 'string' && n !== '' ? n : null;
    return pseudonymise ? pseudonymise(s) : s;
  };
  const inPeriod = (q: ReturnType<Db>) => q.where('f.created_at', '>=', from).where('f.created_at', '<', to);

  const traffic = await inPeriod(db('faxes as f').leftJoin('mailboxes as m', 'm.id', 'f.mailbox_id'))
    .groupBy('m.name', 'f.direction')
    .orderBy([{ column: 'm.name' }, { column: 'f.direction' }])
    .select(
      db.raw("coalesce(m.name, '(none)') AS mailbox"),
      'f.direction',
      db.raw('count(*)::int AS faxes'),
      db.raw('coalesce(sum(f.pages_done), 0)::int AS pages'),
      db.raw('count(*) FILTER (WHERE f.state = ANY(?))::int AS done', [DONE]),
      db.raw('count(*) FILTER (WHERE f.state = ANY(?))::int AS failed', [FAILED]),
    );

  const failures = await inPeriod(db('faxes as f'))
    .whereIn('f.state', FAILED)
    .groupBy('f.direction', db.raw("coalesce(f.cause, 'unknown')"))
    .orderBy([{ column: 'count', order: 'desc' }])
    .select('f.direction', db.raw("coalesce(f.cause, 'unknown') AS cause"), db.raw('count(*)::int AS count'));

  const failedRows = await inPeriod(db('faxes as f').leftJoin('mailboxes as m', 'm.id', 'f.mailbox_id'))
    .whereIn('f.state', FAILED)
    .orderBy('f.id')
    .limit(LIST_LIMIT + 1)
    .select('f.id', 'f.created_at', 'f.direction', 'm.name as mailbox', 'f.remote_number', 'f.cause');

  const rej = await eventsOf(db, ['lockdown.call_rejected', 'recv.reject'], from, to);
  const denied = await eventsOf(db, ['access.denied'], from, to);
  const conf = await eventsOf(db, ['config.change'], from, to);

  const truncated: string[] = [];
  if (failedRows.length > LIST_LIMIT) truncated.push('failedFaxes');
  if (rej.count > LIST_LIMIT) truncated.push('rejections');
  if (denied.count > LIST_LIMIT) truncated.push('deniedAccesses');
  if (conf.count > LIST_LIMIT) truncated.push('configChanges');

  return {
    from,
    to,
    generatedAt: new Date(),
    pseudonymised: pseudonymise !== null,
    traffic: traffic.map((r: Record<string, unknown>) => ({
      mailbox: text(r.mailbox),
      direction: r.direction as 'in' | 'out',
      faxes: Number(r.faxes),
      pages: Number(r.pages),
      done: Number(r.done),
      failed: Number(r.failed),
    })),
    failures: failures.map((r: Record<string, unknown>) => ({
      direction: r.direction as 'in' | 'out',
      cause: text(r.cause),
      count: Number(r.count),
    })),
    failedFaxes: failedRows.slice(0, LIST_LIMIT).map((r: Record<string, unknown>) => ({
      id: Number(r.id),
      time: r.created_at as Date,
      direction: r.direction as 'in' | 'out',
      mailbox: text(r.mailbox) || '(none)',
      remoteNumber: num(r.remote_number),
      cause: text(r.cause) || 'unknown',
    })),
    rejections: rej.rows.map((e) => ({
      time: e.time,
      type: e.type,
      rule: text(e.details.rule),
      // a reason may quote the number (a TSI, a caller rule): digits go when numbers are pseudonymised
      reason: pseudonymise
        ? text(e.details.reason).replace(/\+?\d[\d\s/-]{3,}\d/g, '…')
        : text(e.details.reason),
      caller: num(e.details.caller ?? e.details.tsi),
      called: typeof e.details.called === 'string' && e.details.called ? e.details.called : null,
    })),
    rejectionCount: rej.count,
    deniedAccesses: denied.rows.map((e) => ({
      time: e.time,
      actor: e.actor,
      what: text(e.subject),
      permission: text(e.details.permission),
      via: text(e.details.via),
    })),
    deniedCount: denied.count,
    configChanges: conf.rows.map((e) => ({
      time: e.time,
      actor: e.actor,
      subject: text(e.subject),
      node: text(e.details.node),
      comment: text(e.details.comment),
    })),
    truncated,
  };
}
