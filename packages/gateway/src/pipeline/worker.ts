// The send worker: BullMQ jobs → a free B channel → a call through the lockdown guard →
// the result in PostgreSQL. One BullMQ job is one dial; a retry moves the same job back to
// 'delayed' so the job id stays the fax id for the fax's whole life.

import { auditInsertFrom } from '@faxgate/audit';
import {
  CapiSession,
  type CapiTransport,
  type FaxResult,
  parseProfile,
  sendFax,
} from '@faxgate/capi-bindings';
import { LockdownTransport } from '@faxgate/isdn-lockdown';
import { type Fax, faxes, type Knex, StateConflictError } from '@faxgate/store';
import { DelayedError, type Job, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { FaxgateConfig } from '../config/schema.js';
import { auditLockdownEvents } from '../lockdown/evidence-store.js';
import { lockdownPolicy, openLineTransport } from '../lockdown/policy.js';
import type { Logger } from '../logger.js';
import { type ChannelLease, ChannelPool } from './channel-pool.js';
import { loadSff } from './pages.js';
import { aliveInstances, startPresence, type WorkerPresence } from './presence.js';
import {
  bullConnection,
  enqueueFax,
  openSendQueue,
  SEND_QUEUE,
  type SendJobData,
  stopChannel,
} from './queue.js';
import { queueSettings } from './settings.js';
import {
  type CallRecord,
  endWithoutCall,
  QUEUED_STATES,
  recordCallEnd,
  recoverCutOffCall,
} from './transitions.js';
import { judgeCall } from './verdict.js';
import { deferToWindow, windowOpensAt } from './window.js';

export interface FaxWorkerOptions {
  config: FaxgateConfig;
  db: Knex;
  log: Logger;
  /** Audit actor of the daemon, e.g. gatewayAuthor(). */
  actor: string;
  /** Defaults to the configured line transport (openLineTransport). */
  transport?: CapiTransport;
}

export interface FaxWorker {
  readonly instanceId: string;
  readonly pool: ChannelPool;
  /** Calls in flight in this process (fax ids). */
  running(): number[];
  /** Aborts a call of this process (clean DISCONNECT); false when it runs elsewhere. */
  abortCall(faxId: number, by: string): boolean;
  stop(): Promise<void>;
}

/** Channels per controller from the card's profile (GET_PROFILE). */
async function controllerChannels(transport: CapiTransport, controllers: readonly number[]) {
  const out: { controller: number; channels: number }[] = [];
  for (const c of controllers) {
    out.push({ controller: c, channels: parseProfile(await transport.getProfile(c)).bChannels });
  }
  return out;
}

export async function startFaxWorker(opts: FaxWorkerOptions): Promise<FaxWorker> {
  const { config, db, log, actor } = opts;
  const settings = queueSettings(config);
  const inner = opts.transport ?? (await openLineTransport(config));
  const transport = new LockdownTransport(inner, {
    policy: lockdownPolicy(config),
    onEvent: auditLockdownEvents(db, actor),
    onSinkError: (e) => log.error(`lockdown event not recorded: ${(e as Error).message}`),
  });
  // The pool itself holds calls to queue.concurrency: standby jobs run beside the calls, so
  // BullMQ's concurrency no longer bounds them.
  const pool = new ChannelPool(
    await controllerChannels(transport, config.lines.controllers),
    settings.receiveReserve,
    settings.concurrency > 0 ? settings.concurrency : undefined,
  );
  const concurrency = pool.usable;
  const standby = concurrency > 0 ? (settings.standbyJobs ?? concurrency) : 0;
  const presence: WorkerPresence = await startPresence(db);
  const calls = new Map<number, { abort: AbortController; stoppedBy?: string }>();
  let stopped = false;

  // One CAPI application per controller (an application holds at most 30 logical
  // connections, one S2M line's worth); reopened when the connection to the card was lost.
  const sessions = new Map<number, CapiSession>();
  const opening = new Map<number, Promise<CapiSession>>();
  const channelsOf = new Map(pool.controllers.map((c) => [c.controller, c.channels]));
  const getSession = async (controller: number): Promise<CapiSession> => {
    const open = sessions.get(controller);
    if (open && !open.isDown) return open;
    let p = opening.get(controller);
    if (!p) {
      const maxLogicalConnection = Math.min(30, Math.max(1, channelsOf.get(controller) ?? 1));
      p = CapiSession.open(transport, { maxLogicalConnection }).finally(() => opening.delete(controller));
      opening.set(controller, p);
    }
    const session = await p;
    if (sessions.get(controller) !== session) {
      sessions.set(controller, session);
      session.on('down', (e) => {
        // Our own stop closes the sessions: that is no warning.
        if (stopped) log.debug(`CAPI application (controller ${controller}) closed`);
        else log.warn(`CAPI application (controller ${controller}) down: ${e.message}`);
      });
    }
    return session;
  };

  const abortCall = (faxId: number, by: string): boolean => {
    const c = calls.get(faxId);
    if (!c) return false;
    c.stoppedBy = by;
    c.abort.abort();
    return true;
  };

  // Stop requests from any gateway process reach the one that runs the call.
  const sub = new Redis(config.redis.url, { lazyConnect: true, maxRetriesPerRequest: null });
  sub.on('error', (e: Error) => log.warn(`redis (stop channel): ${e.message}`));
  sub.on('message', (_channel: string, text: string) => {
    try {
      const m = JSON.parse(text) as { faxId: number; by: string };
      if (abortCall(m.faxId, m.by)) log.info(`fax ${m.faxId}: call stopped by ${m.by}`);
    } catch {
      log.warn('redis (stop channel): unreadable message ignored');
    }
  });
  await sub.connect();
  await sub.subscribe(stopChannel(config));

  // Re-adds a job Redis lost while we held it (the reconciler would too, one pass later).
  const requeue = openSendQueue(config);
  requeue.on('error', (e) => log.warn(`send queue: ${e.message}`));

  const later = async (job: Job<SendJobData>, token: string | undefined, at: number): Promise<string> => {
    try {
      await job.moveToDelayed(Math.max(at, Date.now() + 1), token);
    } catch (e) {
      if (await job.isActive().catch(() => false)) throw e;
      const fax = await faxes.find(db, job.data.faxId);
      if (!fax || !QUEUED_STATES.includes(fax.state)) return `fax is ${fax?.state ?? 'gone'}`;
      await enqueueFax(requeue, { id: fax.id, priority: fax.priority, notBefore: new Date(at) });
      log.warn(`fax ${fax.id}: its queue job was lost while in use; queued again`);
      return 'requeued';
    }
    throw new DelayedError();
  };

  async function process(job: Job<SendJobData>, token?: string): Promise<string> {
    const faxId = job.data.faxId;
    // The pages are read and turned into SFF alongside the row, before a channel is free:
    // a standby job dials as soon as a call ends (claim, then CONNECT_REQ).
    const [found, ready] = await Promise.all([
      faxes.find(db, faxId),
      loadSff(db, faxId).catch(() => undefined),
    ]);
    let fax = found;
    if (fax?.direction !== 'out') return 'no such fax';
    if (fax.state === 'running') {
      const owner = typeof fax.metadata.worker === 'string' ? fax.metadata.worker : null;
      if (owner && (await aliveInstances(db)).has(owner)) {
        // Another process is in the call (Redis lost the job, the reconciler made a new one).
        return later(job, token, Date.now() + settings.sameNumberDelayMs);
      }
      fax = await recoverCutOffCall(db, faxId, settings.outcomeUnknown, actor, owner);
    }
    if (!QUEUED_STATES.includes(fax.state)) return `fax is ${fax.state}`;
    const now = Date.now();
    if (fax.killAt && fax.killAt.getTime() <= now) {
      await endWithoutCall(db, faxId, {
        from: QUEUED_STATES,
        code: 'kill-time',
        reason: 'kill time reached before the fax could be sent',
        actor,
      }).catch((e) => {
        if (!(e instanceof StateConflictError)) throw e;
      });
      return 'kill time';
    }
    if (fax.notBefore && fax.notBefore.getTime() > now + 5) return later(job, token, fax.notBefore.getTime());
    // Outside the sending window (queue.timeOfDay): not dialled; it waits for the window
    // (or for its kill time, if that comes first).
    const opens = windowOpensAt(settings, now);
    if (opens) {
      if (!(await deferToWindow(db, faxId, opens, settings, actor))) return 'fax left the queue';
      return later(job, token, Math.min(opens.getTime(), fax.killAt?.getTime() ?? Number.POSITIVE_INFINITY));
    }

    // Waits in line for a channel; after a while the job goes back, so that another gateway
    // process with a free channel may take it.
    const lease = await pool.acquireWait(settings.standbyWaitMs);
    if (!lease) return later(job, token, Date.now() + 1);
    let handedOver = false;
    try {
      const started = await claim(fax, lease.controller);
      if (started === 'busy') return later(job, token, Date.now() + settings.sameNumberDelayMs);
      // Changed since it was read (modified, stopped, killed): looked at again from the start.
      if (!started) return later(job, token, Date.now() + 1);
      // The claim held the version read alongside the pages: they are the pages to send.
      handedOver = true;
      return await call(started, lease, ready?.sff, token, job);
    } finally {
      if (!handedOver) lease.release();
    }
  }

  /**
   * The fax as read → running, with `send.begin`, in one statement (faxes.claimForCall): only
   * while the row is still at the version read. 'busy' when another fax to the number is in a
   * call (the unique index faxes_one_call_per_number); undefined when the row changed.
   */
  async function claim(fax: Fax, controller: number): Promise<Fax | 'busy' | undefined> {
    const line = `c${controller}`;
    const begin = auditInsertFrom(faxes.CHANGED_ROW, {
      type: 'send.begin',
      actor,
      subject: `fax:${fax.id}`,
      faxId: fax.id,
      mailboxId: fax.mailboxId,
      details: { line, dial: fax.dials + 1, number: fax.remoteNumber },
    });
    try {
      const running = await faxes.claimForCall(
        db,
        fax.id,
        {
          from: QUEUED_STATES,
          line,
          worker: presence.instanceId,
          now: new Date(),
          slackMs: 5,
          version: fax.version,
        },
        [begin],
      );
      return running ?? undefined;
    } catch (e) {
      if (faxes.isNumberBusy(e)) return 'busy';
      throw e;
    }
  }

  async function call(
    fax: Fax,
    lease: ChannelLease,
    ready: Uint8Array | undefined,
    token: string | undefined,
    job: Job<SendJobData>,
  ) {
    const { controller } = lease;
    const abort = new AbortController();
    const entry: { abort: AbortController; stoppedBy?: string } = { abort };
    calls.set(fax.id, entry);
    const startedAt = new Date();
    let result: FaxResult;
    try {
      const sff = ready ?? (await loadSff(db, fax.id)).sff;
      result = await sendFax(await getSession(controller), {
        controller,
        calledNumber: String(fax.metadata.dialString ?? fax.remoteNumber ?? '').replace(/^\+/, ''),
        stationId: settings.stationId,
        headLine: settings.headLine,
        sff,
        resolution: (fax.resolution ?? 196) > 98 ? 'fine' : 'standard',
        b3: config.lockdown.b3Protocols.includes(4) ? 4 : 5,
        signal: abort.signal,
      });
    } catch (e) {
      // Could not even dial (line down, bad options): a local error, retried like 'other'.
      log.warn(`fax ${fax.id}: call failed before dialling: ${(e as Error).message}`);
      result = {
        ok: false,
        pages: 0,
        remoteStationId: undefined,
        rate: undefined,
        resolution: undefined,
        bytes: 0,
        durationMs: Date.now() - startedAt.getTime(),
        phase: 'setup',
        aborted: abort.signal.aborted,
        cause: { reason: 0, reasonB3: 0, name: (e as Error).message, class: 'local-error' },
        plci: undefined,
        ncci: undefined,
      };
    } finally {
      calls.delete(fax.id);
      // The line is cleared: the channel goes to the next job now, while this one records.
      lease.release();
    }
    const endedAt = new Date();
    const connected = result.phase !== 'setup';
    const record: CallRecord = {
      controller,
      startedAt,
      endedAt,
      pages: result.pages,
      connected,
      remoteStationId: result.remoteStationId,
      rate: result.rate,
      durationMs: result.durationMs,
      cause: { ...result.cause },
    };
    // The verdict is taken on the row as it is now: a stop recorded there during the call
    // counts (the claimed row stands for it only while its version is unchanged).
    const { fax: after, verdict } = await recordCallEnd(
      db,
      fax.id,
      record,
      actor,
      (row) => {
        const stoppedBy =
          entry.stoppedBy ??
          (typeof row.metadata.stopRequestedBy === 'string' ? row.metadata.stopRequestedBy : undefined);
        const v = judgeCall(
          { ok: result.ok, pages: result.pages, connected, aborted: result.aborted, cause: result.cause },
          {
            dials: row.dials,
            tries: row.tries + (connected ? 1 : 0),
            pagesTotal: row.pagesTotal,
            killAt: row.killAt,
            stopped: stoppedBy !== undefined,
          },
          settings,
          endedAt,
        );
        return { verdict: v, stoppedBy };
      },
      fax,
    );
    log.info(`fax ${fax.id}: ${after.state} (${after.causeText ?? ''})`);
    if (verdict.kind === 'retry') return later(job, token, verdict.notBefore.getTime());
    return after.state;
  }

  const stallMs = Math.max(1000, Math.round(30_000 * config.queue.timeScale));
  const worker = new Worker<SendJobData, string, string>(SEND_QUEUE, process, {
    connection: bullConnection(config),
    prefix: config.redis.keyPrefix,
    // Calls plus standby jobs: a job waits in the channel pool's line, not in Redis.
    concurrency: Math.max(1, concurrency + standby),
    autorun: concurrency > 0,
    // A dead process's job comes back to 'wait'; the fax row decides what happens to it.
    maxStalledCount: 1000,
    // How soon a dead process's jobs are noticed (BullMQ's 30 s, shortened by timeScale).
    lockDuration: stallMs,
    stalledInterval: stallMs,
  });
  worker.on('error', (e) => log.warn(`send worker: ${e.message}`));
  worker.on('failed', (job, e) => log.error(`send job ${job?.id}: ${e.message}`));
  if (concurrency === 0) log.warn('send worker: no usable B channel (controllers minus receiveReserve)');
  log.info(
    `send worker ${presence.instanceId}: ${pool.total} B channels, ${pool.reserve} reserved for receiving, ${concurrency} calls at once, ${standby} jobs on standby`,
  );

  return {
    instanceId: presence.instanceId,
    pool,
    running: () => [...calls.keys()],
    abortCall,
    async stop() {
      if (stopped) return;
      stopped = true;
      pool.cancelWaiters();
      await worker.close();
      await requeue.close();
      await sub.quit().catch(() => sub.disconnect());
      for (const session of sessions.values()) await session.close().catch(() => {});
      await transport.close().catch(() => {});
      await presence.stop();
    },
  };
}
