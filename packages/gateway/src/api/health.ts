// Reachability checks behind GET /health. Each probe is bounded in time so a hung database
// or Redis makes /health answer "fail" quickly instead of hanging the caller. /health is
// public (monitoring, load balancers), so what it answers is only ok/fail per check — no
// URLs, hosts, users, paths or error texts (those go to the log through `onFailure`).

export type Probe = () => Promise<void>;

export interface CheckResult {
  ok: boolean;
  latencyMs: number;
  error?: string;
}

/** What the probes found, with reasons: for the log, never for the public answer. */
export interface ProbeReport {
  ok: boolean;
  checks: Record<string, CheckResult>;
}

/** The public answer of GET /health. */
export interface HealthReport {
  status: 'ok' | 'degraded';
  checks: Record<string, 'ok' | 'fail'>;
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

export async function runProbes(
  probes: Record<string, Probe>,
  timeoutMs = PROBE_TIMEOUT_MS,
): Promise<ProbeReport> {
  const names = Object.keys(probes);
  const results = await Promise.all(names.map((n) => runProbe(probes[n], timeoutMs)));
  const checks = Object.fromEntries(names.map((n, i) => [n, results[i]]));
  return { ok: results.every((r) => r.ok), checks };
}

/** The public form: ok or fail per check, nothing else. */
export function publicHealth(report: ProbeReport): HealthReport {
  return {
    status: report.ok ? 'ok' : 'degraded',
    checks: Object.fromEntries(Object.entries(report.checks).map(([n, c]) => [n, c.ok ? 'ok' : 'fail'])),
  };
}

export async function checkHealth(
  probes: Record<string, Probe>,
  timeoutMs = PROBE_TIMEOUT_MS,
): Promise<HealthReport> {
  return publicHealth(await runProbes(probes, timeoutMs));
}
