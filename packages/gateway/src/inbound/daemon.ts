// The daemon's listening side: one locked-down CAPI application on the configured lines.
// send-receive: LISTEN for the allowed services and receive into the mailboxes the router
// picks; outgoing-only: LISTEN with an empty CIP mask (which also cancels a LISTEN an earlier
// run left) and every call offered anyway is rejected by the guard.
import { CapiSession } from '@faxgate/capi-bindings';
import { LockdownTransport, listenCipMask, tsiBlocked } from '@faxgate/isdn-lockdown';
import type { Db, Fax, Knex } from '@faxgate/store';
import type { FaxgateConfig } from '../config/schema.js';
import { auditLockdownEvents } from '../lockdown/evidence-store.js';
import { lockdownPolicy, openLineTransport } from '../lockdown/policy.js';
import type { Logger } from '../logger.js';
import { startPresence } from '../pipeline/presence.js';
import { callerNumbering } from './numbering.js';
import { startReceiver } from './receiver.js';
import { interruptedText, recoverInterruptedReceives } from './recover.js';
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
  stop(): Promise<void>;
}

export async function startInbound(opts: {
  config: FaxgateConfig;
  db: Db;
  log: Logger;
  actor: string;
  onStored?: (fax: Fax) => void;
}): Promise<InboundService> {
  const { config, db, log, actor } = opts;
  const policy = lockdownPolicy(config);
  // Mailboxes, numbers and rules as they are now; rebuilt by reconfigure() while running.
  const view = await createRoutingView(db, config.routing);
  const router = view.router;
  // Receptions a crash cut off are closed with the pages they kept; ours carry our presence id.
  const presence = await startPresence(db as Knex);
  const recovered = await recoverInterruptedReceives(db, actor).catch(async (e: Error) => {
    await presence.stop();
    throw e;
  });
  for (const r of recovered) {
    log.warn(
      `received fax ${r.fax.id}: ${interruptedText(r.pages)} (closed: ${r.fax.state}, cause ${r.fax.cause})`,
    );
  }
  const transport = new LockdownTransport(await openLineTransport(config), {
    policy,
    onEvent: auditLockdownEvents(db, actor),
    onSinkError: (e) => log.error(`lockdown event not recorded: ${(e as Error).message}`),
    numbering: callerNumbering(() => router.plan),
    hasMailbox: (called) => view.hasMailbox(called),
  });
  let session: CapiSession | undefined;
  try {
    session = await CapiSession.open(transport, { maxLogicalConnection: 30 });
    for (const c of config.lines.controllers) await session.listen(c, listenCipMask(policy));
  } catch (e) {
    await session?.close().catch(() => {});
    await transport.close().catch(() => {});
    await presence.stop();
    throw e;
  }
  const open = session;
  const receiver =
    policy.mode === 'send-receive'
      ? startReceiver({
          db,
          session: open,
          router,
          stationId: config.queue.stationId,
          log,
          actor,
          onStored: opts.onStored,
          instanceId: presence.instanceId,
          tsiBlocked: (tsi) => tsiBlocked(policy, tsi),
        })
      : undefined;
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
    controllers: [...config.lines.controllers],
    async stop() {
      receiver?.stop();
      await presence.stop();
      await open.close().catch(() => {});
      await transport.close().catch(() => {});
    },
  };
}
