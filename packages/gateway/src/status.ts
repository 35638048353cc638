// What the gateway is and does right now, reported by GET /status and printed by the main
// job. Only facts: configured values, what runs, and a plain list of what is not built yet.
import { redactUrl } from './config/redact.js';
import type { FaxgateConfig } from './config/schema.js';
import type { DiskState } from './disk/guard.js';
import type { EvidenceState } from './lockdown/evidence-monitor.js';
import { GATEWAY_VERSION } from './version.js';

/**
 * Parts of the gateway that do not exist yet. Whoever builds one removes its line here,
 * so status never claims more — or less — than the code does.
 */
export const NOT_BUILT_YET: readonly string[] = [];

export interface GatewayStatus {
  name: 'faxgate';
  version: string;
  startedAt: string;
  uptimeSeconds: number;
  api: { address: string };
  /**
   * privileged: what makes the daemon's database role privileged (superuser, table owner …),
   * allowed only by database.allowPrivileged; null when it is the least-privilege application role.
   */
  database: { url: string; privileged: string[] | null };
  redis: { url: string; keyPrefix: string };
  lockdown: { mode: FaxgateConfig['lockdown']['mode'] };
  /** The render sandbox (render.sandbox): 'none' means documents are parsed unconfined. */
  render: { sandbox: FaxgateConfig['render']['sandbox'] };
  lines: {
    transport: FaxgateConfig['lines']['transport'];
    server: string;
    controllers: number[];
    /** The last controller evidence check (M 4.59), when lines are configured. */
    evidence?: EvidenceState;
  };
  configFile: string | null;
  /** This node's disk guard: level (critical = submissions and calls refused) and each target. */
  disk?: DiskState;
  notBuiltYet: readonly string[];
}

export function gatewayStatus(opts: {
  config: FaxgateConfig;
  configFile: string | null;
  startedAt: Date;
  apiAddress: string;
  evidence?: EvidenceState;
  /** From the database check at start (see database-start.ts). */
  databasePrivileged?: string[] | null;
  disk?: DiskState;
  now?: Date;
}): GatewayStatus {
  const { config } = opts;
  const now = opts.now ?? new Date();
  return {
    name: 'faxgate',
    version: GATEWAY_VERSION,
    startedAt: opts.startedAt.toISOString(),
    uptimeSeconds: Math.max(0, Math.floor((now.getTime() - opts.startedAt.getTime()) / 1000)),
    api: { address: opts.apiAddress },
    database: { url: redactUrl(config.database.url), privileged: opts.databasePrivileged ?? null },
    redis: { url: redactUrl(config.redis.url), keyPrefix: config.redis.keyPrefix },
    lockdown: { mode: config.lockdown.mode },
    render: { sandbox: config.render.sandbox },
    lines: {
      transport: config.lines.transport,
      server: `${config.lines.host}:${config.lines.port}`,
      controllers: [...config.lines.controllers],
      ...(opts.evidence ? { evidence: opts.evidence } : {}),
    },
    configFile: opts.configFile,
    ...(opts.disk ? { disk: opts.disk } : {}),
    notBuiltYet: NOT_BUILT_YET,
  };
}

/** What every logged-in user sees of the status: no addresses, hosts, users or paths. */
export type StatusSummary = Pick<
  GatewayStatus,
  'name' | 'version' | 'startedAt' | 'uptimeSeconds' | 'lockdown' | 'notBuiltYet'
>;

/**
 * The part of the status a caller may see (GET /status): the summary for everyone logged in;
 * the lines (transport, server, controllers, evidence) with `line.read`; everything — API
 * address, database and Redis URLs (redacted), configuration file — with `config.read`.
 */
export function statusView(
  s: GatewayStatus,
  sees: { lines: boolean; config: boolean },
): StatusSummary | (StatusSummary & Pick<GatewayStatus, 'lines' | 'disk'>) | GatewayStatus {
  if (sees.config) return s;
  const summary: StatusSummary = {
    name: s.name,
    version: s.version,
    startedAt: s.startedAt,
    uptimeSeconds: s.uptimeSeconds,
    lockdown: s.lockdown,
    notBuiltYet: s.notBuiltYet,
  };
  return sees.lines ? { ...summary, lines: s.lines, ...(s.disk ? { disk: s.disk } : {}) } : summary;
}

function evidenceLine(e: EvidenceState): string {
  if (e.checkedAt === null) return 'first controller check running';
  if (!e.ok) return `controllers unreadable at ${e.checkedAt}: ${e.error}`;
  return `${e.controllers} controller(s) read at ${e.checkedAt}${e.changes.length ? `, ${e.changes.length} change(s) recorded` : ', unchanged'}`;
}

function diskLine(d: DiskState): string {
  const parts = d.targets.map((t) =>
    t.error
      ? `${t.name} unknown`
      : t.name === 'database'
        ? `database ${Math.round((t.sizeBytes ?? 0) / 1024 / 1024)} MiB`
        : `${t.name} ${(t.freePercent ?? 0).toFixed(0)} % free`,
  );
  const refusing = d.level === 'critical' ? ' — REFUSING submissions and incoming calls' : '';
  return `${d.level}${refusing} (${parts.join(', ')})`;
}

/** The status as lines for a terminal. */
export function formatStatus(s: GatewayStatus): string {
  const lines = s.lines.controllers.length
    ? `controllers ${s.lines.controllers.join(', ')} via ${s.lines.transport} (${s.lines.server})`
    : `none configured (lines.controllers is empty; transport ${s.lines.transport}, ${s.lines.server})`;
  return [
    `faxgate ${s.version} running`,
    `  config:    ${s.configFile ?? 'built-in defaults (no config file)'}`,
    `  API:       ${s.api.address}  (GET /health, GET /status)`,
    `  database:  ${s.database.url}`,
    ...(s.database.privileged
      ? [
          `  WARNING:   privileged database role (database.allowPrivileged): ${s.database.privileged.join('; ')}`,
        ]
      : []),
    `  redis:     ${s.redis.url}  (key prefix ${s.redis.keyPrefix})`,
    `  lockdown:  ${s.lockdown.mode}`,
    s.render.sandbox === 'none'
      ? '  WARNING:   render workers run WITHOUT a sandbox (render.sandbox: none)'
      : `  render:    ${s.render.sandbox} sandbox`,
    `  lines:     ${lines}`,
    ...(s.lines.evidence ? [`  evidence:  ${evidenceLine(s.lines.evidence)}`] : []),
    ...(s.disk ? [`  disk:      ${diskLine(s.disk)}`] : []),
    ...(s.notBuiltYet.length ? ['  not built yet:', ...s.notBuiltYet.map((n) => `    - ${n}`)] : []),
  ].join('\n');
}
