// The daemon's health checks as one unit: which checks the running configuration has, and
// the scheduled task that runs them (one node per interval, schedule/).
import type { Db } from '@faxgate/store';
import type { FaxgateConfig } from '../config/schema.js';
import type { LineSupervisor } from '../lines/supervisor.js';
import { openLineTransport } from '../lockdown/policy.js';
import { smtpCheck } from '../mail/smtp-check.js';
import { imapCheck } from '../mail-intake/imap.js';
import type { ScheduledTask } from '../schedule/scheduler.js';
import { type HealthCheck, lineChecks, postgresqlCheck, redisCheck, webhookChecks } from './checks.js';
import { type CheckResult, runHealthChecks } from './runner.js';

export interface GatewayChecksOptions {
  /** Read at each run: a reload's webhooks are checked from the next run on. */
  config: () => FaxgateConfig;
  db: Db;
  redis: { ping(): Promise<string> };
  lines?: Pick<LineSupervisor, 'state'>;
  actor: string;
}

/** The checks of this configuration. */
export function gatewayHealthChecks(o: GatewayChecksOptions): HealthCheck[] {
  const config = o.config();
  return [
    postgresqlCheck(o.db),
    redisCheck(o.redis),
    ...lineChecks({
      controllers: config.lines.controllers,
      openTransport: () => openLineTransport(config),
      lines: o.lines,
    }),
    ...(config.checks.webhooks ? webhookChecks(config.notifications.webhooks) : []),
    // the e-mail intake's mailbox: login, NOOP, its folders (mail-intake/imap.ts)
    ...(config.mailIntake.enabled ? [imapCheck(() => o.config().mailIntake)] : []),
    // the relay fax mails go through: connect, STARTTLS, AUTH, RSET (mail/smtp-check.ts)
    ...(config.mail.enabled ? [smtpCheck(() => o.config().mail.smtp)] : []),
  ];
}

/** Runs them now: recorded, alerted, history pruned. */
export function runGatewayChecks(o: GatewayChecksOptions): Promise<CheckResult[]> {
  const c = o.config().checks;
  return runHealthChecks(o.db, gatewayHealthChecks(o), {
    actor: o.actor,
    timeoutMs: c.timeoutSeconds * 1000,
    historyDays: c.historyDays,
  });
}

/** The scheduled task, or undefined when `checks.enabled` is false. */
export function healthChecksTask(o: GatewayChecksOptions): ScheduledTask | undefined {
  const c = o.config().checks;
  if (!c.enabled) return undefined;
  return {
    name: 'health-checks',
    intervalMs: c.intervalSeconds * 1000,
    // after the lines' first probe and the API are up
    firstDelayMs: 5000,
    async run() {
      const results = await runGatewayChecks(o);
      const failing = results.filter((r) => !r.ok).map((r) => r.name);
      return `${results.length} checks, ${failing.length ? `failing: ${failing.join(', ')}` : 'all pass'}`;
    },
  };
}
