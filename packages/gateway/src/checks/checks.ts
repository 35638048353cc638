// The health checks themselves: each answers one line that says what it found, or throws
// saying what is wrong. Built from the running daemon's parts (gateway.ts); the mail check
// (issue 19) is added here once mail exists.
import { type CapiTransport, parseProfile } from '@faxgate/capi-bindings';
import type { Db } from '@faxgate/store';
import { redactUrl } from '../config/redact.js';
import type { LineSupervisor } from '../lines/supervisor.js';

export interface HealthCheck {
  /** `postgresql`, `redis`, `line:1`, `webhook:crm`: a–z 0–9 . _ : - */
  name: string;
  run(signal: AbortSignal): Promise<string>;
}

export function postgresqlCheck(db: Db): HealthCheck {
  return {
    name: 'postgresql',
    async run() {
      const { rows } = await db.raw("SELECT current_setting('server_version') AS v");
      return `PostgreSQL ${rows[0].v} answers`;
    },
  };
}

export function redisCheck(redis: { ping(): Promise<string> }): HealthCheck {
  return {
    name: 'redis',
    async run() {
      const pong = await redis.ping();
      if (pong !== 'PONG') throw new Error(`PING answered ${JSON.stringify(pong)}`);
      return 'PING answered PONG';
    },
  };
}

/**
 * One check per controller: the controller's profile read afresh over a new connection
 * (GET_PROFILE), so a check proves the path a call takes, not the supervisor's memory; a line
 * the supervisor holds down fails with its last error.
 */
export function lineChecks(opts: {
  controllers: readonly number[];
  openTransport: () => Promise<CapiTransport>;
  lines?: Pick<LineSupervisor, 'state'>;
}): HealthCheck[] {
  return opts.controllers.map((controller) => ({
    name: `line:${controller}`,
    async run() {
      const view = opts.lines?.state().lines.find((l) => l.controller === controller);
      if (view?.state === 'down')
        throw new Error(`controller ${controller} is down: ${view.lastError ?? 'no answer'}`);
      const transport = await opts.openTransport();
      try {
        const profile = parseProfile(await transport.getProfile(controller));
        if (profile.bChannels < 1) throw new Error(`controller ${controller} reports no B channels`);
        return `controller ${controller}: profile read, ${profile.bChannels} B channels`;
      } finally {
        await transport.close().catch(() => {});
      }
    },
  }));
}

/**
 * Reachability of a webhook's URL: a HEAD request, redirects not followed. Any answer below
 * 500 passes (the receiver is there; it may well refuse a HEAD); 5xx or no answer fails.
 * Nothing is delivered and no secret is sent.
 */
export function webhookChecks(webhooks: ReadonlyArray<{ name: string; url: string }>): HealthCheck[] {
  return webhooks.map((w) => ({
    name: `webhook:${w.name.toLowerCase().replace(/[^a-z0-9._-]/g, '-')}`,
    async run(signal) {
      let res: Response;
      try {
        res = await fetch(w.url, { method: 'HEAD', redirect: 'manual', signal });
      } catch (e) {
        const cause = (e as { cause?: { code?: string; message?: string } }).cause;
        throw new Error(`${redactUrl(w.url)}: ${cause?.code ?? cause?.message ?? (e as Error).message}`);
      }
      await res.body?.cancel().catch(() => {});
      if (res.status >= 500) throw new Error(`${redactUrl(w.url)}: HTTP ${res.status}`);
      return `${redactUrl(w.url)}: HTTP ${res.status}`;
    },
  }));
}
