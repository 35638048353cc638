// The intake loop: connect, make the folders, take every message in the intake folder in turn
// (processMessage), move it to the processed or failed folder once its outcome has committed,
// then wait — woken by IDLE's new-message notice, or after pollSeconds where the server has no
// IDLE. A lost connection is retried with backoff up to a minute; the health check alerts.
import type { Db } from '@faxgate/store';
import type { ImapFlow } from 'imapflow';
import type { MailIntakeConfig } from './config.js';
import { ensureFolders, imapClient } from './imap.js';
import { type IntakeContext, type IntakeOutcome, IntakeRetryLater, processMessage } from './process.js';

/** Where the intake says what it did (the daemon's winston logger fits). */
export interface IntakeLog {
  info(message: string): unknown;
  warn(message: string): unknown;
  error(message: string): unknown;
}

export interface MailIntake {
  /** Takes what is in the folder now (tests, and the loop itself). */
  drainNow(): Promise<IntakeOutcome[]>;
  stop(): Promise<void>;
}

/** Every message in the folder once; those that could not be decided now stay for the next turn. */
export async function drainFolder(
  client: ImapFlow,
  ctx: IntakeContext,
  log: IntakeLog,
): Promise<IntakeOutcome[]> {
  const cfg = ctx.config;
  const done: IntakeOutcome[] = [];
  const lock = await client.getMailboxLock(cfg.folder);
  try {
    const uids = (await client.search({ all: true }, { uid: true })) || [];
    for (const uid of uids) {
      const meta = await client.fetchOne(String(uid), { size: true }, { uid: true });
      if (!meta) continue; // gone meanwhile (another client)
      const tooLarge = (meta.size ?? 0) > cfg.maxMessageMegabytes * 1024 * 1024;
      const msg = await client.fetchOne(String(uid), tooLarge ? { headers: true } : { source: true }, {
        uid: true,
      });
      const raw = msg && (tooLarge ? msg.headers : msg.source);
      if (!raw) continue;
      let outcome: IntakeOutcome;
      try {
        outcome = await processMessage(ctx, raw, { headersOnly: tooLarge });
      } catch (e) {
        // Not the message's fault, or not known to be: it stays in the folder and is tried again.
        const what = e instanceof IntakeRetryLater ? 'will retry' : 'left in the folder';
        log.warn(`mail intake: message uid ${uid} ${what}: ${(e as Error).message}`);
        continue;
      }
      const to = outcome.outcome === 'accepted' ? cfg.processedFolder : cfg.failedFolder;
      await client.messageMove(String(uid), to, { uid: true });
      await ctx
        .db('mail_intake_messages')
        .where({ message_id: outcome.messageId })
        .update({ moved_at: new Date() });
      log.info(
        outcome.outcome === 'accepted'
          ? `mail intake: ${outcome.messageId} → fax ${outcome.faxId}`
          : `mail intake: ${outcome.messageId} refused (${outcome.reason})`,
      );
      done.push(outcome);
    }
  } finally {
    lock.release();
  }
  return done;
}

export function startMailIntake(opts: {
  db: Db;
  config: () => MailIntakeConfig;
  context: (cfg: MailIntakeConfig) => IntakeContext;
  log: IntakeLog;
}): MailIntake {
  let stopped = false;
  let client: ImapFlow | undefined;
  let resume: (() => void) | undefined;
  let woken = false;
  // a wake-up while a turn runs is kept, so the next pause ends at once
  const wake = () => {
    const r = resume;
    resume = undefined;
    if (r) r();
    else woken = true;
  };
  let turn: Promise<IntakeOutcome[]> = Promise.resolve([]);
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      if (woken) {
        woken = false;
        resolve();
        return;
      }
      const t = setTimeout(() => {
        resume = undefined;
        resolve();
      }, ms);
      resume = () => {
        clearTimeout(t);
        resolve();
      };
    });

  const drain = (): Promise<IntakeOutcome[]> => {
    const c = client;
    if (!c?.usable) return Promise.resolve([]);
    // one turn at a time: a drain asked during a turn waits for it, then takes what is new
    turn = turn.then(
      () => drainFolder(c, opts.context(opts.config()), opts.log),
      () => drainFolder(c, opts.context(opts.config()), opts.log),
    );
    return turn;
  };

  const loop = async () => {
    let backoff = 1000;
    while (!stopped) {
      const cfg = opts.config();
      try {
        const c = imapClient(cfg);
        client = c;
        c.on('error', (e: Error) => opts.log.warn(`mail intake: IMAP ${e.message}`));
        c.on('exists', () => wake());
        await c.connect();
        await ensureFolders(c, cfg);
        opts.log.info(
          `mail intake: ${cfg.user}@${cfg.host}:${cfg.port} ${cfg.folder} (${c.capabilities.has('IDLE') ? 'IDLE' : `polled every ${cfg.pollSeconds} s`})`,
        );
        backoff = 1000;
        while (!stopped && c.usable) {
          await drain();
          if (!stopped) await pause(cfg.pollSeconds * 1000);
        }
      } catch (e) {
        if (!stopped) opts.log.warn(`mail intake: ${(e as Error).message}; again in ${backoff / 1000} s`);
      } finally {
        await client?.logout().catch(() => client?.close());
      }
      if (stopped) break;
      await pause(backoff);
      backoff = Math.min(backoff * 2, 60_000);
    }
  };
  const running = loop();
  return {
    drainNow: drain,
    async stop() {
      stopped = true;
      wake();
      await turn.catch(() => {});
      await client?.logout().catch(() => client?.close());
      await running;
    },
  };
}
