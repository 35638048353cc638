// The log review's scheduled work (schedule/: one node at a time): the overdue-review
// reminder and the regular audit verify (chain and signed checkpoints). Both raise an alert
// while the condition holds and clear it when it is over; every verify is an audit.verify
// event, so the last one is evidence for the compliance report.

import type { KeyObject } from 'node:crypto';
import fs from 'node:fs';
import {
  appendAuditEvent,
  type CheckpointSet,
  FAILED_CHECKPOINT,
  loadCheckpointKey,
  readCheckpoints,
  verifyAgainstCheckpoints,
  verifyAuditChain,
} from '@faxgate/audit';
import { type Db, inTransaction } from '@faxgate/store';
import { setAlert } from '../alerts/index.js';
import type { ScheduledTask } from '../schedule/index.js';
import { reviewDue } from './reviews.js';

export const REVIEW_ALERT_KEY = 'review.overdue';
export const VERIFY_ALERT_KEY = 'audit.verify';
const HOUR = 3600_000;

export interface ReviewTaskConfig {
  review: { intervalDays: number; verifyIntervalMinutes: number };
  audit: { checkpointDir: string; checkpointKeyFile: string };
}

/** Checks whether a review is overdue and raises or clears the alert; returns a log line. */
export async function checkReviewDue(
  db: Db,
  intervalDays: number,
  actor: string,
  now = new Date(),
): Promise<string> {
  const due = await reviewDue(db, intervalDays, now);
  const last = due.last ? `last reviewed up to ${due.last.to.toISOString()}` : 'no review recorded yet';
  await setAlert(
    db,
    due.overdue,
    {
      key: REVIEW_ALERT_KEY,
      severity: 'warning',
      source: 'log-review',
      summary: `log review overdue (every ${intervalDays} days): ${last}`,
    },
    `log review up to date: ${last}`,
    { actor },
  );
  return due.overdue ? `review overdue: ${last}` : `review not due: ${last}`;
}

export interface ScheduledVerify {
  ok: boolean;
  checked: number;
  checkpoints: number;
  matched: number;
  problem?: string;
}

/** The checkpoints in the configured directory (none when it does not exist), with their keys and ours. */
function checkpointSources(cfg: ReviewTaskConfig['audit']): {
  set: CheckpointSet;
  keys: Map<string, KeyObject>;
} {
  const set: CheckpointSet = fs.existsSync(cfg.checkpointDir)
    ? readCheckpoints(cfg.checkpointDir)
    : { checkpoints: [], publicKeys: new Map() };
  const keys = new Map(set.publicKeys);
  try {
    const own = loadCheckpointKey(cfg.checkpointKeyFile);
    keys.set(own.keyId, own.publicKey);
  } catch {
    // the signing key is not readable here: the public keys beside the checkpoints only
  }
  return { set, keys };
}

/** Verifies the chain and the checkpoints, records audit.verify and raises or clears the alert. */
export async function scheduledVerify(
  db: Db,
  cfg: ReviewTaskConfig['audit'],
  actor: string,
): Promise<ScheduledVerify> {
  const chain = await verifyAuditChain(db);
  let result: ScheduledVerify;
  let failed: Array<{ source: string; seq: number | null; status: string }> = [];
  try {
    const { set, keys } = checkpointSources(cfg);
    const cps = await verifyAgainstCheckpoints(db, set.checkpoints, keys);
    failed = cps.checks
      .filter((c) => FAILED_CHECKPOINT.has(c.status))
      .map((c) => ({ source: c.source, seq: c.seq ?? null, status: c.status }));
    const bad = cps.checks.find((c) => FAILED_CHECKPOINT.has(c.status));
    result = {
      ok: chain.ok && cps.ok,
      checked: chain.checked,
      checkpoints: cps.checks.length,
      matched: cps.matched,
      problem: !chain.ok
        ? `event ${chain.firstBad?.seq} ${chain.firstBad?.kind}`
        : bad
          ? `checkpoint ${bad.status}`
          : undefined,
    };
  } catch (e) {
    result = {
      ok: false,
      checked: chain.checked,
      checkpoints: 0,
      matched: 0,
      problem: `checkpoints unreadable: ${(e as Error).message}`,
    };
  }
  await inTransaction(db, (trx) =>
    appendAuditEvent(trx, {
      type: 'audit.verify',
      actor,
      subject: 'audit_events',
      details: {
        ok: result.ok,
        scheduled: true,
        checked: result.checked,
        firstBad: chain.firstBad ?? null,
        checkpoints: { from: cfg.checkpointDir, given: result.checkpoints, matched: result.matched, failed },
      },
    }),
  );
  await setAlert(
    db,
    !result.ok,
    {
      key: VERIFY_ALERT_KEY,
      severity: 'critical',
      source: 'audit-verify',
      summary: `audit trail verify failed: ${result.problem}`,
    },
    `audit trail verified: ${result.checked} events`,
    { actor },
  );
  return result;
}

/** The two tasks for the daemon's scheduler; `config()` is read at each run (live reload). */
export function reviewTasks(db: Db, config: () => ReviewTaskConfig, actor: string): ScheduledTask[] {
  return [
    {
      name: 'review-due',
      intervalMs: HOUR,
      run: () => checkReviewDue(db, config().review.intervalDays, actor),
    },
    {
      name: 'audit-verify',
      intervalMs: config().review.verifyIntervalMinutes * 60_000,
      firstDelayMs: 60_000,
      run: async () => {
        const r = await scheduledVerify(db, config().audit, actor);
        if (!r.ok) throw new Error(`audit trail verify failed: ${r.problem}`);
        return `audit trail intact: ${r.checked} events, ${r.matched} of ${r.checkpoints} checkpoints match`;
      },
    },
  ];
}
