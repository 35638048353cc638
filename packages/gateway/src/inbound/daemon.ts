// The daemon's listening side: one locked-down CAPI application on the configured lines.
// send-receive: LISTEN for the allowed services and receive into the mailboxes the router
// picks; outgoing-only: LISTEN with an empty CIP mask (which also cancels a LISTEN an earlier
// run left) and every call offered anyway is rejected by the guard. Under line supervision a
// lost application is reported and registered + LISTENing again when the line is back.
import { CapiSession } from '@faxgate/capi-bindings';
import { LockdownTransport, listenCipMask, tsiBlocked } from '@faxgate/isdn-lockdown';
import type { Db, Fax, Knex } from '@faxgate/store';
import type { FaxgateConfig } from '../config/schema.js';
import { trackIncomingChannels } from '../lines/incoming-channels.js';
import type { LineSupervisor } from '../lines/supervisor.js';
import { auditLockdownEvents } from '../lockdown/evidence-store.js';
import { lockdownPolicy, openLineTransport } from '../lockdown/policy.js';
import type { Logger } from '../logger.js';
import { pilotInbound } from '../pilot/inbound.js';
import type { ChannelPool } from '../pipeline/channel-pool.js';
import { startPresence } from '../pipeline/presence.js';
import { callerNumbering } from './numbering.js';
import { type Receiver, startReceiver } from './receiver.js';
import { interruptedText, RECOVER_INTERVAL_MS, recoverInterruptedReceives } from './recover.js';
import { createRoutingView, type RebuildResult } from './routing-view.js';

export interface InboundService {
  mode: FaxgateConfig['lockdown']['mode'];
  controllers: number[];
  /**
   * Routing without a restart: re-reads mailboxes and numbers (the directory changed) and,
   * given a reloaded configuration, takes its routing rules and lockdown blocklists and
   * unknown-number rule (reload/live-keys.ts says which keys may change live).
   */
  reconfigure(next?: FaxgateConfig): Promise<RebuildResult>;
  /** Whether the CAPI application is registered and LISTENing now. */
  readonly listening: boolean;
  /**
   * Shutdown: LISTEN with an empty CIP mask, so the exchange offers no new call to this
   * gateway, while calls in progress go on (they finish within the grace); no re-LISTEN after.
   */
  stopListening(): Promise<void>;
  stop(): Promise<void>;
}

export async function startInbound(opts: {
  config: FaxgateConfig;
  db: Db;
  log: Logger;
  actor: string;
  onStored?: (fax: Fax) => void;
  /**
   * Line supervision: a lost application is reported, and it registers and LISTENs again as
   * a restore step when the line is back. Without it a line that cannot be opened is an error.
   */
  lines?: Pick<LineSupervisor, 'report' | 'addRestoreStep' | 'isUp'> &
    Partial<Pick<LineSupervisor, 'addWithdrawStep'>>;
  /** Incoming calls hold their B channel here (the send worker counts them). */
  channels?: ChannelPool;
  /** Why calls are refused now (the disk guard at critical), or undefined: see receiver.ts. */
  refuseCalls?: () => string | undefined;
}): Promise<InboundService> {
  const { config, db, log, actor } = opts;
  const policy = lockdownPolicy(config);
  // Mailboxes, numbers and rules as they are now; rebuilt by reconfigure() while running.
  const view = await createRoutingView(db, config.routing);
  const router = view.router;
  // Pilot mode: deliveries go to the fax post office until the release (pilot/inbound.ts).
  const pilot = await pilotInbound(db as Knex, config, router, {
    onError: (e) => log.warn(`pilot mode: ${e.message}`),
  });
  // Receptions a crash cut off are closed with the pages they kept; ours carry our presence id.
  const presence = await startPresence(db as Knex);
  const recover = async () => {
    for (const r of await recoverInterruptedReceives(db, actor, { self: presence.instanceId })) {
      log.warn(
        `received fax ${r.fax.id}: ${interruptedText(r.pages)} (closed: ${r.fax.state}, cause ${r.fax.cause})`,
      );
    }
  };
  await recover().catch(async (e: Error) => {
    await presence.stop();
    throw e;
  });
  // …and, while running, those of another gateway process on this database that died.
  const recovering = setInterval(() => {
    recover().catch((e: Error) => log.warn(`receive recovery: ${e.message}`));
  }, RECOVER_INTERVAL_MS);
  recovering.unref();
  const transport = new LockdownTransport(await openLineTransport(config), {
    policy,
    onEvent: auditLockdownEvents(db, actor),
    onSinkError: (e) => log.error(`lockdown event not recorded: ${(e as Error).message}`),
    numbering: callerNumbering(() => router.plan),
    hasMailbox: (called) => view.hasMailbox(called),
  });
  const mask = listenCipMask(policy);
  let session: CapiSession | undefined;
  let receiver: Receiver | undefined;
  let stopping = false;

  // One application, LISTENing on `controllers`; replaces a lost one (the line supervisor's
  // restore step), its receiver and the channel book of its calls with it.
  const open = async (controllers: number[]): Promise<void> => {
    const s = await CapiSession.open(transport, { maxLogicalConnection: 30 });
    try {
      for (const c of controllers) await s.listen(c, mask);
    } catch (e) {
      await s.close().catch(() => {});
      throw e;
    }
    s.on('down', (e) => {
      if (!stopping && session === s) opts.lines?.report(e);
    });
    const book = opts.channels ? trackIncomingChannels(s, opts.channels) : undefined;
    receiver?.stop();
    receiver =
      policy.mode === 'send-receive'
        ? startReceiver({
            db,
            session: s,
            router: pilot.router,
            stationId: config.queue.stationId,
            log,
            actor,
            onStored: opts.onStored,
            instanceId: presence.instanceId,
            tsiBlocked: (tsi) => tsiBlocked(policy, tsi),
            refuseCalls: opts.refuseCalls,
            onBegin: book && ((call, fax) => book.label(call.plci, fax.id)),
          })
        : undefined;
    const old = session;
    session = s;
    await old?.close().catch(() => {});
  };

  const all = [...config.lines.controllers];
  try {
    await open(opts.lines ? all.filter((c) => opts.lines?.isUp(c)) : all);
  } catch (e) {
    if (!opts.lines) {
      await transport.close().catch(() => {});
      clearInterval(recovering);
      await presence.stop();
      throw e;
    }
    log.error(`lines: cannot listen yet: ${(e as Error).message}`);
    opts.lines.report(e as Error);
  }
  opts.lines?.addRestoreStep(async (back) => {
    if (stopping) return;
    if (!session || session.isDown) {
      await open(all.filter((c) => back.includes(c) || opts.lines?.isUp(c)));
      log.info(`lines: registered again, LISTENing on controllers ${back.join(', ')}`);
    } else {
      for (const c of back) await session.listen(c, mask);
    }
  });
  // A line taken out of service: LISTEN with an empty CIP mask, so no call on it is offered to us.
  opts.lines?.addWithdrawStep?.(async (out) => {
    if (stopping || !session || session.isDown) return;
    for (const c of out) await session.listen(c, 0);
  });
  log.info(
    policy.mode === 'send-receive'
      ? `receiving on controllers ${config.lines.controllers.join(', ')} (services: CIP ${policy.incomingServices.join(', ')})`
      : `outgoing-only: LISTEN with an empty CIP mask on controllers ${config.lines.controllers.join(', ')}`,
  );
  return {
    mode: policy.mode,
    async reconfigure(next) {
      const result = await view.rebuild(next?.routing);
      if (next) {
        // The guard and the receiver read these fields at each call.
        const p = lockdownPolicy(next);
        policy.callerBlocklist = p.callerBlocklist;
        policy.tsiBlocklist = p.tsiBlocklist;
        policy.unknownNumber = p.unknownNumber;
      }
      log.info(`routing rebuilt: ${result.mailboxes} mailboxes, ${result.numbers} numbers`);
      return result;
    },
    controllers: all,
    get listening() {
      return session !== undefined && !session.isDown;
    },
    async stopListening() {
      stopping = true;
      const s = session;
      if (!s || s.isDown) return;
      for (const c of all) await s.listen(c, 0).catch(() => {});
      log.info(`stopping: no new incoming calls (LISTEN with an empty CIP mask on ${all.join(', ')})`);
    },
    async stop() {
      stopping = true;
      receiver?.stop();
      pilot.stop();
      clearInterval(recovering);
      await presence.stop();
      await session?.close().catch(() => {});
      await transport.close().catch(() => {});
    },
  };
}
