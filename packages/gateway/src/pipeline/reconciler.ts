// PostgreSQL is the truth, Redis carries the work. The reconciler makes every waiting fax
// have exactly one queue job: it recreates jobs Redis lost, removes jobs whose fax is over
// or gone, replaces jobs a dead worker left active, and hands calls cut off by a crash to
// the fax post office ('outcome unknown') instead of resending them silently.
import type { Db } from '@faxgate/store';
import type { Job } from 'bullmq';
import type { Logger } from '../logger.js';
import { clearSyncMark, QUEUE_SYNC } from './job-sync.js';
import { aliveInstances } from './presence.js';
import { enqueueFax, faxIdOf, type SendJobData, type SendQueue } from './queue.js';
import { QUEUED_STATES, recoverCutOffCall } from './transitions.js';

export interface ReconcileContext {
  db: Db;
  queue: SendQueue;
  outcomeUnknown: 'hold' | 'resend';
  actor: string;
  log?: Logger;
}

export interface ReconcileReport {
  /** Jobs created for waiting faxes that had none. */
  created: number[];
  /** Jobs removed because their fax is finished, held or gone. */
  orphansRemoved: string[];
  /** Jobs left active by a dead worker, replaced. */
  staleReplaced: number[];
  /** Running faxes whose worker died (held, or resent when configured). */
  cutOff: number[];
  /** Jobs replaced because their fax row changed after the job was made (QUEUE_SYNC mark). */
  resynced: number[];
}

const LIVE_JOB_STATES = new Set([
  'waiting',
  'wait',
  'delayed',
  'prioritized',
  'paused',
  'active',
  'waiting-children',
]);

async function isLocked(queue: SendQueue, jobId: string): Promise<boolean> {
  const client = await queue.getBackend().client;
  return (await client.get(queue.toKey(`${jobId}:lock`))) !== null;
}

export async function reconcile(ctx: ReconcileContext): Promise<ReconcileReport> {
  const { db, queue } = ctx;
  const report: ReconcileReport = {
    created: [],
    orphansRemoved: [],
    staleReplaced: [],
    cutOff: [],
    resynced: [],
  };

  // Jobs first: a job's fax row is always committed before the job is added, so every
  // job seen here has its row in the query after it.
  const jobs = (await queue.getJobs([
    'wait',
    'delayed',
    'prioritized',
    'active',
    'completed',
    'failed',
    'waiting-children',
  ])) as (Job<SendJobData> | undefined)[];
  const rows: {
    id: number;
    state: string;
    priority: number;
    not_before: Date | null;
    worker: string | null;
    queue_sync: string | null;
  }[] = await db('faxes')
    .where({ direction: 'out' })
    .whereIn('state', [...QUEUED_STATES, 'running'])
    .select(
      'id',
      'state',
      'priority',
      'not_before',
      db.raw(`metadata->>'worker' AS worker`),
      db.raw('metadata->>?::text AS queue_sync', [QUEUE_SYNC]),
    );
  const byFax = new Map<number, Job<SendJobData>>();
  const orphans: Job<SendJobData>[] = [];
  for (const job of jobs) {
    if (!job?.id) continue;
    const faxId = faxIdOf(job.id);
    if (faxId === undefined) orphans.push(job);
    else byFax.set(faxId, job);
  }
  const live = new Set<number>();
  const alive = await aliveInstances(db);

  for (const row of rows) {
    live.add(row.id);
    const job = byFax.get(row.id);
    if (row.state === 'running') {
      if (row.worker && alive.has(row.worker)) continue; // a call in flight; its worker records it
      await recoverCutOffCall(db, row.id, ctx.outcomeUnknown, ctx.actor, row.worker).then(
        () => report.cutOff.push(row.id),
        (e: Error) => ctx.log?.warn(`reconciler: fax ${row.id}: ${e.message}`),
      );
      if (job && !(await isLocked(queue, job.id as string))) await job.remove().catch(() => {});
      if (ctx.outcomeUnknown === 'resend') {
        await enqueueFax(queue, { id: row.id, priority: row.priority, notBefore: null });
      }
      continue;
    }
    if (job) {
      const state = await job.getState();
      if (state === 'active') {
        if (await isLocked(queue, job.id as string)) continue;
        // Active without a lock: its worker died before it could touch the row. Replace it.
        await job.remove().catch(() => {});
        report.staleReplaced.push(row.id);
      } else if (LIVE_JOB_STATES.has(state) && !row.queue_sync) {
        continue;
      } else if (row.queue_sync) {
        // The row changed after the job was made (modify, settle) and the job was not
        // replaced then: replace it now from the row (a worker that took it since keeps it;
        // the mark stays for the next pass).
        const removed = await job.remove().then(
          () => true,
          () => false,
        );
        if (!removed) continue;
        report.resynced.push(row.id);
      } else {
        await job.remove().catch(() => {});
      }
    }
    await enqueueFax(queue, { id: row.id, priority: row.priority, notBefore: row.not_before });
    if (row.queue_sync) await clearSyncMark(db, row.id, row.queue_sync);
    if (!report.staleReplaced.includes(row.id) && !report.resynced.includes(row.id)) {
      report.created.push(row.id);
    }
  }

  for (const [faxId, job] of byFax) if (!live.has(faxId)) orphans.push(job);
  for (const job of orphans) {
    const id = job.id as string;
    if ((await job.getState()) === 'active' && (await isLocked(queue, id))) continue; // its worker finishes it
    await job.remove().catch(() => {});
    report.orphansRemoved.push(id);
  }
  if (
    report.created.length ||
    report.orphansRemoved.length ||
    report.staleReplaced.length ||
    report.cutOff.length ||
    report.resynced.length
  ) {
    ctx.log?.info(
      `reconciler: ${report.created.length} jobs recreated, ${report.orphansRemoved.length} orphans removed, ${report.staleReplaced.length} stale replaced, ${report.cutOff.length} cut-off calls, ${report.resynced.length} jobs brought in line with their fax`,
    );
  }
  return report;
}

export interface Reconciler {
  /** Runs a pass now (passes never overlap). */
  runOnce(): Promise<ReconcileReport>;
  stop(): Promise<void>;
}

/** A pass at start, then every `intervalMs`. */
export function startReconciler(ctx: ReconcileContext, intervalMs: number): Reconciler {
  let current: Promise<ReconcileReport> | undefined;
  const runOnce = (): Promise<ReconcileReport> => {
    current ??= reconcile(ctx).finally(() => {
      current = undefined;
    });
    return current;
  };
  const tick = () => void runOnce().catch((e: Error) => ctx.log?.warn(`reconciler: ${e.message}`));
  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return {
    runOnce,
    async stop() {
      clearInterval(timer);
      await current?.catch(() => {});
    },
  };
}
