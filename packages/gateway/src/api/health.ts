// Reachability checks behind GET /health. Each probe is bounded in time so a hung database
// or Redis makes /health answer "fail" quickly instead of hanging the caller.

export type Probe = () => Promise<void>;

export interface CheckResult {
  ok: boolean;
  latencyMs: number;
  error?: string;
}

export interface HealthReport {
  status: 'ok' | 'fail';
  checks: Record<string, CheckResult>;
}

export const PROBE_TIMEOUT_MS = 2000;

async function runProbe(probe: Probe, timeoutMs: number): Promise<CheckResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch (e) {
    const error = e instanceof Error ? e.message || e.name : String(e);
    return { ok: false, latencyMs: Math.round(performance.now() - started), error };
  } finally {
    clearTimeout(timer);
  }
}

export async function checkHealth(
  probes: Record<string, Probe>,
  timeoutMs = PROBE_TIMEOUT_MS,
): Promise<HealthReport> {
  const names = Object.keys(probes);
  const results = await Promise.all(names.map((n) => runProbe(probes[n], timeoutMs)));
  const checks = Object.fromEntries(names.map((n, i) => [n, results[i]]));
  return { status: results.every((r) => r.ok) ? 'ok' : 'fail', checks };
}
