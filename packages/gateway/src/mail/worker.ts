// The mail worker: delivers due outbox rows through the relay. Rows are claimed with
// FOR UPDATE SKIP LOCKED and a lease (several nodes never send the same row at once; a node
// that died mid-send leaves a row that is due again when its lease ends — at least once), sent
// with nodemailer, and then recorded: sent (mail.sent with the relay's answer), retried with
// backoff, or given up on record (failed, mail.failed) after maxAttempts / maxAge or a
// permanent refusal. Woken by NOTIFY at enqueue, else polls.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { appendAuditEvent } from '@faxgate/audit';
import { type Db, inTransaction, listenChannel } from '@faxgate/store';
import { clearAlert, raiseAlert } from '../alerts/alerts.js';
import type { Logger } from '../logger.js';
import type { MailConfig } from './config.js';
import { MAIL_CHANNEL, type MailPurpose } from './outbox.js';
import { createRelayTransport } from './transport.js';

/** Raised when a mail is given up, cleared when the relay accepts one again. */
export const DELIVERY_ALERT = 'mail.delivery';

export interface MailWorkerOptions {
  config: MailConfig;
  db: Db;
  log: Logger;
  /** Audit actor of the daemon. */
  actor: string;
  /** For LISTEN (a connection of its own); without it the worker only polls. */
  databaseUrl?: string;
  /** After a mail was accepted by the relay (e.g. delete a fax after forwarding). */
  onSent?(mail: { id: number; faxId: number | null; purpose: MailPurpose }): Promise<void>;
}

export interface MailWorker {
  /** Looks for due mails now. */
  wake(): void;
  /** Delivers what is due now and resolves when done (tests, `--once`). */
  runOnce(): Promise<number>;
  stop(): Promise<void>;
}

/** Delay after the n-th failed attempt: initial × 2^(n−1), at most max, ±20 % jitter. */
export function mailBackoffMs(retry: MailConfig['retry'], failures: number, random = Math.random): number {
  const s = Math.min(retry.maxDelaySeconds, retry.initialDelaySeconds * 2 ** Math.max(0, failures - 1));
  return Math.round(s * 1000 * (0.8 + 0.4 * random()));
}

interface SmtpError extends Error {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
}

/** A refusal of this message by the relay (5xx to MAIL/RCPT/DATA): retrying will not help. */
export function isPermanent(e: SmtpError): boolean {
  return (
    (e.code === 'EENVELOPE' || e.code === 'EMESSAGE') &&
    typeof e.responseCode === 'number' &&
    e.responseCode >= 500 &&
    e.responseCode < 600
  );
}

/** The error as one line for the record: code, the relay's answer; never a password. */
export function describeError(e: SmtpError): string {
  const parts = [e.code, e.responseCode ? String(e.responseCode) : undefined, e.response ?? e.message];
  return parts
    .filter(Boolean)
    .join(' ')
    .replace(/[\r\n]+/g, ' ')
    .slice(0, 500);
}

// biome-ignore lint/suspicious/noExplicitAny: rows as node-postgres returns them
type Row = any;

export function startMailWorker(opts: MailWorkerOptions): MailWorker {
  const { config, db, log, actor } = opts;
  const owner = `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const pollMs = Math.round(config.pollIntervalSeconds * 1000);
  const smtp = config.smtp;
  // Long enough for one delivery with every timeout; a dead node's rows are taken over after it.
  const leaseSeconds =
    smtp.connectionTimeoutSeconds + smtp.greetingTimeoutSeconds + smtp.socketTimeoutSeconds * 3 + 30;
  const stopping = new AbortController();
  let wakeUp: (() => void) | undefined;
  let running: Promise<number> | undefined;

  async function claim(limit: number): Promise<Row[]> {
    const r = await db.raw(
      `UPDATE mail_outbox SET state = 'sending', attempts = attempts + 1, lease_owner = ?,
              lease_until = now() + make_interval(secs => ?::double precision)
        WHERE id IN (SELECT id FROM mail_outbox
                      WHERE (state = 'queued' AND next_attempt_at <= now())
                         OR (state = 'sending' AND lease_until < now())
                      ORDER BY next_attempt_at, id LIMIT ? FOR UPDATE SKIP LOCKED)
        RETURNING *, now() - created_at > make_interval(secs => ?::double precision) AS too_old`,
      [owner, leaseSeconds, limit, config.retry.maxAgeHours * 3600],
    );
    return r.rows;
  }

  async function deliver(row: Row): Promise<void> {
    const what = `mail ${row.id} (${row.purpose}${row.fax_id ? `, fax ${row.fax_id}` : ''})`;
    const attachments = await db('mail_outbox_attachments').where({ mail_id: row.id }).orderBy('position');
    let transport: Awaited<ReturnType<typeof createRelayTransport>> | undefined;
    try {
      transport = await createRelayTransport(smtp);
      const info = await transport.sendMail({
        from: { name: smtp.fromName, address: smtp.from },
        to: row.recipients,
        subject: row.subject,
        text: row.body,
        inReplyTo: row.in_reply_to ?? undefined,
        references: row.references ?? undefined,
        // RFC 3834: a machine's mail; auto-responders and faxgate's own intake never answer it.
        headers: { 'Auto-Submitted': 'auto-generated', 'X-Faxgate-Mail': String(row.id) },
        attachments: attachments.map((a: Row) => ({
          filename: a.filename,
          contentType: a.content_type,
          content: a.content,
        })),
      });
      const rejected = (info.rejected ?? []).map(String);
      await inTransaction(db, async (trx) => {
        // Accepted is the truth even when our lease ran out meanwhile; recorded once.
        const updated = await trx('mail_outbox')
          .where({ id: row.id })
          .whereNot({ state: 'sent' })
          .update({
            state: 'sent',
            sent_at: trx.fn.now(),
            message_id: info.messageId ?? null,
            relay_response: String(info.response ?? '').slice(0, 500),
            last_error: rejected.length ? `rejected: ${rejected.join(', ')}` : null,
            lease_owner: null,
            lease_until: null,
          });
        if (updated === 0) return;
        await appendAuditEvent(trx, {
          type: 'mail.sent',
          actor,
          subject: `mail:${row.id}`,
          faxId: row.fax_id,
          details: {
            mailId: row.id,
            purpose: row.purpose,
            recipients: row.recipients,
            ...(rejected.length ? { rejected } : {}),
            messageId: info.messageId ?? null,
            response: String(info.response ?? '').slice(0, 500),
            attempts: row.attempts,
          },
        });
      });
      log.info(`${what} accepted by the relay: ${String(info.response ?? '').slice(0, 200)}`);
      // Mail flows again: a give-up alert (below) is over.
      await clearAlert(db, DELIVERY_ALERT, `mail ${row.id} accepted by the relay`, { actor }).catch(
        () => false,
      );
      if (opts.onSent) {
        await opts.onSent({ id: row.id, faxId: row.fax_id, purpose: row.purpose }).catch((e) => {
          log.error(`${what}: after sending: ${(e as Error).message}`);
        });
      }
    } catch (e) {
      await failed(row, e as SmtpError, what);
    } finally {
      transport?.close();
    }
  }

  async function failed(row: Row, e: SmtpError, what: string): Promise<void> {
    const error = describeError(e);
    const permanent = isPermanent(e);
    const giveUp = permanent || row.attempts >= config.retry.maxAttempts || row.too_old;
    if (!giveUp) {
      const delay = mailBackoffMs(config.retry, row.attempts);
      await db('mail_outbox')
        .where({ id: row.id, lease_owner: owner })
        .update({
          state: 'queued',
          last_error: error,
          next_attempt_at: new Date(Date.now() + delay),
          lease_owner: null,
          lease_until: null,
        });
      log.warn(
        `${what}: attempt ${row.attempts} of ${config.retry.maxAttempts} failed: ${error}; next in ${delay} ms`,
      );
      return;
    }
    const reason = permanent
      ? 'refused by the relay'
      : row.attempts >= config.retry.maxAttempts
        ? `${row.attempts} attempt${row.attempts === 1 ? '' : 's'}`
        : `older than ${config.retry.maxAgeHours} h`;
    const gaveUp = await inTransaction(db, async (trx) => {
      // Only while the row is still ours: another node that took it over decides then.
      const updated = await trx('mail_outbox').where({ id: row.id, lease_owner: owner }).update({
        state: 'failed',
        failed_at: trx.fn.now(),
        last_error: error,
        lease_owner: null,
        lease_until: null,
      });
      if (updated === 0) return false;
      await appendAuditEvent(trx, {
        type: 'mail.failed',
        actor,
        subject: `mail:${row.id}`,
        faxId: row.fax_id,
        details: {
          mailId: row.id,
          purpose: row.purpose,
          recipients: row.recipients,
          reason,
          error,
          attempts: row.attempts,
        },
      });
      return true;
    });
    if (!gaveUp) return;
    log.error(`${what} given up (${reason}): ${error}`);
    // The operator is told: one alert until a mail is accepted again (the relay itself: check.smtp).
    await raiseAlert(
      db,
      {
        key: DELIVERY_ALERT,
        severity: 'warning',
        source: 'mail',
        summary: `mail ${row.id} (${row.purpose}) given up (${reason}): ${error}`.slice(0, 500),
      },
      { actor },
    ).catch((e) => log.warn(`mail alert: ${(e as Error).message}`));
  }

  async function round(): Promise<number> {
    let total = 0;
    while (!stopping.signal.aborted) {
      const rows = await claim(config.concurrency);
      if (rows.length === 0) break;
      await Promise.all(rows.map((r) => deliver(r)));
      total += rows.length;
    }
    return total;
  }

  function runOnce(): Promise<number> {
    // One round at a time in this process; a wake during a round is a new round after it.
    const next = (running ?? Promise.resolve(0)).catch(() => 0).then(() => round());
    running = next;
    return next;
  }

  async function loop(): Promise<void> {
    while (!stopping.signal.aborted) {
      try {
        await runOnce();
      } catch (e) {
        if (stopping.signal.aborted) break;
        log.warn(`mail worker: ${(e as Error).message}`);
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(done, pollMs);
        function done() {
          clearTimeout(t);
          wakeUp = undefined;
          resolve();
        }
        wakeUp = done;
        if (stopping.signal.aborted) done();
      });
    }
  }

  const listener = opts.databaseUrl
    ? listenChannel(opts.databaseUrl, MAIL_CHANNEL, {
        onNotify: () => wakeUp?.(),
        onReconnect: () => wakeUp?.(),
        onError: (e) => log.warn(`mail worker LISTEN: ${e.message}`),
        applicationName: 'faxgate-mail',
      })
    : undefined;
  const looping = loop();
  return {
    wake: () => wakeUp?.(),
    runOnce,
    async stop() {
      if (stopping.signal.aborted) return;
      stopping.abort();
      wakeUp?.();
      await listener?.stop();
      await looping;
      await running?.catch(() => 0);
    },
  };
}
