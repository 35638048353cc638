// Periodic tasks of the daemon (retention, health checks, disk guard, log review …), run on
// one node at a time: each run holds a PostgreSQL session advisory lock on the task's name,
// and runs only when the task's interval has passed since its last start on any node
// (table schedule_runs). A task's failure is logged and recorded, never thrown: the daemon
// goes on and the task runs again at its next turn.
import os from 'node:os';
import type { Knex } from '@faxgate/store';
import type { Logger } from '../logger.js';

/** First key of the two-key advisory lock: 'fxsc' (presence uses 'fxgw'). */
export const SCHEDULE_LOCK_CLASS = 0x66787363;

export interface TaskContext {
  /** Aborted when the scheduler stops: a long task should stop early. */
  signal: AbortSignal;
  /** When this run started. */
  now: Date;
}

export interface ScheduledTask {
  /** Unique, 1..64 of a-z 0-9 . _ - ; also the lock's and the record's key. */
  name: string;
  /** Time between starts, cluster-wide. */
  intervalMs: number;
  /** Delay before the first attempt after start (default: a second). */
  firstDelayMs?: number;
  /** Resolves to what the task did, as one line for the log (a non-string is not logged). Throw to report failure. */
  run(ctx: TaskContext): Promise<unknown>;
}

export type TaskOutcome =
  | { outcome: 'ok'; durationMs: number; summary?: string }
  | { outcome: 'failed'; durationMs: number; error: string }
  /** Another node holds the lock, or ran the task less than an interval ago. */
  | { outcome: 'skipped'; reason: 'locked' | 'not-due' | 'stopped' };

export interface Scheduler {
  /** Adds a task (also after start); its first turn comes after `firstDelayMs`. */
  register(task: ScheduledTask): void;
  /** Runs a registered task now (under its lock; `force` ignores the interval). */
  runNow(name: string, opts?: { force?: boolean }): Promise<TaskOutcome>;
  /** Names of the registered tasks. */
  tasks(): string[];
  /** No new runs; waits for the running ones (their signal is aborted). */
  stop(): Promise<void>;
}

export interface SchedulerOptions {
  db: Knex;
  log: Logger;
  /** Recorded as the node that ran a task. */
  node?: string;
}

const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export function startScheduler(opts: SchedulerOptions): Scheduler {
  const { db, log } = opts;
  const node = opts.node ?? `${os.hostname()}:${process.pid}`;
  const tasks = new Map<string, ScheduledTask>();
  const timers = new Map<string, NodeJS.Timeout>();
  const running = new Set<Promise<unknown>>();
  const abort = new AbortController();
  let stopped = false;

  const schedule = (task: ScheduledTask, delayMs: number) => {
    if (stopped) return;
    const t = setTimeout(() => {
      timers.delete(task.name);
      void track(attempt(task, false)).then(() => schedule(task, task.intervalMs));
    }, delayMs);
    t.unref();
    timers.set(task.name, t);
  };

  const track = <T>(p: Promise<T>): Promise<T> => {
    running.add(p);
    return p.finally(() => running.delete(p));
  };

  async function attempt(task: ScheduledTask, force: boolean): Promise<TaskOutcome> {
    if (stopped) return { outcome: 'skipped', reason: 'stopped' };
    let conn: unknown;
    const key = task.name;
    try {
      // A connection of its own for the session lock: held for the run, released after.
      conn = await db.client.acquireConnection();
      const got = await db
        .raw('SELECT pg_try_advisory_lock(?::int, hashtext(?)) AS ok', [SCHEDULE_LOCK_CLASS, key])
        .connection(conn);
      if (!got.rows[0].ok) return { outcome: 'skipped', reason: 'locked' };
      try {
        return await runLocked(task, force);
      } finally {
        await db
          .raw('SELECT pg_advisory_unlock(?::int, hashtext(?))', [SCHEDULE_LOCK_CLASS, key])
          .connection(conn)
          .catch(() => {});
      }
    } catch (e) {
      // The database itself failed (lock or bookkeeping): logged, next turn tries again.
      const error = (e as Error).message;
      log.error(`schedule: ${key}: could not run: ${error}`);
      return { outcome: 'failed', durationMs: 0, error };
    } finally {
      if (conn) await db.client.releaseConnection(conn).catch(() => {});
    }
  }

  async function runLocked(task: ScheduledTask, force: boolean): Promise<TaskOutcome> {
    // Due? Another node may have run it a moment ago (we hold the lock, so not now).
    const { rows } = await db.raw(
      `INSERT INTO schedule_runs (task, started_at, node) VALUES (?, clock_timestamp(), ?)
         ON CONFLICT (task) DO UPDATE
           SET started_at = clock_timestamp(), node = EXCLUDED.node,
               finished_at = NULL, outcome = NULL, duration_ms = NULL, summary = NULL
           WHERE ?::boolean
              OR schedule_runs.started_at <= clock_timestamp() - make_interval(secs => ?::float8 / 1000)
       RETURNING started_at`,
      [task.name, node, force, Math.max(0, task.intervalMs - 500)],
    );
    if (rows.length === 0) return { outcome: 'skipped', reason: 'not-due' };
    const now: Date = rows[0].started_at;
    const t0 = performance.now();
    let result: TaskOutcome;
    try {
      const said = await task.run({ signal: abort.signal, now });
      const summary = typeof said === 'string' ? said.replace(/\s+/g, ' ').slice(0, 500) : undefined;
      const durationMs = Math.round(performance.now() - t0);
      result = { outcome: 'ok', durationMs, ...(summary ? { summary } : {}) };
      log.info(`schedule: ${task.name} ok in ${durationMs} ms${summary ? `: ${summary}` : ''}`);
    } catch (e) {
      const durationMs = Math.round(performance.now() - t0);
      const error = e instanceof Error ? e.message : String(e);
      result = { outcome: 'failed', durationMs, error };
      log.error(`schedule: ${task.name} failed after ${durationMs} ms: ${error}`);
    }
    await db('schedule_runs')
      .where({ task: task.name })
      .update({
        finished_at: db.raw('clock_timestamp()'),
        outcome: result.outcome,
        duration_ms: result.durationMs,
        summary: (result.outcome === 'ok' ? (result.summary ?? null) : result.error)?.slice(0, 500) ?? null,
      });
    return result;
  }

  return {
    register(task) {
      if (!NAME.test(task.name))
        throw new Error(`scheduled task name ${JSON.stringify(task.name)} is invalid`);
      if (tasks.has(task.name)) throw new Error(`scheduled task ${task.name} is registered twice`);
      if (!(task.intervalMs >= 1000)) throw new Error(`scheduled task ${task.name}: interval below 1 s`);
      tasks.set(task.name, task);
      schedule(task, task.firstDelayMs ?? 1000);
    },
    runNow(name, o = {}) {
      const task = tasks.get(name);
      if (!task) return Promise.reject(new Error(`no scheduled task ${name}`));
      return track(attempt(task, o.force ?? false));
    },
    tasks: () => [...tasks.keys()],
    async stop() {
      stopped = true;
      abort.abort();
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
      await Promise.allSettled([...running]);
    },
  };
}

/** The last run of each task (any node), for status and health. */
export async function lastRuns(db: Knex): Promise<
  Array<{
    task: string;
    startedAt: Date;
    finishedAt: Date | null;
    outcome: 'ok' | 'failed' | null;
    durationMs: number | null;
    summary: string | null;
    node: string;
  }>
> {
  const rows = await db('schedule_runs').orderBy('task').select('*');
  return rows.map((r) => ({
    task: r.task,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    outcome: r.outcome,
    durationMs: r.duration_ms,
    summary: r.summary,
    node: r.node,
  }));
}
