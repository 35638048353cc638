// The send queue for one CLI call, only when Redis answers now. PostgreSQL is the truth: a
// fax accepted while Redis is down is queued by the gateway's reconciler, so the CLI never
// waits on an unreachable Redis (BullMQ's own connection would retry forever).
import { Redis } from 'ioredis';
import type { FaxgateConfig } from '../../config/schema.js';
import { openSendQueue, type SendQueue, stopChannel } from '../../pipeline/queue.js';

export interface CliQueue {
  /** Undefined when Redis did not answer within the probe time. */
  queue?: SendQueue;
  publisher?: Redis;
  stopChannel: string;
  close(): Promise<void>;
}

const PROBE_MS = 2000;

async function reachable(url: string): Promise<Redis | undefined> {
  const r = new Redis(url, {
    lazyConnect: true,
    connectTimeout: PROBE_MS,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  r.on('error', () => {});
  try {
    await r.connect();
    await r.ping();
    return r;
  } catch {
    r.disconnect();
    return undefined;
  }
}

export async function openCliQueue(config: FaxgateConfig): Promise<CliQueue> {
  const publisher = await reachable(config.redis.url);
  const channel = stopChannel(config);
  if (!publisher) return { stopChannel: channel, close: async () => {} };
  const queue = openSendQueue(config);
  queue.on('error', () => {});
  return {
    queue,
    publisher,
    stopChannel: channel,
    async close() {
      await queue.close().catch(() => {});
      publisher.disconnect();
    },
  };
}
