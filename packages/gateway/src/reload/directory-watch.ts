// Routing without restarts: LISTEN on faxgate_directory (store migration 0010 NOTIFYs every
// committed change of mailboxes, numbers, grants, groups, users) on a connection of its own,
// and run `onChange` — at once, once per burst (changes that arrive while it runs are taken
// by one more run), and after a lost connection came back (what changed meanwhile is unknown).
import { DIRECTORY_CHANNEL, listenChannel } from '@faxgate/store';
import type { Logger } from '../logger.js';

export interface DirectoryWatch {
  /** The first LISTEN is in place. */
  readonly ready: Promise<void>;
  readonly connected: boolean;
  /** Runs of onChange so far. */
  readonly runs: number;
  stop(): Promise<void>;
}

export function watchDirectory(opts: {
  databaseUrl: string;
  log: Logger;
  /** Tables named by the notifications of this burst ('*' after a reconnect). */
  onChange(tables: string[]): Promise<void>;
}): DirectoryWatch {
  let pending = new Set<string>();
  let running = false;
  let runs = 0;
  let stopped = false;

  const drain = async () => {
    if (running) return;
    running = true;
    try {
      while (pending.size > 0 && !stopped) {
        const tables = [...pending].sort();
        pending = new Set();
        try {
          await opts.onChange(tables);
        } catch (e) {
          opts.log.error(`directory changed (${tables.join(', ')}): not applied: ${(e as Error).message}`);
        }
        runs++;
      }
    } finally {
      running = false;
    }
  };
  const mark = (table: string) => {
    pending.add(table);
    void drain();
  };

  const listener = listenChannel(opts.databaseUrl, DIRECTORY_CHANNEL, {
    applicationName: 'faxgate-directory',
    onNotify: (table) => mark(table || '*'),
    onReconnect: () => {
      opts.log.info('directory: LISTEN restored; re-reading mailboxes and rights');
      mark('*');
    },
    onError: (e) => opts.log.warn(`directory: LISTEN connection lost (${e.message}); reconnecting`),
  });
  return {
    ready: listener.ready,
    get connected() {
      return listener.connected;
    },
    get runs() {
      return runs;
    },
    async stop() {
      stopped = true;
      await listener.stop();
    },
  };
}
