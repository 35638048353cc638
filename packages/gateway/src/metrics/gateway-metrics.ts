// The gateway's Prometheus metrics (prom-client), scraped at GET /metrics (api/metrics-route.ts).
// What survives a restart is read from PostgreSQL at the scrape (queue depth, calls, outcomes
// and pages from the send/receive log, audit seal lag), cached for `cacheMs` so a burst of
// scrapes costs one round of queries; what only this process knows (calls per B channel of its
// channel pool, render time, line state) is counted in memory and starts at zero with the
// process, as Prometheus expects of a counter (rate() and increase() handle the reset).
import fs from 'node:fs';
import type { Db } from '@faxgate/store';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DocumentLoader } from '../documents/load-pages.js';
import type { LineView } from '../lines/supervisor.js';
import type { ChannelPool, ControllerView } from '../pipeline/channel-pool.js';
import { REVIEW_ALERT_KEY } from '../review/tasks.js';
import { createXferTotals } from './xfer-totals.js';

/** States a fax waits or works in; terminal ones (done, failed …) are history, not queue. */
export const QUEUE_STATES = [
  'rendering',
  'suspended',
  'pending',
  'sleeping',
  'blocked',
  'waiting',
  'running',
  'receiving',
  'received',
] as const;

export interface MetricsSources {
  db: Db;
  paths: { spool: string; tmp: string };
  /** Line supervision's view of each controller, when lines run here. */
  lines?: () => LineView[];
  /** This process's B channels, when lines run here. */
  channels?: () => ControllerView[];
  /** How long PostgreSQL-derived values are reused (default 5 s). */
  cacheMs?: number;
}

export interface GatewayMetrics {
  readonly contentType: string;
  /** The exposition text of every metric. */
  scrape(): Promise<string>;
  /** Counts the calls of a channel pool per controller and B channel. */
  watchPool(pool: ChannelPool): void;
  /** A loader whose load() is timed (the render-time histogram). */
  timeLoader(loader: DocumentLoader): DocumentLoader;
}

const sep = '\u0000';

export function createGatewayMetrics(src: MetricsSources): GatewayMetrics {
  const registry = new Registry();
  const cacheMs = src.cacheMs ?? 5000;
  const xfer = createXferTotals();

  const queue = new Gauge({
    name: 'faxgate_queue_faxes',
    help: 'Faxes not finished, by direction and state (from PostgreSQL, all nodes).',
    labelNames: ['direction', 'state'],
    registers: [registry],
  });
  const calls = new Counter({
    name: 'faxgate_calls_total',
    help: 'Fax calls in the send/receive log, by direction and controller (from PostgreSQL, all nodes).',
    labelNames: ['direction', 'controller'],
    registers: [registry],
  });
  const outcomes = new Counter({
    name: 'faxgate_call_outcomes_total',
    help: 'Fax calls in the send/receive log by outcome cause (ok, busy, no-answer …; from PostgreSQL, all nodes).',
    labelNames: ['direction', 'cause'],
    registers: [registry],
  });
  const pages = new Counter({
    name: 'faxgate_pages_total',
    help: 'Pages sent (confirmed by the remote) and received, from the send/receive log (all nodes).',
    labelNames: ['direction'],
    registers: [registry],
  });
  const unsealed = new Gauge({
    name: 'faxgate_audit_unsealed_events',
    help: 'Committed audit events not chained yet (the audit append lag).',
    registers: [registry],
  });
  const unsealedAge = new Gauge({
    name: 'faxgate_audit_oldest_unsealed_age_seconds',
    help: 'Age of the oldest audit event not chained yet; 0 when none.',
    registers: [registry],
  });
  const alertsOpen = new Gauge({
    name: 'faxgate_alerts_open',
    help: 'Open alerts (alert.raised, not cleared yet) by the part that raised them and severity.',
    labelNames: ['source', 'severity'],
    registers: [registry],
  });
  const reviewOverdue = new Gauge({
    name: 'faxgate_review_overdue',
    help: 'The log review is overdue (1): its alert, raised by the review-due task, is open.',
    registers: [registry],
  });
  const checksFailing = new Gauge({
    name: 'faxgate_checks_failing',
    help: 'Health checks failing now: their alerts (check.*) are open.',
    registers: [registry],
  });
  const dbUp = new Gauge({
    name: 'faxgate_metrics_database_up',
    help: '1 when the last scrape read PostgreSQL, 0 when it failed (the PostgreSQL-derived values are then stale).',
    registers: [registry],
  });
  const channelCalls = new Counter({
    name: 'faxgate_channel_calls_total',
    help: "Calls on each B channel of this process's channel pool, by direction (this process, since its start).",
    labelNames: ['controller', 'channel', 'direction'],
    registers: [registry],
  });
  const render = new Histogram({
    name: 'faxgate_render_seconds',
    help: 'Time to turn one submission into fax pages (fax files decoded, documents rendered; this process).',
    labelNames: ['outcome'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers: [registry],
  });
  new Gauge({
    name: 'faxgate_line_up',
    help: 'Line state per controller: 1 up, 0 down or not probed yet.',
    labelNames: ['controller'],
    registers: [registry],
    collect() {
      this.reset();
      for (const l of src.lines?.() ?? [])
        this.set({ controller: String(l.controller) }, l.state === 'up' ? 1 : 0);
    },
  });
  new Gauge({
    name: 'faxgate_line_reconnect_attempts',
    help: 'Reconnect attempts of a line since it went down (0 while up).',
    labelNames: ['controller'],
    registers: [registry],
    collect() {
      this.reset();
      for (const l of src.lines?.() ?? [])
        this.set({ controller: String(l.controller) }, l.reconnectAttempts);
    },
  });
  new Gauge({
    name: 'faxgate_channel_busy',
    help: "B channels of this process's pool in a call, by controller and direction.",
    labelNames: ['controller', 'direction'],
    registers: [registry],
    collect() {
      this.reset();
      for (const c of src.channels?.() ?? []) {
        const controller = String(c.controller);
        this.set({ controller, direction: 'out' }, c.slots.filter((s) => s.state === 'sending').length);
        this.set({ controller, direction: 'in' }, c.slots.filter((s) => s.state === 'receiving').length);
      }
    },
  });
  const disk = (field: 'free' | 'size') =>
    new Gauge({
      name: `faxgate_disk_${field}_bytes`,
      help:
        field === 'free'
          ? 'Bytes available to the gateway on the file system of paths.spool and paths.tmp.'
          : 'Size of the file system of paths.spool and paths.tmp.',
      labelNames: ['path'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const [name, dir] of Object.entries(src.paths)) {
          try {
            const s = await fs.promises.statfs(dir);
            this.set({ path: name }, (field === 'free' ? s.bavail : s.blocks) * s.bsize);
          } catch {
            // a missing directory has no value; the daemon made both at its start
          }
        }
      },
    });
  disk('free');
  disk('size');

  let cached: { at: number; done: Promise<void> } | undefined;
  const readDatabase = async () => {
    try {
      const [q, a, x, open] = await Promise.all([
        src.db.raw(
          `SELECT direction, state, count(*) AS n FROM faxes
            WHERE state NOT IN ('done', 'failed', 'rejected', 'deleted', 'delivered')
            GROUP BY direction, state`,
        ),
        src.db.raw(
          `SELECT count(*) AS n, coalesce(extract(epoch FROM now() - min(time)), 0) AS age
             FROM audit_events WHERE seq IS NULL`,
        ),
        xfer.read(src.db),
        src.db('alerts').select('key', 'source', 'severity'),
      ]);
      queue.reset();
      for (const direction of ['in', 'out']) {
        for (const state of QUEUE_STATES) {
          if ((direction === 'out') === !['receiving', 'received'].includes(state))
            queue.set({ direction, state }, 0);
        }
      }
      for (const r of q.rows) queue.set({ direction: r.direction, state: r.state }, Number(r.n));
      alertsOpen.reset();
      for (const r of open as Array<{ key: string; source: string; severity: string }>)
        alertsOpen.inc({ source: r.source, severity: r.severity });
      reviewOverdue.set(open.some((r: { key: string }) => r.key === REVIEW_ALERT_KEY) ? 1 : 0);
      checksFailing.set(open.filter((r: { key: string }) => r.key.startsWith('check.')).length);
      unsealed.set(Number(a.rows[0].n));
      unsealedAge.set(Math.max(0, Number(a.rows[0].age)));
      const put = (c: Counter<string>, m: Map<string, number>, names: string[]) => {
        c.reset();
        for (const [k, v] of m) {
          const values = k.split(sep);
          c.inc(Object.fromEntries(names.map((n, i) => [n, values[i]])), v);
        }
      };
      put(calls, x.calls, ['direction', 'controller']);
      put(outcomes, x.outcomes, ['direction', 'cause']);
      put(pages, x.pages, ['direction']);
      for (const direction of ['in', 'out']) if (!x.pages.has(direction)) pages.inc({ direction }, 0);
      dbUp.set(1);
    } catch {
      dbUp.set(0);
    }
  };

  return {
    contentType: registry.contentType,
    async scrape() {
      const now = Date.now();
      if (!cached || now - cached.at >= cacheMs) cached = { at: now, done: readDatabase() };
      await cached.done;
      return registry.metrics();
    },
    watchPool(pool) {
      pool.on('taken', (t) =>
        channelCalls.inc({
          controller: String(t.controller),
          channel: String(t.channel),
          direction: t.kind === 'sending' ? 'out' : 'in',
        }),
      );
    },
    timeLoader(loader) {
      return {
        get sandbox() {
          return loader.sandbox;
        },
        stats: () => loader.stats(),
        budgetCheck: () => loader.budgetCheck(),
        close: () => loader.close(),
        async load(...args) {
          const end = render.startTimer();
          try {
            const out = await loader.load(...args);
            end({ outcome: 'ok' });
            return out;
          } catch (e) {
            end({ outcome: 'refused' });
            throw e;
          }
        },
      };
    },
  };
}
