// The listening side's view of the directory: the router (mailboxes, numbers, routing rules)
// and the lockdown's "does a mailbox own this number". Rebuilt while the daemon runs — when
// the directory changes (PostgreSQL NOTIFY, reload/directory-watch.ts) or the routing
// configuration is reloaded — without a restart. A rebuild that fails (e.g. a rule names a
// mailbox that was just deleted) keeps the previous view and says why.
import { createRouter, type MailboxInput, type Router } from '@faxgate/router';
import { type Db, mailboxes } from '@faxgate/store';
import type { FaxgateConfig } from '../config/schema.js';

export interface RoutingView {
  /** Always the newest router (a stable object whose calls go to the current one). */
  readonly router: Router<MailboxInput>;
  /** Whether a mailbox (not the default rule) owns the called number. */
  hasMailbox(called: string): boolean;
  /** Re-reads the mailboxes (and takes `routing` when given); serialised, coalesced. */
  rebuild(routing?: FaxgateConfig['routing']): Promise<RebuildResult>;
  /** Rebuilds so far (0 after start). */
  readonly generation: number;
}

export interface RebuildResult {
  mailboxes: number;
  numbers: number;
}

async function readBoxes(db: Db): Promise<MailboxInput[]> {
  return (await mailboxes.list(db)).map((m) => ({
    id: m.id,
    name: m.name,
    kind: m.kind,
    numbers: m.numbers,
  }));
}

export async function createRoutingView(db: Db, routing: FaxgateConfig['routing']): Promise<RoutingView> {
  let config = routing;
  let boxes = await readBoxes(db);
  let current = createRouter(config, boxes);
  let generation = 0;
  let chain: Promise<unknown> = Promise.resolve();

  const router = new Proxy({} as Router<MailboxInput>, {
    get(_target, key) {
      const v = Reflect.get(current, key);
      return typeof v === 'function' ? v.bind(current) : v;
    },
  });

  const build = async (next: FaxgateConfig['routing']): Promise<RebuildResult> => {
    const nextBoxes = await readBoxes(db);
    const nextRouter = createRouter(next, nextBoxes); // throws RouterConfigError: nothing changes
    current = nextRouter;
    boxes = nextBoxes;
    config = next;
    generation++;
    return { mailboxes: boxes.length, numbers: boxes.reduce((n, m) => n + (m.numbers?.length ?? 0), 0) };
  };

  return {
    router,
    hasMailbox(called) {
      const d = current.routeIncoming({ called });
      return (
        d.action === 'deliver' &&
        d.rule !== 'default' &&
        boxes.some((m) => m.kind === 'incoming' && m.id === d.mailbox.id)
      );
    },
    rebuild(next) {
      const run = chain.then(() => build(next ?? config));
      chain = run.catch(() => {});
      return run;
    },
    get generation() {
      return generation;
    },
  };
}
