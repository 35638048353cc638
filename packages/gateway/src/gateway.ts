// The gateway daemon as a value: start it (config → database role checked and migrated by
// the owner → config version recorded → Redis → API listening) and stop it again. main-job.ts
// runs it as a process.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { appendAuditEvent, startAuditSealer } from '@faxgate/audit';
import { openDatabase } from '@faxgate/store';
import { Redis } from 'ioredis';
import type { ApiServices } from './api/context.js';
import { buildApi, listenApi } from './api/server.js';
import { startAuditCheckpointer } from './audit-checkpoints/checkpointer.js';
import { healthChecksTask, runGatewayChecks } from './checks/gateway-checks.js';
import { type LoadedConfig, type LoadOptions, loadConfig } from './config/load.js';
import { type RecordedConfig, recordConfigVersion } from './config/record.js';
import { redactUrl } from './config/redact.js';
import type { FaxgateConfig } from './config/schema.js';
import { type PreparedDatabase, prepareDatabase } from './database-start.js';
import { startDiskGuard } from './disk/guard.js';
import { createDocumentLoader, documentLoaderOptions } from './documents/load-pages.js';
import { startHylafaxListener } from './hylafax/server.js';
import { startInbound } from './inbound/daemon.js';
import { type LineSupervisor, startLineSupervisor } from './lines/supervisor.js';
import { linesWithChannels } from './lines/view.js';
import { type EvidenceMonitor, startEvidenceMonitor } from './lockdown/evidence-monitor.js';
import { openLineTransport } from './lockdown/policy.js';
import { createGatewayLogger, type Logger } from './logger.js';
import { startGatewayMail } from './mail/start.js';
import { startGatewayMailIntake } from './mail-intake/start.js';
import { createGatewayMetrics } from './metrics/gateway-metrics.js';
import { startNotifier } from './notify/notifier.js';
import { ChannelPool } from './pipeline/channel-pool.js';
import { type OutgoingPipeline, startPipeline } from './pipeline/pipeline.js';
import { queueSettings } from './pipeline/settings.js';
import { applyLiveKeys, applyLiveQueueSettings } from './reload/apply-live.js';
import { createConfigReloader, type ReloadResult } from './reload/config-reload.js';
import { watchDirectory } from './reload/directory-watch.js';
import { retentionTask } from './retention/job.js';
import { reviewTasks } from './review/tasks.js';
import { type Scheduler, startScheduler } from './schedule/scheduler.js';
import { prepareSpoolDirs } from './spool/dirs.js';
import { type GatewayStatus, gatewayStatus } from './status.js';

export interface StartOptions extends LoadOptions {
  /** Defaults to a winston logger configured by `logging.*`. */
  logger?: Logger;
}

export interface RunningGateway {
  loaded: LoadedConfig;
  /** Where the API listens, e.g. http://127.0.0.1:8025. */
  address: string;
  /** Where HylaFAX clients connect (host:port), when `hylafax.enabled`. */
  hylafaxAddress?: string;
  /** Migrations applied by this start (empty when the schema was up to date). */
  migrationsApplied: string[];
  /** The daemon's database role, whether it is privileged (allowed by database.allowPrivileged) and who migrated. */
  database: PreparedDatabase;
  configVersion: RecordedConfig;
  /** Whether Redis answered during start (the gateway runs without it; /health reports it). */
  redisReachable: boolean;
  status(): GatewayStatus;
  /** The controller evidence monitor, when lines are configured. */
  evidence?: EvidenceMonitor;
  /** Line supervision (state per controller, reconnect), when lines are configured. */
  lines?: LineSupervisor;
  /** This process's B channels per controller (sends and incoming calls), when lines are configured. */
  channels?: ChannelPool;
  /** The outgoing queue (send worker, reconciler), when `queue.enabled`. */
  pipeline?: OutgoingPipeline;
  /** Periodic tasks, one node at a time (schedule/): register a task with it. */
  scheduler: Scheduler;
  /**
   * Reads the configuration file again (`faxgate config reload`, SIGHUP): validated first,
   * live keys applied and recorded with `actor` as author; a bad file or a key that needs a
   * restart changes nothing (reload/config-reload.ts).
   */
  reload(actor: string): Promise<ReloadResult>;
  /**
   * Stops cleanly: the send queue takes no new job and the API closes (idle and keep-alive
   * connections at once, requests in flight finished) while calls in progress get `graceMs`
   * (default shutdown.callGraceSeconds) to finish — then they are disconnected and their faxes
   * requeued with the pages the remote confirmed; then `system.stop`, Redis, the pool, and this
   * process's temporary files.
   */
  stop(opts?: { graceMs?: number }): Promise<void>;
  /** During stop(): the grace is over — disconnect the calls in progress now (a second signal). */
  stopNow(): void;
}

/** Who records the configuration when the gateway starts: the daemon and the OS account it runs as. */
export function gatewayAuthor(): string {
  let user = 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    // no passwd entry for the uid (containers): keep "unknown"
  }
  return `gateway:${user}@${os.hostname()}`;
}

export async function startGateway(opts: StartOptions = {}): Promise<RunningGateway> {
  const loaded = loadConfig(opts);
  const { config } = loaded;
  const log = opts.logger ?? createGatewayLogger(config);
  // Spool and tmp: 0700 for the service user, or no start (spool/dirs.ts).
  for (const d of await prepareSpoolDirs(config.paths)) {
    if (d.created || d.modeWas !== null)
      log.info(`${d.key} ${d.dir}: ${d.created ? 'created' : `mode 0${d.modeWas?.toString(8)} set`} to 0700`);
  }
  const startedAt = new Date();
  const cleanup: Array<() => Promise<unknown>> = [];
  const closeAll = async () => {
    for (const fn of cleanup.reverse()) await fn().catch(() => {});
    cleanup.length = 0;
  };

  try {
    const db = openDatabase(config.database.url, {
      poolMax: config.database.poolMax,
      preparedStatements: config.database.preparedStatements,
      applicationName: 'faxgate-gateway',
    });
    cleanup.push(() => db.destroy());
    // The daemon's role must own nothing (or be allowed to); migrations run as the owner.
    const prepared = await prepareDatabase({ config, loaded, db, log, actor: gatewayAuthor() });
    const { applied } = prepared;
    log.info(applied.length ? `migrations applied: ${applied.join(', ')}` : 'database schema up to date');
    // Chains audit events that committed while another commit held the chain head (and, at
    // once, what a crash or the last stop left unsealed); readers such as the notifier see
    // an event only once it is sealed.
    const sealer = startAuditSealer(db, { onError: (e) => log.warn(`audit sealer: ${e.message}`) });
    cleanup.push(() => sealer.stop());
    // Signed checkpoints of the chain outside the database: now, on schedule, and at stop
    // (after system.stop, before the sealer and the pool close).
    const checkpointer = await startAuditCheckpointer({
      db,
      config: config.audit,
      log,
      actor: gatewayAuthor(),
    });
    cleanup.push(() => checkpointer.stop());
    // Periodic tasks (retention, checks, disk guard …), each under an advisory lock so one
    // node runs it; stopped before the pool closes (cleanup runs in reverse).
    const scheduler = startScheduler({ db, log });
    cleanup.push(() => scheduler.stop());
    // Disk guard (M 5.75): this node's spool, tmp and archive and the database size; at critical,
    // submissions (507) and incoming calls are refused until space is back (disk/).
    const disk = await startDiskGuard({
      db,
      log,
      actor: gatewayAuthor(),
      disk: config.disk,
      dirs: {
        spool: config.paths.spool,
        tmp: config.paths.tmp,
        archive: (config as { archive?: { dir?: string } }).archive?.dir,
      },
    });
    cleanup.push(() => disk.stop());
    // Retention (issue 17 item 1): payloads past their rule deleted, archived first (retention/).
    const retention = retentionTask(db, () => config);
    if (retention) scheduler.register(retention);
    // Log review (issue 17 item 6): the overdue-review reminder and the scheduled audit verify (review/).
    for (const task of reviewTasks(db, () => config, gatewayAuthor())) scheduler.register(task);

    const configVersion = await recordConfigVersion(db, {
      config,
      // A file edited on the host: the daemon knows the OS account it runs as, not the person.
      author: gatewayAuthor(),
      authorKind: 'os',
      comment: `gateway start (${loaded.file ?? 'built-in defaults'}; changed outside faxgate, the OS account is recorded, not a person)`,
    });
    log.info(
      configVersion.changed
        ? `configuration recorded as version ${configVersion.version}${configVersion.version === 1 ? ' (first version)' : ` (${configVersion.changes.length} keys changed)`}`
        : `configuration unchanged since version ${configVersion.version}`,
    );

    const redis = new Redis(config.redis.url, {
      lazyConnect: true,
      keyPrefix: `${config.redis.keyPrefix}:`,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      retryStrategy: (times) => Math.min(times * 200, 2000),
    });
    let redisDown = false;
    redis.on('error', (e: Error) => {
      if (!redisDown) log.warn(`redis ${redactUrl(config.redis.url)}: ${e.message}`);
      redisDown = true;
    });
    redis.on('ready', () => {
      if (redisDown) log.info(`redis ${redactUrl(config.redis.url)}: reachable again`);
      redisDown = false;
    });
    cleanup.push(async () => redis.disconnect());
    const redisReachable = await redis.connect().then(
      () => true,
      () => false,
    );

    // Controller evidence (M 4.59): at start and periodically, when lines are configured.
    let evidence: EvidenceMonitor | undefined;
    if (config.lines.controllers.length > 0) {
      evidence = startEvidenceMonitor({ config, db, log, actor: gatewayAuthor() });
      const monitor = evidence;
      cleanup.push(() => monitor.stop());
    }

    let reconfigureInbound: ((next: FaxgateConfig) => Promise<unknown>) | undefined;
    let stopListening: (() => Promise<void>) | undefined;
    // Line supervision: every controller up or down (socket events, CAPI errors, a probe every
    // few seconds); on loss `line.down`, no call placed on it, /health 503; reconnect with
    // backoff, REGISTER + LISTEN, evidence re-read, `line.up`. The channel pool of this process
    // (sends and incoming calls, receive reserve per controller) follows it.
    let lines: LineSupervisor | undefined;
    let channels: ChannelPool | undefined;
    if (config.lines.controllers.length > 0) {
      const probeTransport = await openLineTransport(config);
      const supervisor = startLineSupervisor({
        config,
        db,
        log,
        actor: gatewayAuthor(),
        transport: probeTransport,
        probeIntervalMs: config.lines.probeIntervalSeconds * 1000,
        probeTimeoutMs: config.lines.probeTimeoutSeconds * 1000,
      });
      lines = supervisor;
      cleanup.push(async () => {
        await supervisor.stop();
        await probeTransport.close().catch(() => {});
      });
      await supervisor.ready;
      const q = queueSettings(config);
      const pool = new ChannelPool(
        supervisor.state().lines.map((l) => ({ controller: l.controller, channels: l.bChannels ?? 0 })),
        q.receiveReserve,
        q.concurrency > 0 ? q.concurrency : undefined,
      );
      channels = pool;
      const follow = () => {
        for (const l of supervisor.state().lines) {
          if (l.bChannels !== null) pool.setChannels(l.controller, l.bChannels);
          pool.setAvailable(l.controller, l.state === 'up');
        }
      };
      follow();
      supervisor.on('change', follow);
    }

    // The listening side: send-receive receives into mailboxes; outgoing-only LISTENs with an
    // empty CIP mask. A line that cannot be opened is logged and supervised, not fatal.
    if (config.lines.controllers.length > 0) {
      const inbound = await startInbound({
        config,
        db,
        log,
        actor: gatewayAuthor(),
        lines,
        channels,
        refuseCalls: () => disk.refusal(),
      }).catch((e: Error) => {
        log.error(
          `lines ${config.lines.transport} ${config.lines.host}:${config.lines.port}: cannot listen: ${e.message}`,
        );
        return undefined;
      });
      if (inbound) cleanup.push(() => inbound.stop());
      stopListening = inbound && (() => inbound.stopListening());
      // After REGISTER + LISTEN, a returning line's controller evidence is read again (M 4.59).
      const monitor = evidence;
      if (monitor) lines?.addRestoreStep(async () => void (await monitor.check()));
      if (inbound) {
        // Routing without restarts: every committed directory change rebuilds the router.
        const watch = watchDirectory({
          databaseUrl: config.database.url,
          log,
          onChange: async () => void (await inbound.reconfigure()),
        });
        cleanup.push(() => watch.stop());
        reconfigureInbound = (next) => inbound.reconfigure(next);
      }
    }

    // The outgoing queue: workers on the configured lines, reconciler against PostgreSQL.
    let pipeline: OutgoingPipeline | undefined;
    if (config.queue.enabled) {
      pipeline = await startPipeline({ config, db, log, actor: gatewayAuthor(), pool: channels, lines });
      const running = pipeline;
      cleanup.push(() => running.stop());
    }

    // Webhook notifications, read from the audit trail (at least once, nothing lost on restart).
    if (config.notifications.webhooks.length > 0) {
      const notifier = startNotifier({ config, db, log, actor: gatewayAuthor() });
      cleanup.push(() => notifier.stop());
    }
    // Fax to e-mail (mail/): outcomes from the audit trail into the outbox, delivered through the relay.
    const mail = startGatewayMail({ config, db, log, actor: gatewayAuthor() });
    if (mail) cleanup.push(() => mail.stop());

    // Documents submitted over the API are rendered in a sandboxed pool, started on first use,
    // in a work directory of this process under paths.tmp, removed when it stops.
    const renderTmp = fs.mkdtempSync(path.join(config.paths.tmp, 'render-'));
    cleanup.push(async () => fs.rmSync(renderTmp, { recursive: true, force: true }));
    // Prometheus metrics (GET /metrics): PostgreSQL-derived values read at the scrape; calls per
    // B channel and render times counted by this process.
    const metricsPool = pipeline?.worker?.pool ?? channels;
    const metrics = createGatewayMetrics({
      db,
      paths: config.paths,
      lines: lines && (() => lines?.state().lines ?? []),
      channels: metricsPool && (() => metricsPool.snapshot()),
    });
    if (metricsPool) metrics.watchPool(metricsPool);
    const documents = metrics.timeLoader(
      createDocumentLoader({
        workers: 1,
        ...documentLoaderOptions({ ...config, paths: { ...config.paths, tmp: renderTmp } }, (m) =>
          log.warn(m),
        ),
      }),
    );
    cleanup.push(() => documents.close());

    // Health checks (issue 17 item 3): lines, PostgreSQL, Redis, webhooks on a schedule (one
    // node per interval), history kept, an alert per failing check (checks/).
    const checks = { config: () => config, db, redis, lines, actor: gatewayAuthor() };
    const checksTask = healthChecksTask(checks);
    if (checksTask) scheduler.register(checksTask);
    // E-mail to fax (mail-intake/): the IMAP mailbox polled, each message through the API's path.
    const mailIntake = startGatewayMailIntake({
      config,
      db,
      documents,
      queue: pipeline?.queue,
      settings: pipeline?.settings ?? queueSettings(config),
      disk,
      log,
      actor: gatewayAuthor(),
    });
    if (mailIntake) cleanup.push(() => mailIntake.stop());

    let address = '';
    const status = () =>
      gatewayStatus({
        config,
        configFile: loaded.file,
        startedAt,
        apiAddress: address,
        evidence: evidence?.state(),
        databasePrivileged: prepared.privileged,
        disk: disk.state(),
      });
    // One settings object for the worker and the API, changed in place by a reload.
    const queueLive = pipeline?.settings ?? queueSettings(config);
    const reloader = createConfigReloader({
      load: { ...opts, path: loaded.file ?? opts.path },
      initial: config,
      db,
      log,
      apply: async (next) => {
        await reconfigureInbound?.(next); // may refuse (a rule names no mailbox): nothing applied
        applyLiveKeys(config, next);
        applyLiveQueueSettings(queueLive, next);
      },
    });
    const apiServices: ApiServices = {
      db,
      config,
      queue: pipeline?.queue,
      stopContext: pipeline?.stopContext,
      settings: queueLive,
      documents,
      lines: () => {
        const pool = pipeline?.worker?.pool ?? channels;
        return {
          channels: pool && {
            total: pool.total,
            usable: pool.usable,
            inUse: pool.inUse,
            receiving: pool.receiving,
            reserve: pool.reserve,
          },
          lines: lines && linesWithChannels(lines, pool),
          evidence: evidence?.state(),
        };
      },
      watchLines: (fn) => {
        const pool = pipeline?.worker?.pool ?? channels;
        pool?.on('change', fn);
        lines?.on('change', fn);
        return () => {
          pool?.off('change', fn);
          lines?.off('change', fn);
        };
      },
      refreshLines: lines && (() => lines?.refreshService() ?? Promise.resolve()),
      disk,
      runHealthChecks: () => runGatewayChecks(checks),
      reloadConfig: (actor, reason) => reloader.reload(actor, reason),
      logError: (m) => log.error(`API: ${m}`),
    };
    const api = buildApi({
      probes: {
        database: async () => {
          await db.raw('SELECT 1');
        },
        redis: async () => {
          await redis.ping();
        },
        // fails while this node refuses work for lack of space (no paths in the public answer)
        disk: async () => {
          if (disk.refusal()) throw new Error(disk.refusal());
        },
        ...(lines && {
          lines: async () => {
            const down = lines?.down() ?? [];
            if (down.length > 0) throw new Error(`down: ${down.join(', ')}`);
          },
        }),
      },
      linesDown: lines && (() => lines?.down() ?? []),
      status,
      metrics,
      onRequest: (r) => log.http(`${r.method} ${r.url} ${r.statusCode} ${r.ms}ms`),
      services: apiServices,
    });
    cleanup.push(() => api.close());
    address = await listenApi(api, config.api.host, config.api.port);
    log.info(`API listening on ${address}`);
    // HylaFAX clients (hylafax/): the same services, so the same rights, throttle and pipeline.
    const hylafax = config.hylafax.enabled
      ? await startHylafaxListener({
          api: apiServices,
          config: config.hylafax,
          serverName: config.node.name,
          log,
        })
      : undefined;
    if (hylafax) {
      cleanup.push(() => hylafax.close());
      log.info(`HylaFAX clients: ${hylafax.address}`);
    }

    // Start and stop of the gateway are part of the record (M 5.73: operation documented).
    const author = gatewayAuthor();
    const lifecycle = (type: 'system.start' | 'system.stop', details: Record<string, unknown>) =>
      db.transaction((trx) => appendAuditEvent(trx, { type, actor: author, subject: 'gateway', details }));
    await lifecycle('system.start', {
      version: status().version,
      api: address,
      configVersion: configVersion.version,
      lockdownMode: config.lockdown.mode,
      controllers: config.lines.controllers,
      databaseRole: prepared.role.user,
      databasePrivileged: prepared.privileged,
    });
    let stopping: Promise<void> | undefined;
    let hurry = false;
    /** Faxes being received finish within the grace too (then the inbound side closes them). */
    const receivesEnded = async (deadline: number) => {
      while ((channels?.receiving ?? 0) > 0 && !hurry && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const stop = (opts: { graceMs?: number } = {}) => {
      stopping ??= (async () => {
        const graceMs = opts.graceMs ?? config.shutdown.callGraceSeconds * 1000;
        const calls = pipeline?.worker?.running() ?? [];
        // No new job, no new request and no new incoming call; calls in progress finish within
        // the grace or are cut and requeued (pipeline/worker.ts). No request in flight may
        // outlive the pools.
        await Promise.all([
          api.close(),
          hylafax?.close(),
          pipeline?.stop({ graceMs }),
          stopListening?.().catch((e: Error) => log.warn(`stopping: LISTEN not withdrawn: ${e.message}`)),
          receivesEnded(Date.now() + graceMs),
        ]);
        const uptimeSeconds = status().uptimeSeconds;
        await lifecycle('system.stop', {
          uptimeSeconds,
          callGraceSeconds: graceMs / 1000,
          callsInProgress: calls,
        }).catch((e: Error) => log.error(`could not record system.stop: ${e.message}`));
        await closeAll();
      })();
      return stopping;
    };

    return {
      loaded,
      reload: (actor: string) => reloader.reload(actor),
      address,
      hylafaxAddress: hylafax?.address,
      evidence,
      lines,
      channels,
      pipeline,
      scheduler,
      migrationsApplied: applied,
      database: prepared,
      configVersion,
      redisReachable,
      status,
      stop,
      stopNow: () => {
        hurry = true;
        pipeline?.stopNow();
      },
    };
  } catch (e) {
    await closeAll();
    throw e;
  }
}
