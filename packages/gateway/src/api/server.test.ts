// /health over a real socket, with real PostgreSQL and Redis — and a Redis address where
// nothing listens, to see /health fail honestly without telling where anything is.
// (/status is behind login: status-route.test.ts.)
import net from 'node:net';
import { openDatabase } from '@faxgate/store';
import { createTestDatabase, type TestDatabase } from '@faxgate/store/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../config/load.js';
import { gatewayStatus } from '../status.js';
import type { HealthReport } from './health.js';
import { buildApi, listenApi } from './server.js';

let testDb: TestDatabase;
let db: ReturnType<typeof openDatabase>;
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const redisOpts = {
  lazyConnect: true,
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  retryStrategy: () => null,
};

beforeAll(async () => {
  testDb = await createTestDatabase('faxgate_api');
  db = openDatabase(testDb.url, { poolMax: 2 });
});
afterAll(async () => {
  await db?.destroy();
  await testDb?.drop();
});

/** A 127.0.0.1 port on which nothing listens (bound, then closed). */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

async function serve(redis: Redis) {
  const { config } = validateConfig({ api: { port: 0 }, lines: { controllers: [1, 2] } }, {});
  const startedAt = new Date();
  let address = '';
  const app = buildApi({
    probes: {
      database: async () => {
        await db.raw('SELECT 1');
      },
      redis: async () => {
        await redis.ping();
      },
    },
    status: () => gatewayStatus({ config, configFile: null, startedAt, apiAddress: address }),
    probeTimeoutMs: 1000,
  });
  address = await listenApi(app, '127.0.0.1', 0);
  return { app, address };
}

describe('API', () => {
  it('answers /health 200 when PostgreSQL and Redis answer, and serves no /status without the REST API', async () => {
    const redis = new Redis(redisUrl, redisOpts);
    await redis.connect();
    const { app, address } = await serve(redis);
    try {
      const r = await fetch(`${address}/health`);
      const body = (await r.json()) as HealthReport;
      expect(body).toEqual({ status: 'ok', checks: { database: 'ok', redis: 'ok' } });
      expect(r.status).toBe(200);
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.headers.get('cache-control')).toBe('no-store');
      // Without the REST API nobody can log in, so there is no /status to see.
      expect((await fetch(`${address}/status`)).status).toBe(404);
    } finally {
      await app.close();
      redis.disconnect();
    }
  });

  it('answers /health 503 naming Redis when nothing listens there', async () => {
    const redis = new Redis(`redis://127.0.0.1:${await closedPort()}`, redisOpts);
    redis.on('error', () => {}); // expected: connection refused
    await redis.connect().catch(() => {});
    const { app, address } = await serve(redis);
    try {
      const r = await fetch(`${address}/health`);
      const body = (await r.json()) as HealthReport;
      // ok or fail per check and nothing else: no address, port, host or error text.
      expect(body).toEqual({ status: 'degraded', checks: { database: 'ok', redis: 'fail' } });
      expect(r.status).toBe(503);
    } finally {
      await app.close();
      redis.disconnect();
    }
  });

  it('writes access-log lines without secret query parameters', async () => {
    const lines: string[] = [];
    const app = buildApi({
      probes: {},
      status: () => ({}) as never,
      onRequest: (l) => lines.push(`${l.method} ${l.url} ${l.statusCode}`),
    });
    try {
      await app.inject('/health?access_token=t0k3n&sig=s1g&check=all');
      await app.inject('/nowhere?api_key=k3y');
      expect(lines).toEqual([
        'GET /health?access_token=<redacted>&sig=<redacted>&check=all 200',
        'GET /nowhere?api_key=<redacted> 404',
      ]);
    } finally {
      await app.close();
    }
  });

  it('binds 127.0.0.1 by default', () => {
    expect(validateConfig({}, {}).config.api.host).toBe('127.0.0.1');
  });
});
