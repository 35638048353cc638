// Test fixture of the outgoing pipeline: a database of its own, Redis under a key prefix of
// its own, capi-sim, a user with an outgoing mailbox, an internal incoming mailbox, a router.
import { auditMigrations } from '@faxgate/audit';
import type { CapiTransport } from '@faxgate/capi-bindings';
import { type Simulator, startSimulator } from '@faxgate/capi-sim';
import { type BilevelPage, createPage, setPixel } from '@faxgate/fax-core';
import { createRouter, type MailboxInput, type Router } from '@faxgate/router';
import { type Fax, faxes, grants, type Knex, mailboxes, migrate, openDatabase, users } from '@faxgate/store';
import { createTestDatabase, type TestDatabase, testRedisPrefix } from '@faxgate/store/testing';
import { Redis } from 'ioredis';
import { validateConfig } from '../config/load.js';
import type { FaxgateConfig, FaxgateConfigInput } from '../config/schema.js';
import { createGatewayLogger } from '../logger.js';
import { type OutgoingPipeline, startPipeline } from '../pipeline/pipeline.js';

export interface PipelineFixture {
  db: Knex;
  sim: Simulator;
  config: FaxgateConfig;
  pipeline: OutgoingPipeline;
  router: Router<MailboxInput>;
  redis: Redis;
  prefix: string;
  userId: number;
  outbox: number;
  inbox: number;
  /** Called numbers of every CONNECT_REQ the simulator saw. */
  dialled: string[];
  close(): Promise<void>;
}

/** A page with a pattern of its own (so pages can be told apart), standard resolution to keep it small. */
export function testPage(seed: number, height = 400): BilevelPage {
  const page = createPage(1728, height, 'standard');
  for (let y = 10; y < height - 10; y += 7 + (seed % 5)) {
    for (let x = 100 + seed * 13; x < 1600; x += 3) setPixel(page, x, y, true);
  }
  return page;
}

export async function startPipelineFixture(
  queue: FaxgateConfigInput['queue'],
  opts: { transport?: (sim: Simulator) => CapiTransport; worker?: boolean } = {},
): Promise<PipelineFixture> {
  const testDb: TestDatabase = await createTestDatabase('faxgate_pipeline');
  const db = openDatabase(testDb.url, { poolMax: 10 });
  await migrate(db, auditMigrations);
  const sim = await startSimulator({ timeFactor: 0 });
  const dialled: string[] = [];
  sim.trace.on('message', (r: { name: string; message?: unknown }) => {
    if (r.name !== 'CONNECT_REQ') return;
    const m = r.message as { calledPartyNumber?: { digits?: string } } | undefined;
    dialled.push(m?.calledPartyNumber?.digits ?? '?');
  });
  const prefix = testRedisPrefix();
  const env = process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {};
  const { config } = validateConfig(
    {
      database: { url: testDb.url },
      redis: { keyPrefix: prefix },
      logging: { level: 'error' },
      lines: { transport: 'rcapi', port: sim.port, controllers: [1, 2] },
      queue: { enabled: true, timeScale: 0.001, stationId: '+49 30 1234567', ...queue },
    },
    env,
  );
  const user = await users.add(db, { name: 'alice', roles: ['user'] });
  const out = await mailboxes.add(db, { name: 'alice-out', kind: 'outgoing', numbers: ['+49301234567'] });
  const inbox = await mailboxes.add(db, { name: 'sales-in', kind: 'incoming', numbers: ['+49303001'] });
  await mailboxes.add(db, { name: 'postoffice', kind: 'incoming' });
  for (const right of ['out.send', 'out.stop'] as const) {
    await grants.grant(db, { user: 'alice', mailbox: 'alice-out', right });
  }
  const router = createRouter(
    {
      numbering: { countryCode: '49', areaCode: '30', localNumberLength: 7, dialLocal: true },
      destinations: { deny: ['+49305559'] },
      inbound: { default: 'postoffice' },
    },
    (await mailboxes.list(db)).map((m) => ({ id: m.id, name: m.name, kind: m.kind, numbers: m.numbers })),
  );
  const log = createGatewayLogger(config, 'pipeline-test');
  const pipeline = await startPipeline({
    config,
    db,
    log,
    actor: 'gateway:test',
    worker: opts.worker ?? true,
    transport: opts.transport?.(sim),
  });
  const redis = new Redis(config.redis.url);
  return {
    db,
    sim,
    config,
    pipeline,
    router,
    redis,
    prefix,
    userId: user.id,
    outbox: out.id,
    inbox: inbox.id,
    dialled,
    async close() {
      await pipeline.stop();
      await deleteKeys(redis, prefix).catch(() => {});
      redis.disconnect();
      await sim.close();
      await db.destroy();
      await testDb.drop();
    },
  };
}

/** Deletes every Redis key under the prefix (what a Redis data loss looks like to us). */
export async function deleteKeys(redis: Redis, prefix: string): Promise<number> {
  let n = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) n += await redis.del(...keys);
  } while (cursor !== '0');
  return n;
}

/** Polls until `pick` returns a value (bounded; the bound only turns a hang into a failure). */
export async function waitFor<T>(
  what: string,
  pick: () => Promise<T | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await pick();
    if (v !== undefined && v !== false) return v as T;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const TERMINAL = new Set(['done', 'failed', 'rejected', 'suspended', 'deleted']);

export function waitTerminal(db: Knex, faxId: number, timeoutMs?: number): Promise<Fax> {
  return waitFor(
    `fax ${faxId} to finish`,
    async () => {
      const f = await faxes.get(db, faxId);
      return TERMINAL.has(f.state) ? f : undefined;
    },
    timeoutMs,
  );
}
