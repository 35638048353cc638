// Reconnect delays: exponential from `baseMs`, capped at `maxMs`, with "equal jitter" (half
// the step fixed, half random) so that gateways that lost the same server do not all knock
// at the same instant, yet none waits less than half its step.

export interface Backoff {
  baseMs: number;
  maxMs: number;
}

/** The default: 0.5 s, 1 s, 2 s … up to 30 s. */
export const LINE_BACKOFF: Backoff = { baseMs: 500, maxMs: 30_000 };

/** Delay before reconnect attempt `attempt` (1 = the first after the loss). */
export function backoffDelay(
  attempt: number,
  b: Backoff = LINE_BACKOFF,
  random: () => number = Math.random,
): number {
  const n = Math.max(1, Math.floor(attempt));
  const step = Math.min(b.maxMs, b.baseMs * 2 ** Math.min(n - 1, 30));
  return Math.round(step / 2 + (step / 2) * random());
}
