// faxgate health [--run] [--json] [--disk]: the latest health checks (GET
// /api/v1/health/checks, line.read) or a run now (POST /health/checks/run, line.manage);
// exit 1 when a check fails. --disk: this gateway node's disk guard.
import type { Command } from 'commander';
import { loggedIn } from '../api-client.js';
import { printJson, printLine } from '../context.js';
import { CliError } from '../errors.js';

interface CheckRow {
  name: string;
  ok: boolean;
  durationMs: number;
  detail: string;
  at: string;
}

interface DiskAnswer {
  level: 'ok' | 'warning' | 'critical';
  checkedAt: string | null;
  refusing: string | null;
  targets: Array<{
    name: string;
    level: string;
    path?: string;
    freeBytes?: number;
    freePercent?: number;
    sizeBytes?: number;
    error?: string;
  }>;
}

const mib = (n = 0) => `${Math.round(n / 1024 / 1024)} MiB`;

export function formatChecks(checks: readonly CheckRow[]): string[] {
  if (checks.length === 0)
    return [
      'no health checks recorded yet (they run checks.intervalSeconds after start; faxgate health --run)',
    ];
  const width = Math.max(...checks.map((c) => c.name.length));
  return checks.map(
    (c) =>
      `${c.ok ? 'ok  ' : 'FAIL'}  ${c.name.padEnd(width)}  ${String(c.durationMs).padStart(5)} ms  ${c.at}  ${c.detail}`,
  );
}

export function registerHealthCommands(program: Command): void {
  program
    .command('health')
    .description(
      'health checks of the lines, PostgreSQL, Redis and webhooks: the latest result of each (line.read), or --run them now (line.manage); exit 1 when one fails',
    )
    .option('--run', 'run the checks now (recorded like a scheduled run)')
    .option('--disk', "this gateway node's disk guard instead: free space, database size, level")
    .option('--json', 'print JSON')
    .action(async function (this: Command, o: { run?: boolean; disk?: boolean; json?: boolean }) {
      const api = loggedIn(this);
      if (o.disk) {
        const d = await api.call<DiskAnswer>('GET', '/health/disk');
        if (o.json) printJson(d);
        else {
          printLine(`disk ${d.level}${d.refusing ? `: ${d.refusing}` : ''}`);
          for (const t of d.targets) {
            const what = t.error
              ? `unknown: ${t.error}`
              : t.name === 'database'
                ? `size ${mib(t.sizeBytes)}`
                : `${mib(t.freeBytes)} free (${(t.freePercent ?? 0).toFixed(1)} %) at ${t.path}`;
            printLine(`  ${t.level.padEnd(8)} ${t.name.padEnd(8)} ${what}`);
          }
        }
        if (d.level === 'critical')
          throw new CliError('disk space critical: submissions and incoming calls refused', 1);
        return;
      }
      const r = o.run
        ? await api.call<{ ok: boolean; checks: CheckRow[] }>('POST', '/health/checks/run')
        : await api.call<{ ok: boolean; checks: CheckRow[] }>('GET', '/health/checks');
      if (o.json) printJson(r);
      else for (const l of formatChecks(r.checks)) printLine(l);
      const failing = r.checks.filter((c) => !c.ok).map((c) => c.name);
      if (failing.length > 0)
        throw new CliError(`${failing.length} check(s) failing: ${failing.join(', ')}`, 1);
    });
}
