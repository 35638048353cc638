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
import { effectiveMode, pilotAllows, pilotRefusal } from '../pilot/state.js';
import { type ChannelLease, ChannelPool } from './channel-pool.js';
import { buildSff, loadPageTiffs, loadSff, type SendPlan } from './pages.js';
import { aliveInstances, startPresence, type WorkerPresence } from './presence.js';
import {
  bullConnection,
  enqueueFax,
  openSendQueue,
  SEND_QUEUE,
  type SendJobData,
  stopChannel,
} from './queue.js';
import { type QueueSettings, queueSettings } from './settings.js';
import {
  type CallRecord,
  endWithoutCall,
  fellBackToStandard,
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
  /**
   * The process's channel pool, shared with the listening side (incoming calls hold their
   * channels there; line supervision takes a controller that is down out of it). Default:
   * a pool of its own from the controllers' profiles.
   */
  pool?: ChannelPool;
  /** Line supervision: told when a controller's CAPI application is lost or cannot be opened. */
  lines?: { report(error: Error, controllers?: number[]): void };
  /**
   * The pipeline's queue settings, read at each use: a configuration reload changes the live
   * ones in place (reload/apply-live.ts). Default: from `config`.
   */
  settings?: QueueSettings;
}

/** How long a job waits when its controller's line cannot be reached (no dial counted). */
const LINE_WAIT_MS = 1000;

export interface FaxWorker {
  readonly instanceId: string;
  readonly pool: ChannelPool;
  /** Calls in flight in this process (fax ids). */
  running(): number[];
  /** Aborts a call of this process (clean DISCONNECT); false when it runs elsewhere. */
  abortCall(faxId: number, by: string): boolean;
  /**
   * Takes no new job; calls in progress may finish for `graceMs` (default
   * `shutdown.callGraceSeconds`), then they are disconnected and their faxes requeued with
   * the pages the remote confirmed (cause gateway-stopped). Resolves when every call is recorded.
   */
  stop(opts?: { graceMs?: number }): Promise<void>;
  /** During stop(): the grace is over now — disconnect the calls in progress at once. */
  stopNow(): void;
}

/** What a call sends: the pages not yet confirmed, at standard once the remote refused fine. */
export function sendPlanOf(fax: Fax): SendPlan {
  const fine = (fax.resolution ?? 196) > 98 && !fellBackToStandard(fax);
  const firstPage = fax.pagesDone > 0 && fax.pagesDone < fax.pagesTotal ? fax.pagesDone + 1 : 1;
  return { firstPage, resolution: fine ? 'fine' : 'standard' };
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
  const settings = opts.settings ?? queueSettings(config);
  const inner = opts.transport ?? (await openLineTransport(config));
  const transport = new LockdownTransport(inner, {
    policy: lockdownPolicy(config),
    onEvent: auditLockdownEvents(db, actor),
    onSinkError: (e) => log.error(`lockdown event not recorded: ${(e as Error).message}`),
  });
  // The pool itself holds calls to queue.concurrency: standby jobs run beside the calls, so
  // BullMQ's concurrency no longer bounds them.
  const pool =
    opts.pool ??
    new ChannelPool(
      await controllerChannels(transport, config.lines.controllers),
      settings.receiveReserve,
      settings.concurrency > 0 ? settings.concurrency : undefined,
    );
  const concurrency = pool.usable;
  const standby = concurrency > 0 ? (settings.standbyJobs ?? concurrency) : 0;
  const presence: WorkerPresence = await startPresence(db);
  const calls = new Map<number, CallEntry>();
  let stopped = false;
  let stopping: Promise<void> | undefined;
  /** The shutdown grace is over: every call in progress (and any that still starts) is cut. */
  let cutting = false;
  const cutCalls = () => {
    cutting = true;
    for (const [faxId, c] of calls) {
      if (c.shutdown) continue;
      c.shutdown = true;
      log.info(`fax ${faxId}: gateway stopping: call disconnected, the fax is requeued`);
      c.abort.abort();
    }
  };

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
        else {
          log.warn(`CAPI application (controller ${controller}) down: ${e.message}`);
          opts.lines?.report(e, [controller]);
        }
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
    const [found, tiffs] = await Promise.all([
      faxes.find(db, faxId),
      loadPageTiffs(db, faxId).catch(() => undefined),
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
    // Pilot mode: a fax queued to any other number (before the pilot, or past a path that did
    // not route) is never dialled.
    if ((await effectiveMode(db, config)).mode === 'pilot' && !pilotAllows(config, fax.remoteNumber)) {
      await endWithoutCall(db, faxId, {
        from: QUEUED_STATES,
        code: 'pilot',
        reason: pilotRefusal(config),
        actor,
      }).catch((e) => {
        if (!(e instanceof StateConflictError)) throw e;
      });
      return 'pilot: not a test number';
    }
    if (fax.notBefore && fax.notBefore.getTime() > now + 5) return later(job, token, fax.notBefore.getTime());
    // Outside the sending window (queue.timeOfDay): not dialled; it waits for the window
    // (or for its kill time, if that comes first).
    const opens = windowOpensAt(settings, now);
    if (opens) {
      if (!(await deferToWindow(db, faxId, opens, settings, actor))) return 'fax left the queue';
      return later(job, token, Math.min(opens.getTime(), fax.killAt?.getTime() ?? Number.POSITIVE_INFINITY));
    }

    // The pages not yet confirmed, at the resolution the remote takes: built before the
    // channel is free (the claim below holds the row at the version they were planned on).
    const plan = sendPlanOf(fax);
    let ready: Uint8Array | undefined;
    try {
      ready = tiffs && tiffs.length > 0 ? buildSff(tiffs, plan).sff : undefined;
    } catch {
      ready = undefined; // built again at the call, where an error is the call's
    }

    // Waits in line for a channel; after a while the job goes back, so that another gateway
    // process with a free channel may take it.
    const lease = await pool.acquireWait(settings.standbyWaitMs, faxId);
    if (!lease) return later(job, token, Date.now() + 1);
    let handedOver = false;
    try {
      // The controller's CAPI application first: a line that cannot even register costs no
      // dial — the fax waits (queued, not failed) while line supervision takes the controller
      // out of the pool until it is back.
      const unreachable = await getSession(lease.controller).then(
        () => undefined,
        (e: Error) => e,
      );
      if (unreachable) {
        log.warn(
          `fax ${faxId}: controller ${lease.controller} not reachable, the fax waits: ${unreachable.message}`,
        );
        opts.lines?.report(unreachable, [lease.controller]);
        return later(job, token, Date.now() + LINE_WAIT_MS);
      }
      // Stopping: no new call. The job goes back to the queue for the next start (or another process).
      if (stopped) return later(job, token, Date.now() + 1);
      const started = await claim(fax, lease.controller);
      if (started === 'busy') return later(job, token, Date.now() + settings.sameNumberDelayMs);
      // Changed since it was read (modified, stopped, killed): looked at again from the start.
      if (!started) return later(job, token, Date.now() + 1);
      // The claim held the version read alongside the pages: they are the pages to send.
      handedOver = true;
      return await call(started, lease, plan, ready, token, job);
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
    plan: SendPlan,
    ready: Uint8Array | undefined,
    token: string | undefined,
    job: Job<SendJobData>,
  ) {
    const { controller } = lease;
    const abort = new AbortController();
    const entry: CallEntry = { abort };
    calls.set(fax.id, entry);
    // Claimed while the grace ran out: not dialled, requeued like the cut calls.
    if (cutting) {
      entry.shutdown = true;
      abort.abort();
    }
    const startedAt = new Date();
    let result: FaxResult;
    try {
      const sff = ready ?? (await loadSff(db, fax.id, plan)).sff;
      result = await sendFax(await getSession(controller), {
        controller,
        calledNumber: String(fax.metadata.dialString ?? fax.remoteNumber ?? '').replace(/^\+/, ''),
        stationId: settings.stationId,
        headLine: settings.headLine,
        sff,
        resolution: plan.resolution,
        b3: config.lockdown.b3Protocols.includes(4) ? 4 : 5,
        signal: abort.signal,
      });
    } catch (e) {
      // Could not even dial (line down, bad options): a local error, retried like 'other'.
      log.warn(`fax ${fax.id}: call failed before dialling: ${(e as Error).message}`);
      result = {
        ok: false,
        pages: 0,
        pagesFrom: 'ncpi',
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
      firstPage: plan.firstPage,
      resolution: plan.resolution,
      pagesFrom: result.pagesFrom,
    };
    if (plan.firstPage > 1) {
      log.info(`fax ${fax.id}: resumed at page ${plan.firstPage}: ${result.pages} more pages confirmed`);
    }
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
          {
            ok: result.ok,
            pages: result.pages,
            connected,
            aborted: result.aborted,
            cause: result.cause,
            // We asked for fine and the remote trained at standard: it cannot take fine pages.
            fineRefused: plan.resolution === 'fine' && !result.ok && result.resolution === 'standard',
          },
          {
            dials: row.dials,
            tries: row.tries + (connected ? 1 : 0),
            pagesTotal: row.pagesTotal,
            pagesBefore: plan.firstPage - 1,
            killAt: row.killAt,
            stopped: stoppedBy !== undefined,
            shutdown: entry.shutdown === true && stoppedBy === undefined,
            fellBack: fellBackToStandard(row),
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
    // Requeued by the shutdown: the same job waits (delayed) for the next process to take it.
    if (verdict.kind === 'requeue') return later(job, token, Date.now() + 1);
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
  // A controller's B channels read later (its line was down at start): more calls at once.
  pool.on('capacity', (usable) => {
    worker.concurrency = Math.max(1, usable + (usable > 0 ? (settings.standbyJobs ?? usable) : 0));
    if (usable > 0 && !worker.isRunning())
      void worker.run().catch((e: Error) => log.warn(`send worker: ${e.message}`));
  });
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
    stop(opts = {}) {
      stopping ??= (async () => {
        stopped = true;
        pool.cancelWaiters();
        const graceMs = opts.graceMs ?? config.shutdown.callGraceSeconds * 1000;
        if (calls.size > 0) {
          log.info(
            `send worker: ${calls.size} call(s) in progress: ${graceMs > 0 ? `up to ${Math.round(graceMs / 1000)} s to finish` : 'disconnecting'}`,
          );
        }
        const grace = setTimeout(cutCalls, graceMs);
        if (graceMs <= 0) cutCalls();
        try {
          // Takes no new job, waits for the running ones (each recorded, retried or requeued).
          await worker.close();
        } finally {
          clearTimeout(grace);
        }
        await release();
      })();
      return stopping;
    },
    stopNow() {
      stopped = true;
      pool.cancelWaiters();
      cutCalls();
    },
  };

  async function release() {
    await requeue.close();
    await sub.quit().catch(() => sub.disconnect());
    for (const session of sessions.values()) await session.close().catch(() => {});
    await transport.close().catch(() => {});
    await presence.stop();
  }
}

interface CallEntry {
  abort: AbortController;
  /** Who stopped the call (out.stop), if someone did. */
  stoppedBy?: string;
  /** Disconnected because this process stops (the shutdown grace ran out). */
  shutdown?: boolean;
}
