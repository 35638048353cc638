// The BullMQ queue of outgoing calls. One job per fax (job id `fax-<id>`: BullMQ refuses
// purely numeric custom ids), priority and send-at delay from the fax row.
import { Queue } from 'bullmq';
import type { FaxgateConfig } from '../config/schema.js';

export const SEND_QUEUE = 'send';

export interface SendJobData {
  faxId: number;
}

export type SendQueue = Queue<SendJobData, unknown, string>;

export function jobIdOf(faxId: number): string {
  return `fax-${faxId}`;
}

export function faxIdOf(jobId: string | undefined): number | undefined {
  const m = /^fax-([0-9]{1,15})$/.exec(jobId ?? '');
  return m ? Number(m[1]) : undefined;
}

/** ioredis options for BullMQ from the configured URL (BullMQ forbids ioredis' own keyPrefix). */
export function bullConnection(config: FaxgateConfig) {
  const u = new URL(config.redis.url);
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : 6379,
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0,
    tls: u.protocol === 'rediss:' ? {} : undefined,
    maxRetriesPerRequest: null,
  };
}

export function openSendQueue(config: FaxgateConfig): SendQueue {
  return new Queue<SendJobData, unknown, string>(SEND_QUEUE, {
    connection: bullConnection(config),
    prefix: config.redis.keyPrefix,
  });
}

/** The Redis channel on which stop requests reach the process running the call. */
export function stopChannel(config: FaxgateConfig): string {
  return `${config.redis.keyPrefix}:${SEND_QUEUE}:stop`;
}

/** HylaFAX priority 0 (most urgent) … 255 → BullMQ priority 1 … 256 (lower first). */
export async function enqueueFax(
  queue: SendQueue,
  fax: { id: number; priority: number; notBefore: Date | null },
  now = Date.now(),
): Promise<void> {
  const delay = fax.notBefore ? Math.max(0, fax.notBefore.getTime() - now) : 0;
  await queue.add(
    'send',
    { faxId: fax.id },
    {
      jobId: jobIdOf(fax.id),
      priority: fax.priority + 1,
      delay,
      removeOnComplete: true,
      removeOnFail: true,
      attempts: 1,
    },
  );
}
