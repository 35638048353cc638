// The daemon's checkpoints of the audit chain: signed, written outside the database (and to
// the system log) once at start, every `audit.checkpointEveryEvents` sealed events, every
// `audit.checkpointIntervalMinutes` when the head moved, and once at stop — by one node at a
// time (createCheckpoint takes a pg advisory lock; a node that finds it held tries later).
import {
  type CheckpointKey,
  CheckpointKeyError,
  type CheckpointOutcome,
  type CheckpointSink,
  createCheckpoint,
  loadCheckpointKey,
  syslogSink,
} from '@faxgate/audit';
import type { Knex } from '@faxgate/store';
import type { FaxgateConfig } from '../config/schema.js';
import type { Logger } from '../logger.js';

export interface AuditCheckpointer {
  /** Whether checkpoints are written (false: off by configuration or no usable key). */
  readonly enabled: boolean;
  /** Takes a checkpoint now (what start, stop and the schedule do). */
  checkpointNow(): Promise<CheckpointOutcome | undefined>;
  /** Stops the schedule, then takes the final checkpoint. */
  stop(): Promise<void>;
}

export interface CheckpointerOptions {
  db: Knex;
  config: FaxgateConfig['audit'];
  log: Logger;
  actor: string;
  /** Defaults to the system log (logger -t faxgate-audit, else `log` at info). */
  sink?: CheckpointSink;
  /** How often the schedule looks at the head (default 5 s). */
  pollMs?: number;
  /** The interval in ms instead of checkpointIntervalMinutes (tests). */
  intervalMs?: number;
}

const disabled: AuditCheckpointer = {
  enabled: false,
  checkpointNow: async () => undefined,
  stop: async () => {},
};

export async function startAuditCheckpointer(opts: CheckpointerOptions): Promise<AuditCheckpointer> {
  const { db, config, log, actor } = opts;
  if (!config.checkpoints) {
    log.warn(
      'audit checkpoints are off (audit.checkpoints: false): nothing outside the database anchors the trail',
    );
    return disabled;
  }
  let key: CheckpointKey;
  try {
    key = loadCheckpointKey(config.checkpointKeyFile, { create: true });
  } catch (e) {
    if (!(e instanceof CheckpointKeyError)) throw e;
    log.error(`audit checkpoints are off: ${e.message}`);
    return disabled;
  }
  const sink = opts.sink ?? syslogSink(log);
  const everyEvents = config.checkpointEveryEvents;
  const intervalMs = opts.intervalMs ?? config.checkpointIntervalMinutes * 60_000;
  const pollMs = Math.max(10, opts.pollMs ?? 5000);
  let lastSeq = -1;
  let lastAt = Date.now();
  let running: Promise<CheckpointOutcome | undefined> | undefined;

  const take = async (): Promise<CheckpointOutcome | undefined> => {
    // One at a time in this process; the advisory lock keeps other nodes out.
    while (running) await running.catch(() => undefined);
    const p = (async () => {
      const r = await createCheckpoint(db, { key, dir: config.checkpointDir, sink, actor });
      if (r.written) {
        lastSeq = r.checkpoint.seq;
        lastAt = Date.now();
        log.info(`audit checkpoint at event ${r.checkpoint.seq}: ${r.file}`);
      }
      return r;
    })();
    running = p;
    try {
      return await p;
    } finally {
      running = undefined;
    }
  };

  const due = async (): Promise<boolean> => {
    const head = Number((await db.raw('SELECT seq FROM audit_head WHERE id = 1')).rows[0]?.seq ?? 0);
    // +1: the checkpoint's own audit.checkpoint event is not a reason for the next one.
    if (everyEvents > 0 && head - lastSeq >= everyEvents + 1) return true;
    if (intervalMs > 0 && Date.now() - lastAt >= intervalMs && head > lastSeq) {
      const { rows } = await db.raw(
        `SELECT EXISTS (SELECT 1 FROM audit_events WHERE seq > ? AND type <> 'audit.checkpoint') AS moved`,
        [lastSeq],
      );
      if (rows[0].moved) return true;
      lastAt = Date.now(); // only our own events since: look again after the next interval
    }
    return false;
  };

  const guarded = async (what: string) => {
    try {
      if (what !== 'schedule' || (await due())) await take();
    } catch (e) {
      log.warn(`audit checkpoint (${what}) failed: ${(e as Error).message}`);
    }
  };

  log.info(
    `audit checkpoints: ${config.checkpointDir} (key ${key.keyId}), every ${everyEvents || '∞'} events or ${config.checkpointIntervalMinutes} min`,
  );
  await guarded('start');
  let stopped = false;
  let wake: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  const loop = (async () => {
    while (!stopped) {
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, pollMs);
      });
      if (!stopped) await guarded('schedule');
    }
  })();
  return {
    enabled: true,
    checkpointNow: take,
    async stop() {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      wake?.();
      await loop;
      await guarded('stop');
    },
  };
}
