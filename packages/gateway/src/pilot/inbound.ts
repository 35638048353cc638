// In pilot mode every incoming fax the router would deliver goes to the fax post office (the
// mailbox `routing.inbound.default` names): no fax reaches a user's mailbox before the
// release. Rejections stay rejections. The receiver asks synchronously, so the mode and the
// post office's id are read here in the background (every 2 s) and on refresh().
import type { MailboxInput, Router } from '@faxgate/router';
import { type Knex, mailboxes } from '@faxgate/store';
import type { FaxgateConfig } from '../config/schema.js';
import { effectiveMode } from './state.js';

type Incoming = Pick<Router<MailboxInput>, 'routeIncoming'>;

export interface PilotInbound {
  router: Incoming;
  /** Reads the mode and the post office now. */
  refresh(): Promise<void>;
  stop(): void;
}

export async function pilotInbound(
  db: Knex,
  config: FaxgateConfig,
  inner: Incoming,
  opts: { intervalMs?: number; onError?: (e: Error) => void } = {},
): Promise<PilotInbound> {
  let pilot = config.mode === 'pilot';
  let post: MailboxInput | undefined;
  const refresh = async () => {
    pilot = (await effectiveMode(db, config)).mode === 'pilot';
    const name = config.routing.inbound.default;
    const box = pilot && name ? (await mailboxes.list(db)).find((m) => m.name === name) : undefined;
    post = box && { id: box.id, name: box.name, kind: box.kind, numbers: box.numbers };
  };
  if (pilot) await refresh();
  const timer = pilot
    ? setInterval(() => refresh().catch((e: Error) => opts.onError?.(e)), opts.intervalMs ?? 2000)
    : undefined;
  timer?.unref();
  return {
    router: {
      routeIncoming(call) {
        const d = inner.routeIncoming(call);
        if (!pilot || !post || d.action !== 'deliver') return d;
        return { ...d, mailbox: post, rule: 'pilot' };
      },
    },
    refresh,
    stop: () => clearInterval(timer),
  };
}
