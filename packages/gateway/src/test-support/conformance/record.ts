// One conformance check's outcome, kept in the vitest task's meta so the summary reporter
// (summary-reporter.ts, in the main process) can count it. A must-check fails its test; a
// report-only (`?`) check passes its test and is counted as WARN; a check against a reference
// known to be wrong (`~`) is shown, never counted.
import { expect, type TaskMeta } from 'vitest';
import type { CheckMode } from './manifest.js';

export interface ConformanceRecord {
  /** The manifest: `fax` or `docs`. */
  manifest: string;
  /** The file's folder (`libtiff.net`). */
  group: string;
  file: string;
  check: string;
  mode: CheckMode;
  ok: boolean;
  /** Why it failed (empty when ok). */
  detail: string;
}

declare module 'vitest' {
  interface TaskMeta {
    conformance?: ConformanceRecord;
  }
}

/** What a check found: ok, or the reason it is not. */
export interface CheckResult {
  ok: boolean;
  detail: string;
}

export const pass = (): CheckResult => ({ ok: true, detail: '' });
export const fail = (detail: string): CheckResult => ({ ok: false, detail });

/** Runs a check; an exception (a tool that failed, our decoder refusing) is the check failing. */
export async function runCheck(f: () => CheckResult | Promise<CheckResult>): Promise<CheckResult> {
  try {
    return await f();
  } catch (e) {
    return fail(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
  }
}

/**
 * Records the outcome in the test's meta and asserts it as the mode says: a must-check that
 * failed fails the test; `?` and `~` outcomes are printed instead.
 */
export function settle(
  meta: TaskMeta,
  record: Omit<ConformanceRecord, 'ok' | 'detail'>,
  r: CheckResult,
): void {
  meta.conformance = { ...record, ok: r.ok, detail: r.detail };
  const label = `${record.manifest}/${record.file} ${record.check}`;
  if (record.mode === 'must') {
    expect(r.ok, `${label}: ${r.detail}`).toBe(true);
    return;
  }
  if (!r.ok) {
    const tag = record.mode === 'warn' ? 'WARN' : 'SHOWN (reference known wrong)';
    console.warn(`${tag} ${label}: ${r.detail}`);
  }
}
