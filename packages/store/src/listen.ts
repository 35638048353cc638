// A dedicated PostgreSQL connection that LISTENs on a channel and reconnects when it is lost
// (the pool's connections are for queries; a LISTEN must stay on one session). After a
// reconnect `onReconnect` runs: notifications sent while it was away are gone, so the caller
// re-reads what it watches.
import pg from 'pg';

export interface ChannelListener {
  /** Resolves once the first LISTEN is in place (rejects only when stopped before). */
  readonly ready: Promise<void>;
  readonly connected: boolean;
  stop(): Promise<void>;
}

export interface ListenOptions {
  /** A notification on the channel (payload as sent). */
  onNotify(payload: string): void;
  /** The LISTEN is back after a loss (not called for the first connection). */
  onReconnect?(): void;
  onError?(error: Error): void;
  /** Upper bound of the backoff between reconnection attempts (default 10 s). */
  maxDelayMs?: number;
  applicationName?: string;
}

export function listenChannel(url: string, channel: string, opts: ListenOptions): ChannelListener {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(channel))
    throw new Error(`bad channel name ${JSON.stringify(channel)}`);
  const maxDelay = opts.maxDelayMs ?? 10_000;
  let client: pg.Client | undefined;
  let stopped = false;
  let connected = false;
  let everConnected = false;
  let attempt = 0;
  let timer: NodeJS.Timeout | undefined;
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });

  const retry = () => {
    if (stopped || timer) return;
    const base = Math.min(maxDelay, 100 * 2 ** Math.min(attempt++, 10));
    timer = setTimeout(
      () => {
        timer = undefined;
        void connect();
      },
      base / 2 + Math.random() * (base / 2),
    );
  };

  const connect = async () => {
    if (stopped) return;
    const c = new pg.Client({
      connectionString: url,
      application_name: opts.applicationName ?? 'faxgate-listen',
    });
    client = c;
    const lost = (e?: Error) => {
      if (client !== c) return;
      client = undefined;
      connected = false;
      c.removeAllListeners('notification');
      c.end().catch(() => {});
      if (e && !stopped) opts.onError?.(e);
      retry();
    };
    c.on('error', (e) => lost(e));
    c.on('end', () => lost());
    c.on('notification', (n) => {
      if (n.channel === channel) opts.onNotify(n.payload ?? '');
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${channel}`);
    } catch (e) {
      lost(e as Error);
      return;
    }
    if (stopped || client !== c) return;
    connected = true;
    attempt = 0;
    if (everConnected) opts.onReconnect?.();
    everConnected = true;
    markReady();
  };

  void connect();
  return {
    ready,
    get connected() {
      return connected;
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      const c = client;
      client = undefined;
      connected = false;
      await c?.end().catch(() => {});
    },
  };
}
