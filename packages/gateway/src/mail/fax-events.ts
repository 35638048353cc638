// Fax outcomes become mails the same way webhooks are fed: derived from the committed audit
// trail with a cursor (notification_cursors, name `mail:faxes`). The mails for an event and
// the cursor's move past it commit in one transaction, so each outcome is mailed exactly
// once, also across crashes and restarts; a lease keeps it with one node at a time.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { appendAuditEvent } from '@faxgate/audit';
import { CodecError, ContainerError } from '@faxgate/fax-core';
import { type Db, InvalidInputError, inTransaction, NotFoundError } from '@faxgate/store';
import type { Logger } from '../logger.js';
import { advance, auditHead, ensureCursor, releaseLease, takeLease } from '../notify/cursor.js';
import type { MailConfig } from './config.js';
import { receivedFaxMail, sendResultMail } from './fax-mails.js';
import { checkOutgoingMail, enqueueMail, type OutgoingMail } from './outbox.js';

export const FAX_MAIL_CURSOR = 'mail:faxes';

/** Errors of the fax's content or its absence: retrying cannot help. */
function isContentError(e: unknown): boolean {
  return (
    e instanceof CodecError ||
    e instanceof ContainerError ||
    e instanceof InvalidInputError ||
    e instanceof NotFoundError ||
    (e instanceof Error && e.name === 'PageError')
  );
}

const TYPES = [
  'recv.end',
  'fax.deliver',
  'send.done',
  'send.internal',
  'job.dead',
  'job.kill',
  'job.timedout',
  'job.settle',
];

/** What an audit event means for the mails (undefined: nothing). */
export function mailEventOf(
  type: string,
  details: Record<string, unknown>,
): 'received' | 'done' | 'failed' | undefined {
  switch (type) {
    case 'recv.end':
      return details.ok === true ? 'received' : undefined;
    case 'fax.deliver':
      return 'received';
    case 'send.done':
    case 'send.internal':
      return 'done';
    case 'job.dead':
    case 'job.kill':
    case 'job.timedout':
      return 'failed';
    case 'job.settle':
      return details.decision === 'sent' ? 'done' : details.decision === 'failed' ? 'failed' : undefined;
    default:
      return undefined;
  }
}

export interface FaxMailerOptions {
  config: MailConfig;
  db: Db;
  log: Logger;
}

export interface FaxMailer {
  /** Handles every event up to the sealed head now; resolves with the mails queued. */
  runOnce(): Promise<number>;
  stop(): Promise<void>;
}

const BATCH = 100;

export function startFaxMailer(opts: FaxMailerOptions): FaxMailer {
  const { config, db, log } = opts;
  const owner = `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const pollMs = Math.round(config.pollIntervalSeconds * 1000);
  const leaseMs = Math.max(60_000, 3 * pollMs);
  const stopping = new AbortController();
  let running: Promise<number> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let known = false;

  async function mailFor(
    faxId: number,
    what: 'received' | 'done' | 'failed',
  ): Promise<OutgoingMail | undefined> {
    if (what === 'received') return config.receivedFaxes ? receivedFaxMail(db, faxId) : undefined;
    return config.sendResults ? sendResultMail(db, faxId, what) : undefined;
  }

  async function round(): Promise<number> {
    if (!known) await ensureCursor(db, FAX_MAIL_CURSOR);
    known = true;
    let queued = 0;
    while (!stopping.signal.aborted) {
      const cursor = await takeLease(db, FAX_MAIL_CURSOR, owner, leaseMs);
      if (!cursor) break; // another node does it
      const head = await auditHead(db);
      if (head <= cursor.seq) break;
      const rows = await db('audit_events')
        .where('seq', '>', cursor.seq)
        .andWhere('seq', '<=', head)
        .whereIn('type', TYPES)
        .orderBy('seq')
        .limit(BATCH)
        .select('seq', 'type', 'fax_id', 'details');
      for (const r of rows) {
        const what = mailEventOf(r.type, r.details ?? {});
        let mail: OutgoingMail | undefined;
        let error: string | undefined;
        try {
          mail = what && r.fax_id !== null ? await mailFor(Number(r.fax_id), what) : undefined;
          if (mail) checkOutgoingMail(mail); // refused here, not in the transaction that moves the cursor
        } catch (e) {
          // Bad content or a fax that is gone: on record, and on with the next outcome. Anything
          // else (the database away …) ends the round; the event is tried again next round.
          if (!isContentError(e)) throw e;
          error = (e as Error).message;
        }
        // The mail (or the record that it could not be made) and the cursor's move commit
        // together: mailed exactly once, never skipped silently.
        await inTransaction(db, async (trx) => {
          if (mail) await enqueueMail(trx, mail);
          if (error) {
            await appendAuditEvent(trx, {
              type: 'mail.failed',
              actor: 'system',
              subject: `fax:${r.fax_id}`,
              faxId: Number(r.fax_id),
              details: {
                purpose: what === 'received' ? 'fax.received' : 'fax.result',
                reason: 'not composed',
                error,
              },
            });
          }
          await advance(trx, FAX_MAIL_CURSOR, Number(r.seq));
        });
        if (error) log.error(`fax ${r.fax_id}: the ${what} mail could not be made: ${error}`);
        if (mail) {
          queued++;
          log.info(`fax ${r.fax_id}: mail (${mail.purpose}) queued for ${mail.to.length} recipient(s)`);
        }
      }
      if (rows.length < BATCH) {
        await advance(db, FAX_MAIL_CURSOR, head);
        break;
      }
    }
    return queued;
  }

  function runOnce(): Promise<number> {
    const next = (running ?? Promise.resolve(0)).catch(() => 0).then(() => round());
    running = next;
    return next;
  }

  const tick = () => {
    if (stopping.signal.aborted) return;
    runOnce()
      .catch((e) => log.warn(`fax mails: ${(e as Error).message}`))
      .finally(() => {
        if (!stopping.signal.aborted) timer = setTimeout(tick, pollMs);
      });
  };
  timer = setTimeout(tick, 0);
  return {
    runOnce,
    async stop() {
      stopping.abort();
      clearTimeout(timer);
      await running?.catch(() => 0);
      await releaseLease(db, FAX_MAIL_CURSOR, owner).catch(() => {});
    },
  };
}
