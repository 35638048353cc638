// The operations dashboard's aggregates, read from the faxes table in a few grouped queries:
// the queue by state (count, oldest), what finished in the last 24 h, failures by cause and
// faxes per hour. Bounded: each query groups (a handful of rows), the active list is limited.
import type { Db } from '@faxgate/store';

/** Outgoing states a fax waits or runs in: the queue the dashboard counts. */
export const QUEUE_STATES = [
  'rendering',
  'suspended',
  'pending',
  'sleeping',
  'blocked',
  'waiting',
  'running',
];

export interface QueueState {
  state: string;
  count: number;
  /** When the oldest fax in this state was submitted (ISO). */
  oldestAt: string;
}

export interface FailureCause {
  direction: 'in' | 'out';
  /** The cause code (`no-answer`, `busy`, a CAPI info value …); 'unknown' when none was recorded. */
  cause: string;
  count: number;
  /** One cause text of this group (the latest), for the operator. */
  example: string | null;
  lastAt: string;
}

export interface HourBucket {
  /** Start of the hour (ISO). */
  hour: string;
  sent: number;
  failed: number;
  received: number;
}

const iso = (d: Date | string) => new Date(d).toISOString();

export async function queueByState(db: Db): Promise<QueueState[]> {
  const { rows } = await db.raw(
    `SELECT state, count(*) AS n, min(created_at) AS oldest FROM faxes
      WHERE direction = 'out' AND state = ANY(?) GROUP BY state`,
    [QUEUE_STATES],
  );
  const byState = new Map(
    (rows as Array<{ state: string; n: string; oldest: Date }>).map((r) => [r.state, r]),
  );
  return QUEUE_STATES.flatMap((state) => {
    const r = byState.get(state);
    return r ? [{ state, count: Number(r.n), oldestAt: iso(r.oldest) }] : [];
  });
}

/** Faxes finished in the last 24 h, per end state (done, failed, rejected, received …). */
export async function finishedLastDay(db: Db, now: Date): Promise<Record<string, number>> {
  const { rows } = await db.raw(
    `SELECT direction || '.' || state AS k, count(*) AS n FROM faxes
      WHERE completed_at > ?::timestamptz - interval '24 hours' GROUP BY 1`,
    [now],
  );
  return Object.fromEntries((rows as Array<{ k: string; n: string }>).map((r) => [r.k, Number(r.n)]));
}

export async function failuresByCause(db: Db, now: Date): Promise<FailureCause[]> {
  const { rows } = await db.raw(
    `SELECT direction, coalesce(nullif(cause, ''), 'unknown') AS cause, count(*) AS n,
            max(completed_at) AS last_at,
            (array_agg(cause_text ORDER BY completed_at DESC))[1] AS example
       FROM faxes
      WHERE state IN ('failed', 'rejected') AND completed_at > ?::timestamptz - interval '24 hours'
      GROUP BY 1, 2 ORDER BY n DESC, cause LIMIT 50`,
    [now],
  );
  return (
    rows as Array<{
      direction: 'in' | 'out';
      cause: string;
      n: string;
      last_at: Date;
      example: string | null;
    }>
  ).map((r) => ({
    direction: r.direction,
    cause: r.cause,
    count: Number(r.n),
    example: r.example,
    lastAt: iso(r.last_at),
  }));
}

/** 24 buckets, oldest first, the last one the current hour. */
export async function faxesPerHour(db: Db, now: Date): Promise<HourBucket[]> {
  const { rows } = await db.raw(
    `WITH hours AS (
       SELECT generate_series(date_trunc('hour', ?::timestamptz) - interval '23 hours',
                              date_trunc('hour', ?::timestamptz), interval '1 hour') AS hour)
     SELECT h.hour,
            count(f.id) FILTER (WHERE f.direction = 'out' AND f.state = 'done') AS sent,
            count(f.id) FILTER (WHERE f.state IN ('failed', 'rejected')) AS failed,
            count(f.id) FILTER (WHERE f.direction = 'in' AND f.state IN ('received', 'delivered')) AS received
       FROM hours h
       LEFT JOIN faxes f ON f.completed_at >= h.hour AND f.completed_at < h.hour + interval '1 hour'
      GROUP BY h.hour ORDER BY h.hour`,
    [now, now],
  );
  return (rows as Array<{ hour: Date; sent: string; failed: string; received: string }>).map((r) => ({
    hour: iso(r.hour),
    sent: Number(r.sent),
    failed: Number(r.failed),
    received: Number(r.received),
  }));
}
