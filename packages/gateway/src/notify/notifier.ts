// Webhook notifications, derived from the committed audit trail: for each webhook a loop
// reads the next matching event after its cursor (PostgreSQL), POSTs it, and only then moves
// the cursor. A crash or a receiver that is down loses nothing (at least once, in order per
// webhook); a failing webhook waits with backoff without holding up the others.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { appendAuditEvent } from '@faxgate/audit';
import { type Db, inTransaction } from '@faxgate/store';
import type { FaxgateConfig } from '../config/schema.js';
import type { Logger } from '../logger.js';
import { advance, auditHead, ensureCursor, recordFailure, releaseLease, takeLease } from './cursor.js';
import { auditTypesFor, type WebhookEvent, webhookEventOf } from './events.js';
import { type AuditRow, buildPayload } from './payload.js';
import { postWebhook, type WebhookTarget } from './webhook.js';

type Webhook = FaxgateConfig['notifications']['webhooks'][number];

export interface NotifierOptions {
  config: FaxgateConfig;
  db: Db;
  log: Logger;
  /** Audit actor of the daemon (for the record of a notification given up). */
  actor: string;
}

export interface Notifier {
  /** Looks for new events now instead of at the next poll. */
  wake(): void;
  stop(): Promise<void>;
}

const BATCH = 100;

/** Delay before attempt n+1 after n failures: initial × 2^(n−1), at most maxDelay. */
export function backoffMs(retry: FaxgateConfig['notifications']['retry'], failures: number): number {
  const s = Math.min(retry.maxDelaySeconds, retry.initialDelaySeconds * 2 ** Math.max(0, failures - 1));
  return Math.round(s * 1000);
}

/** The next event after `seq` this webhook wants, or how far it may skip when there is none. */
async function nextEvent(
  db: Db,
  types: readonly string[],
  wanted: ReadonlySet<WebhookEvent>,
  seq: number,
): Promise<{ row: AuditRow; event: WebhookEvent } | { skipTo: number } | undefined> {
  const head = await auditHead(db);
  if (head <= seq) return undefined;
  const rows = await db('audit_events')
    .where('seq', '>', seq)
    .andWhere('seq', '<=', head)
    .whereIn('type', types)
    .orderBy('seq')
    .limit(BATCH)
    .select('seq', 'time', 'type', 'fax_id', 'mailbox_id', 'details', 'hash');
  for (const r of rows) {
    const event = webhookEventOf(r.type, r.details ?? {});
    if (event && wanted.has(event)) {
      return {
        event,
        row: {
          seq: Number(r.seq),
          time: r.time,
          type: r.type,
          faxId: r.fax_id === null ? null : Number(r.fax_id),
          mailboxId: r.mailbox_id === null ? null : Number(r.mailbox_id),
          details: r.details ?? {},
          hash: r.hash,
        },
      };
    }
  }
  return { skipTo: rows.length === BATCH ? Number(rows[rows.length - 1].seq) : head };
}

export function startNotifier(opts: NotifierOptions): Notifier {
  const { config, db, log, actor } = opts;
  const { webhooks, retry, pollIntervalSeconds } = config.notifications;
  const owner = `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const pollMs = Math.round(pollIntervalSeconds * 1000);
  const stopping = new AbortController();
  const wakers = new Set<() => void>();

  /** Waits `ms`, or less when woken or stopped. */
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      wakers.add(done);
      if (stopping.signal.aborted) done();
    });

  async function deliverOne(hook: Webhook, target: WebhookTarget, leaseMs: number): Promise<number> {
    const cursor = await takeLease(db, hook.name, owner, leaseMs);
    if (!cursor) return pollMs; // another gateway process delivers this webhook
    const waitMs = cursor.nextAttemptAt ? cursor.nextAttemptAt.getTime() - Date.now() : 0;
    if (waitMs > 0) return Math.min(waitMs, pollMs);
    const next = await nextEvent(db, auditTypesFor(hook.events), new Set(hook.events), cursor.seq);
    if (!next) return pollMs;
    if ('skipTo' in next) {
      await advance(db, hook.name, next.skipTo);
      return 0;
    }
    const { row, event } = next;
    const payload = await buildPayload(db, event, row);
    const body = JSON.stringify(payload);
    const r = await postWebhook(target, { id: payload.id, event, body }, stopping.signal);
    const of = 'alert' in payload ? `alert ${payload.alert.key}` : `fax ${row.faxId ?? '-'}`;
    const what = `webhook ${hook.name}: ${event} of ${of} (audit ${row.seq})`;
    if (r.ok) {
      await advance(db, hook.name, row.seq);
      log.info(`${what} delivered: HTTP ${r.status} in ${r.ms} ms`);
      return 0;
    }
    if (stopping.signal.aborted) return 0; // not an attempt: it is delivered after the restart
    const attempts = cursor.attempts + 1;
    if (attempts >= retry.maxAttempts) {
      // Given up after the bounded retries: on record, so it is never lost silently.
      await inTransaction(db, async (trx) => {
        await advance(trx, hook.name, row.seq);
        await appendAuditEvent(trx, {
          type: 'fax.notify',
          actor,
          subject: row.faxId === null ? null : `fax:${row.faxId}`,
          faxId: row.faxId,
          mailboxId: row.mailboxId,
          details: {
            webhook: hook.name,
            event,
            delivery: payload.id,
            auditSeq: row.seq,
            outcome: 'given-up',
            attempts,
            error: r.error ?? null,
          },
        });
      });
      log.error(`${what} given up after ${attempts} attempts: ${r.error}`);
      return 0;
    }
    const delay = backoffMs(retry, attempts);
    await recordFailure(db, hook.name, attempts, r.error ?? 'failed', new Date(Date.now() + delay));
    log.warn(`${what} failed (attempt ${attempts} of ${retry.maxAttempts}): ${r.error}; next in ${delay} ms`);
    return delay;
  }

  async function run(hook: Webhook): Promise<void> {
    const target: WebhookTarget = hook;
    // Long enough for a delivery; a crashed process's webhook is taken over after it.
    const leaseMs = hook.timeoutSeconds * 1000 + Math.max(30_000, 2 * pollMs);
    let known = false;
    while (!stopping.signal.aborted) {
      let waitMs: number;
      try {
        if (!known) await ensureCursor(db, hook.name);
        known = true;
        waitMs = await deliverOne(hook, target, leaseMs);
      } catch (e) {
        if (stopping.signal.aborted) break;
        log.warn(`webhook ${hook.name}: ${(e as Error).message}`);
        waitMs = pollMs;
      }
      if (waitMs > 0) await pause(waitMs);
    }
    await releaseLease(db, hook.name, owner).catch(() => {});
  }

  const loops = webhooks.map((hook) => run(hook));
  log.info(`notifications: ${webhooks.map((w) => `${w.name} (${w.events.join(', ')})`).join('; ')}`);
  return {
    wake() {
      for (const w of [...wakers]) w();
    },
    async stop() {
      if (stopping.signal.aborted) return;
      stopping.abort();
      for (const w of [...wakers]) w();
      await Promise.all(loops);
    },
  };
}
