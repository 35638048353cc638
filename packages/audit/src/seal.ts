// Sealing events that committed unsealed. A commit seals at once when the chain head is
// free; when another commit holds it, the events wait for the next seal (0103 migration).
// This is that next seal, for the daemon (a loop), the readers (verify, export) and restarts.
import type { Db, Knex } from '@faxgate/store';

export interface SealResult {
  /** Events chained by this call. */
  sealed: number;
  /** True when `wait: false` and another transaction held the chain head. */
  busy: boolean;
}

export interface SealOptions {
  /** Wait for the chain head when another transaction holds it (default true). */
  wait?: boolean;
  /** Events per transaction (default 10,000), so a long backlog does not make one huge transaction. */
  batch?: number;
}

/**
 * Chains every committed event that is still unsealed, in batches of `batch`, each batch its
 * own transaction when `db` is not a transaction. Any role may call it (the seal runs with
 * the owner's rights); what it writes comes from the chain head and the rows alone.
 */
export async function sealAuditTrail(db: Db, options: SealOptions = {}): Promise<SealResult> {
  const batch = Math.max(1, options.batch ?? 10_000);
  const wait = options.wait ?? true;
  let sealed = 0;
  for (;;) {
    const { rows } = await db.raw('SELECT faxgate_audit_seal_pending(?::integer, ?::boolean) AS n', [
      batch,
      wait,
    ]);
    const n = Number(rows[0].n);
    if (n < 0) return { sealed, busy: true };
    sealed += n;
    if (n < batch) return { sealed, busy: false };
  }
}

/** Committed events not chained yet (none once a seal has run after their commit). */
export async function countUnsealed(db: Db): Promise<number> {
  const { rows } = await db.raw('SELECT count(*) AS n FROM audit_events WHERE seq IS NULL');
  return Number(rows[0].n);
}

/** Seals first when it can; a reader on a read-only connection or standby reads what is sealed. */
export async function sealBeforeReading(db: Db): Promise<void> {
  try {
    await sealAuditTrail(db);
  } catch {
    // A read-only transaction, a standby or a tampered head: the read goes on, and reports
    // what is unsealed (verify) or leaves it out (export).
  }
}

export interface AuditSealer {
  /** Stops the loop after the seal in progress. */
  stop(): Promise<void>;
}

/**
 * The daemon's sealer: seals at once (what a crash or a stop left unsealed) and then every
 * `intervalMs`, so events a busy commit left behind are chained within that time even when
 * nothing else is appended. It never waits for the head: when it is busy, it tries again soon.
 * `onError` hears of a failure once, not at every round, until a round succeeds again.
 */
export function startAuditSealer(
  db: Knex,
  options: { intervalMs?: number; onError?: (err: Error) => void } = {},
): AuditSealer {
  const intervalMs = Math.max(1, options.intervalMs ?? 200);
  let stopped = false;
  let lastError: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      wake = resolve;
      timer = setTimeout(resolve, ms);
    });
  const loop = (async () => {
    while (!stopped) {
      let next = intervalMs;
      try {
        if ((await sealAuditTrail(db, { wait: false })).busy) next = Math.min(intervalMs, 20);
        lastError = undefined;
      } catch (err) {
        if ((err as Error).message !== lastError) options.onError?.(err as Error);
        lastError = (err as Error).message;
      }
      if (!stopped) await pause(next);
    }
  })();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      wake?.();
      await loop;
    },
  };
}
