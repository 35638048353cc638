// The retention job, one node at a time: scheduled through the daemon's scheduler (task
// `retention`, its advisory lock), and run on demand (the API) under the same lock, so a
// run asked for while the scheduled one runs is refused, never run beside it.
import type { Knex } from '@faxgate/store';
import { raiseAlert, setAlert } from '../alerts/index.js';
import { SCHEDULE_LOCK_CLASS, type ScheduledTask } from '../schedule/index.js';
import type { ArchiveConfig, RetentionConfig } from './config.js';
import { type RetentionRunOptions, type RetentionSummary, runRetention } from './run.js';

export const RETENTION_TASK = 'retention';

/** The scheduled actor of the audit trail. */
export const RETENTION_ACTOR = 'system:retention';

/** The alert a failing scheduled run raises (cleared by the next complete run). */
export const RETENTION_ALERT = 'retention.failed';
const alertBy = { actor: RETENTION_ACTOR };
const failedAlert = (summary: string) => ({
  key: RETENTION_ALERT,
  severity: 'critical' as const,
  source: 'retention',
  summary,
});

export class RetentionBusyError extends Error {
  constructor() {
    super('a retention run is in progress (here or on another node); try again when it has finished');
    this.name = 'RetentionBusyError';
  }
}

/** One-line summary for logs and the CLI. */
export function describeSummary(s: RetentionSummary): string {
  const head = s.dryRun ? `dry run at ${s.now}: ${s.due} due` : `run at ${s.now}: ${s.deleted} deleted`;
  const parts = [
    head,
    ...(s.dryRun ? [] : [`${s.archived} archived`, `${s.pagesDeleted} pages`]),
    `${s.held} held`,
    ...(s.failed ? [`${s.failed} failed`] : []),
    ...(s.unknownMailboxes.length
      ? [`unknown mailboxes in retention.mailboxes: ${s.unknownMailboxes.join(', ')}`]
      : []),
  ];
  return parts.join(', ');
}

/** Runs retention now under the job's lock (the scheduler's key for `retention`). */
export async function runRetentionLocked(
  db: Knex,
  opts: Omit<RetentionRunOptions, 'db'>,
): Promise<RetentionSummary> {
  const conn = await db.client.acquireConnection();
  try {
    const got = await db
      .raw('SELECT pg_try_advisory_lock(?::int, hashtext(?)) AS ok', [SCHEDULE_LOCK_CLASS, RETENTION_TASK])
      .connection(conn);
    if (!got.rows[0].ok) throw new RetentionBusyError();
    try {
      return await runRetention({ db, ...opts });
    } finally {
      await db
        .raw('SELECT pg_advisory_unlock(?::int, hashtext(?))', [SCHEDULE_LOCK_CLASS, RETENTION_TASK])
        .connection(conn)
        .catch(() => {});
    }
  } finally {
    await db.client.releaseConnection(conn).catch(() => {});
  }
}

/**
 * The scheduled task (the scheduler holds the lock while it runs). Reads `config()` at each
 * run, so reloaded rules apply at the next one; null when retention.intervalMinutes is 0.
 */
export function retentionTask(
  db: Knex,
  config: () => { retention: RetentionConfig; archive: ArchiveConfig },
): ScheduledTask | null {
  const minutes = config().retention.intervalMinutes;
  if (minutes === 0) return null;
  return {
    name: RETENTION_TASK,
    intervalMs: minutes * 60_000,
    firstDelayMs: 60_000,
    async run({ signal }) {
      const c = config();
      let summary: RetentionSummary;
      try {
        summary = await runRetention({
          db,
          retention: c.retention,
          archive: c.archive,
          actor: RETENTION_ACTOR,
          signal,
        });
      } catch (e) {
        await raiseAlert(db, failedAlert(`retention run failed: ${(e as Error).message}`), alertBy);
        throw e;
      }
      const failed = summary.faxes.filter((f) => f.error).map((f) => f.id);
      await setAlert(
        db,
        failed.length > 0,
        failedAlert(
          `${failed.length} due faxes not deleted, their archive could not be written or verified (faxes ${failed.slice(0, 20).join(', ')}${failed.length > 20 ? ' …' : ''})`,
        ),
        'retention: every due fax archived and deleted again',
        alertBy,
      );
      if (failed.length > 0) throw new Error(describeSummary(summary));
      return describeSummary(summary);
    },
  };
}
