// Fax state changes for the console's live views: one LISTEN on faxgate_faxes (store
// migration 0020 NOTIFYs every created fax and every state change, from any node) per API
// process, opened when the first stream subscribes and closed with the last one. Each
// change is read once and handed to every subscriber; a lost connection is a `resync`
// (what changed meanwhile is unknown, subscribers re-read).
import {
  type ChannelListener,
  type Db,
  FAX_CHANNEL,
  type Fax,
  type FaxState,
  faxes,
  isFaxState,
  listenChannel,
} from '@faxgate/store';

export type FaxEvent = { kind: 'fax'; fax: Fax } | { kind: 'resync' };
export type FaxSubscriber = (e: FaxEvent) => void;

export interface FaxEventHub {
  /** Subscribes; resolves once the LISTEN is in place, with the function that unsubscribes. */
  subscribe(fn: FaxSubscriber): Promise<() => void>;
  close(): Promise<void>;
}

/** `<id> <state>`, as the trigger sends it. */
export function parseFaxNotification(payload: string): { id: number; state: FaxState } | null {
  const m = /^([0-9]{1,15}) ([a-z-]{1,32})$/.exec(payload);
  return m && isFaxState(m[2]) ? { id: Number(m[1]), state: m[2] } : null;
}

export function createFaxEventHub(opts: {
  db: Db;
  databaseUrl: string;
  logError(message: string): void;
}): FaxEventHub {
  const subscribers = new Set<FaxSubscriber>();
  let listener: ChannelListener | undefined;
  const emit = (e: FaxEvent) => {
    for (const fn of subscribers) fn(e);
  };
  // Notifications are read one after the other, so events keep the order of the commits; each
  // carries the state it announced (the other columns as the row is now).
  let chain = Promise.resolve();
  const onNotify = (payload: string) => {
    const n = parseFaxNotification(payload);
    if (n === null) return;
    chain = chain
      .then(async () => {
        const fax = await faxes.find(opts.db, n.id);
        if (fax) emit({ kind: 'fax', fax: { ...fax, state: n.state } });
      })
      .catch((e) => opts.logError(`console fax event ${n.id}: ${(e as Error).message}`));
  };
  return {
    async subscribe(fn) {
      subscribers.add(fn);
      listener ??= listenChannel(opts.databaseUrl, FAX_CHANNEL, {
        onNotify,
        onReconnect: () => emit({ kind: 'resync' }),
        onError: (e) => opts.logError(`console fax events: ${e.message}`),
        applicationName: 'faxgate-console-events',
      });
      await listener.ready;
      return () => {
        subscribers.delete(fn);
        if (subscribers.size === 0 && listener) {
          const l = listener;
          listener = undefined;
          l.stop().catch(() => {});
        }
      };
    },
    async close() {
      subscribers.clear();
      const l = listener;
      listener = undefined;
      await l?.stop();
    },
  };
}
