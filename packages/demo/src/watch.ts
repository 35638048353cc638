// Follows the faxes of this demo run in PostgreSQL (the truth) and reports each change of
// state once: the faxes the demo sends and receives, and those sent with the CLI meanwhile.
import { type Fax, faxes, type Knex, mailboxes } from '@faxgate/store';

export interface FaxWatch {
  /** Resolves with the fax once `done(fax)` holds for fax `id`. */
  until(id: number, done: (fax: Fax) => boolean): Promise<Fax>;
  /** Resolves with the first new incoming fax for which `done(fax)` holds. */
  untilIncoming(done: (fax: Fax) => boolean): Promise<Fax>;
  /** The mailbox's name (cached), for lines about faxes. */
  mailboxName(id: number | null): string;
  stop(): Promise<void>;
}

export interface WatchOptions {
  db: Knex;
  /** Faxes with a higher id are this run's. */
  afterId: number;
  onChange: (fax: Fax) => void;
  onError: (e: Error) => void;
  intervalMs?: number;
}

/** The highest fax id so far (0 for none). */
export async function lastFaxId(db: Knex): Promise<number> {
  const [newest] = await faxes.list(db, { limit: 1 });
  return newest?.id ?? 0;
}

export async function watchFaxes(opts: WatchOptions): Promise<FaxWatch> {
  const { db } = opts;
  const names = new Map((await mailboxes.list(db)).map((m) => [m.id, m.name]));
  const seen = new Map<number, string>();
  const latest = new Map<number, Fax>();
  const waiters = new Set<() => void>();
  let stopped = false;
  let running: Promise<void> = Promise.resolve();

  const poll = async () => {
    // Newest first, paged back to this run's start: a handful of faxes in a demo.
    let beforeId: number | undefined;
    const found: Fax[] = [];
    for (;;) {
      const page = (await faxes.list(db, { beforeId, limit: 100 })).filter((f) => f.id > opts.afterId);
      found.push(...page);
      if (page.length < 100) break;
      beforeId = page[page.length - 1].id;
    }
    for (const f of found.reverse()) {
      latest.set(f.id, f);
      if (seen.get(f.id) === f.state) continue;
      seen.set(f.id, f.state);
      if (f.mailboxId !== null && !names.has(f.mailboxId)) {
        const m = await mailboxes.find(db, f.mailboxId);
        names.set(f.mailboxId, m?.name ?? `#${f.mailboxId}`);
      }
      opts.onChange(f);
    }
    for (const w of waiters) w();
  };
  const timer = setInterval(() => {
    running = running.then(poll).catch((e: Error) => {
      if (!stopped) opts.onError(e);
    });
  }, opts.intervalMs ?? 250);

  const waitFor = (pick: () => Fax | undefined) =>
    new Promise<Fax>((resolve, reject) => {
      const check = () => {
        if (stopped) {
          waiters.delete(check);
          reject(new Error('stopped watching'));
          return;
        }
        const f = pick();
        if (!f) return;
        waiters.delete(check);
        resolve(f);
      };
      waiters.add(check);
      check();
    });

  return {
    until: (id, done) => waitFor(() => [latest.get(id)].find((f) => f !== undefined && done(f))),
    untilIncoming: (done) => waitFor(() => [...latest.values()].find((f) => f.direction === 'in' && done(f))),
    mailboxName: (id) => (id === null ? 'none' : (names.get(id) ?? `#${id}`)),
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      for (const w of [...waiters]) w();
    },
  };
}
