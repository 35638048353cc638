// Log review records (M 2.64, M 5.25, NET.4.3.A9): an auditor marks a period as reviewed
// with a note. The row and its `audit.review` event commit together; the table is
// append-only (migration 0060), so a review once recorded cannot be changed or withdrawn.
import { appendAuditEvent } from '@faxgate/audit';
import { type Db, InvalidInputError, inTransaction } from '@faxgate/store';

export const NOTE_MAX = 4000;
/** The longest period one review may cover (a year and a day: yearly reviews fit). */
export const PERIOD_MAX_MS = 366 * 24 * 3600 * 1000;

export interface Review {
  id: number;
  from: Date;
  to: Date;
  note: string;
  reviewer: string;
  createdAt: Date;
}

export interface NewReview {
  from: Date;
  to: Date;
  note: string;
  reviewer: { id: number | null; name: string };
  /** How the reviewer came: 'api' or 'cli'. */
  via: string;
}

/** The checked period: from < to, at most PERIOD_MAX_MS, not ending in the future. */
export function checkPeriod(from: Date, to: Date, now: Date = new Date()): void {
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()))
    throw new InvalidInputError('the review period needs a valid from and to');
  if (from >= to) throw new InvalidInputError('the review period must start before it ends (from < to)');
  if (to.getTime() - from.getTime() > PERIOD_MAX_MS)
    throw new InvalidInputError('a review period may cover at most 366 days');
  if (to.getTime() > now.getTime() + 60_000)
    throw new InvalidInputError('a review period cannot end in the future');
}

function checkNote(note: unknown): string {
  if (typeof note !== 'string' || note.trim() === '') throw new InvalidInputError('a review needs a note');
  if (note.length > NOTE_MAX)
    throw new InvalidInputError(`a review note may have at most ${NOTE_MAX} characters`);
  if (note.includes('\0')) throw new InvalidInputError('a review note must not contain NUL characters');
  return note;
}

function rowToReview(r: Record<string, unknown>): Review {
  return {
    id: Number(r.id),
    from: r.period_from as Date,
    to: r.period_to as Date,
    note: r.note as string,
    reviewer: r.reviewer as string,
    createdAt: r.created_at as Date,
  };
}

/** Records a review and its audit event in one transaction. */
export async function recordReview(db: Db, input: NewReview): Promise<Review> {
  checkPeriod(input.from, input.to);
  const note = checkNote(input.note);
  return inTransaction(db, async (trx) => {
    const [row] = await trx('audit_reviews')
      .insert({
        period_from: input.from,
        period_to: input.to,
        note,
        reviewer: input.reviewer.name,
        reviewer_id: input.reviewer.id,
      })
      .returning('*');
    const review = rowToReview(row);
    await appendAuditEvent(trx, {
      type: 'audit.review',
      actor: input.reviewer.name,
      actorId: input.reviewer.id,
      subject: `review:${review.id}`,
      // the note stays in the review table: free text is not copied into the chain
      details: { from: review.from.toISOString(), to: review.to.toISOString(), via: input.via },
    });
    return review;
  });
}

/** Reviews, newest period end first (bounded). */
export async function listReviews(db: Db, limit = 100): Promise<Review[]> {
  const rows = await db('audit_reviews')
    .orderBy([
      { column: 'period_to', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .limit(Math.min(Math.max(1, limit), 1000));
  return rows.map(rowToReview);
}

/** The review whose period ends last, or null when there is none. */
export async function lastReview(db: Db): Promise<Review | null> {
  const [r] = await listReviews(db, 1);
  return r ?? null;
}

export interface ReviewDue {
  overdue: boolean;
  last: Review | null;
  /** When the next review is due: the last period's end plus the interval (null: none yet). */
  dueAt: Date | null;
}

/**
 * Is a review overdue at `now`? With reviews: when the last reviewed period ended more than
 * `intervalDays` ago. Without any: when the first event of the trail is older than the
 * interval (a fresh installation is not overdue on its first day).
 */
export async function reviewDue(db: Db, intervalDays: number, now: Date = new Date()): Promise<ReviewDue> {
  const intervalMs = intervalDays * 24 * 3600 * 1000;
  const last = await lastReview(db);
  if (last) {
    const dueAt = new Date(last.to.getTime() + intervalMs);
    return { overdue: now > dueAt, last, dueAt };
  }
  const first = await db('audit_events').min('time as t').first();
  const since = first?.t ? new Date(first.t as Date) : null;
  const dueAt = since ? new Date(since.getTime() + intervalMs) : null;
  return { overdue: dueAt !== null && now > dueAt, last: null, dueAt };
}
