// The outgoing pipeline of one gateway process: queue, send worker, reconciler and the stop
// channel, started together from the configuration (`queue.enabled`).
import type { Knex } from '@faxgate/store';
import { Redis } from 'ioredis';
import type { FaxgateConfig } from '../config/schema.js';
import type { Logger } from '../logger.js';
import { openSendQueue, type SendQueue, stopChannel } from './queue.js';
import { type Reconciler, startReconciler } from './reconciler.js';
import { type QueueSettings, queueSettings } from './settings.js';
import type { StopContext } from './stop.js';
import { type FaxWorker, type FaxWorkerOptions, startFaxWorker } from './worker.js';

export interface OutgoingPipeline {
  queue: SendQueue;
  settings: QueueSettings;
  worker?: FaxWorker;
  reconciler: Reconciler;
  /** What `stopFax` needs in this process. */
  stopContext: StopContext;
  /** Takes no new job; calls in progress get `graceMs` (default shutdown.callGraceSeconds), then are cut and requeued. */
  stop(opts?: { graceMs?: number }): Promise<void>;
  /** During stop(): cut the calls in progress now. */
  stopNow(): void;
}

export interface PipelineOptions {
  config: FaxgateConfig;
  db: Knex;
  log: Logger;
  actor: string;
  /** Start a send worker (default: when controllers are configured). */
  worker?: boolean;
  transport?: FaxWorkerOptions['transport'];
  /** The process's channel pool (shared with the listening side) and line supervision. */
  pool?: FaxWorkerOptions['pool'];
  lines?: FaxWorkerOptions['lines'];
}

export async function startPipeline(opts: PipelineOptions): Promise<OutgoingPipeline> {
  const { config, db, log, actor } = opts;
  const settings = queueSettings(config);
  const queue = openSendQueue(config);
  queue.on('error', (e) => log.warn(`send queue: ${e.message}`));
  const publisher = new Redis(config.redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  publisher.on('error', (e: Error) => log.warn(`redis (stop publisher): ${e.message}`));
  let worker: FaxWorker | undefined;
  try {
    await publisher.connect();
    if (opts.worker ?? config.lines.controllers.length > 0) {
      worker = await startFaxWorker({
        config,
        db,
        log,
        actor,
        transport: opts.transport,
        pool: opts.pool,
        lines: opts.lines,
        settings,
      });
    }
  } catch (e) {
    publisher.disconnect();
    await queue.close();
    throw e;
  }
  const reconciler = startReconciler(
    { db, queue, outcomeUnknown: settings.outcomeUnknown, actor, log },
    settings.reconcileIntervalMs,
  );
  let stopping: Promise<void> | undefined;
  return {
    queue,
    settings,
    worker,
    reconciler,
    stopContext: { db, queue, publisher, stopChannel: stopChannel(config), worker },
    stop(o = {}) {
      stopping ??= (async () => {
        await reconciler.stop();
        await worker?.stop(o);
        await queue.close();
        await publisher.quit().catch(() => publisher.disconnect());
      })();
      return stopping;
    },
    stopNow() {
      worker?.stopNow();
    },
  };
}
