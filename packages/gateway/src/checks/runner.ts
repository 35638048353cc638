// Runs the health checks, keeps their history (table health_checks) and raises or clears
// one alert per check (`check.<name>`). Every check is bounded by the timeout; one that
// hangs or throws is a failed result, never an exception of the run.
import os from 'node:os';
import type { Db } from '@faxgate/store';
import { setAlert } from '../alerts/alerts.js';
import type { HealthCheck } from './checks.js';

export interface CheckResult {
  name: string;
  ok: boolean;
  durationMs: number;
  /** What the check found, or what is wrong (one line). */
  detail: string;
  at: string;
}

export interface RunOptions {
  actor: string;
  timeoutMs: number;
  historyDays: number;
  node?: string;
}

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim().slice(0, 500) || '-';

async function runOne(check: HealthCheck, timeoutMs: number): Promise<Omit<CheckResult, 'at'>> {
  const abort = new AbortController();
  const t0 = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const detail = await Promise.race([
      check.run(abort.signal),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          abort.abort();
          reject(new Error(`no answer within ${timeoutMs} ms`));
        }, timeoutMs);
      }),
    ]);
    return {
      name: check.name,
      ok: true,
      durationMs: Math.round(performance.now() - t0),
      detail: oneLine(detail),
    };
  } catch (e) {
    const detail = e instanceof Error ? e.message || e.name : String(e);
    return {
      name: check.name,
      ok: false,
      durationMs: Math.round(performance.now() - t0),
      detail: oneLine(detail),
    };
  } finally {
    clearTimeout(timer);
  }
}

/** Runs all checks at once; records each result, sets its alert, prunes old history. */
export async function runHealthChecks(
  db: Db,
  checks: readonly HealthCheck[],
  opts: RunOptions,
): Promise<CheckResult[]> {
  const node = opts.node ?? os.hostname();
  const results = await Promise.all(checks.map((c) => runOne(c, opts.timeoutMs)));
  const at = new Date();
  if (results.length > 0) {
    await db('health_checks').insert(
      results.map((r) => ({
        run_at: at,
        name: r.name,
        ok: r.ok,
        duration_ms: r.durationMs,
        detail: r.detail,
        node,
      })),
    );
  }
  for (const r of results) {
    await setAlert(
      db,
      !r.ok,
      {
        key: `check.${r.name}`,
        severity: 'critical',
        source: 'health-checks',
        summary: `${r.name} failed: ${r.detail}`,
      },
      `${r.name} passes again: ${r.detail}`,
      { actor: opts.actor },
    );
  }
  await db('health_checks')
    .where('run_at', '<', db.raw('now() - make_interval(days => ?)', [opts.historyDays]))
    .delete();
  return results.map((r) => ({ ...r, at: at.toISOString() }));
}

/** The latest result of each check (any node), by name. */
export async function latestResults(db: Db): Promise<CheckResult[]> {
  const rows = await db
    .select('*')
    .from(
      db.raw(
        '(SELECT DISTINCT ON (name) * FROM health_checks ORDER BY name, run_at DESC, id DESC) AS latest',
      ),
    )
    .orderBy('name');
  return rows.map(resultOf);
}

/** The history of one check (or all), newest first. */
export async function checkHistory(db: Db, opts: { name?: string; limit: number }): Promise<CheckResult[]> {
  const q = db('health_checks').orderBy([
    { column: 'run_at', order: 'desc' },
    { column: 'id', order: 'desc' },
  ]);
  if (opts.name) q.where({ name: opts.name });
  return (await q.limit(opts.limit).select('*')).map(resultOf);
}

function resultOf(r: {
  name: string;
  ok: boolean;
  duration_ms: number;
  detail: string;
  run_at: Date;
}): CheckResult {
  return {
    name: r.name,
    ok: r.ok,
    durationMs: r.duration_ms,
    detail: r.detail,
    at: new Date(r.run_at).toISOString(),
  };
}
