// Test fixture of the REST API: a database of its own, a real send queue under a Redis key
// prefix of its own, the API listening on a free loopback port, and one user per role
// with mailboxes and grants. Requests go over real HTTP (fetch).
import { auditMigrations } from '@faxgate/audit';
import { type BilevelPage, createPage, setPixel, writeTiff } from '@faxgate/fax-core';
import { grants, type Knex, mailboxes, migrate, openDatabase, users } from '@faxgate/store';
import { createTestDatabase, type TestDatabase, testRedisPrefix } from '@faxgate/store/testing';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { buildApi, listenApi } from '../api/server.js';
import { validateConfig } from '../config/load.js';
import type { FaxgateConfig, FaxgateConfigInput } from '../config/schema.js';
import { createDocumentLoader, documentLoaderOptions } from '../documents/load-pages.js';
import { openSendQueue, type SendQueue } from '../pipeline/queue.js';
import { queueSettings } from '../pipeline/settings.js';
import { gatewayStatus } from '../status.js';
import { deleteKeys } from './pipeline-fixture.js';

export const PASSWORD = 'correct horse battery';

export interface ApiFixture {
  db: Knex;
  config: FaxgateConfig;
  queue: SendQueue;
  base: string;
  app: FastifyInstance;
  /** Mailbox ids. */
  aliceOut: number;
  salesIn: number;
  /** A bearer token of each demo user: admin, po (postoffice), op (operator), audi (auditor), alice, bob. */
  tokens: Record<string, string>;
  close(): Promise<void>;
}

export function testTiff(pages = 1, height = 300): Uint8Array {
  const list: BilevelPage[] = [];
  for (let i = 0; i < pages; i++) {
    const page = createPage(1728, height, 'standard');
    for (let y = 10; y < height - 10; y += 9 + i)
      for (let x = 200; x < 1500; x += 4) setPixel(page, x, y, true);
    list.push(page);
  }
  return writeTiff(list, { coding: 'mmr' });
}

/** A fetch against the fixture's API with a user's bearer token. */
export function client(f: Pick<ApiFixture, 'base' | 'tokens'>, user?: string) {
  return (path: string, init: RequestInit & { json?: unknown } = {}) => {
    const headers = new Headers(init.headers);
    if (user) headers.set('authorization', `Bearer ${f.tokens[user]}`);
    let body = init.body;
    if (init.json !== undefined) {
      headers.set('content-type', 'application/json');
      body = JSON.stringify(init.json);
    }
    return fetch(f.base + path, { ...init, headers, body });
  };
}

export function faxForm(
  fields: Record<string, string>,
  files: Array<{ name: string; data: Uint8Array }>,
): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  for (const f of files) form.append('document', new Blob([f.data]), f.name);
  return form;
}

export async function startApiFixture(overrides: FaxgateConfigInput = {}): Promise<ApiFixture> {
  const testDb: TestDatabase = await createTestDatabase('faxgate_api');
  const db = openDatabase(testDb.url, { poolMax: 8 });
  await migrate(db, auditMigrations);
  const prefix = testRedisPrefix();
  const env = process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {};
  const { config } = validateConfig(
    {
      database: { url: testDb.url },
      redis: { keyPrefix: prefix },
      logging: { level: 'error' },
      api: { port: 0, uploadMaxMegabytes: 1, uploadMaxFiles: 3 },
      routing: {
        numbering: { countryCode: '49', areaCode: '30', localNumberLength: 7, dialLocal: true },
        inbound: { default: 'postoffice' },
      },
      ...overrides,
    },
    env,
  );
  for (const [name, role] of [
    ['admin', 'admin'],
    ['po', 'postoffice'],
    ['op', 'operator'],
    ['audi', 'auditor'],
    ['alice', 'user'],
    ['bob', 'user'],
  ] as const) {
    await users.add(db, { name, roles: [role], password: PASSWORD });
  }
  const aliceOut = await mailboxes.add(db, {
    name: 'alice-out',
    kind: 'outgoing',
    numbers: ['+49301234567'],
  });
  const salesIn = await mailboxes.add(db, { name: 'sales-in', kind: 'incoming', numbers: ['+49303001'] });
  await mailboxes.add(db, { name: 'postoffice', kind: 'incoming' });
  for (const right of ['out.send', 'out.stop', 'out.modify', 'out.delete'] as const) {
    await grants.grant(db, { user: 'alice', mailbox: 'alice-out', right });
  }
  await grants.grant(db, { user: 'bob', mailbox: 'sales-in', right: 'in.read' });

  const queue = openSendQueue(config);
  const documents = createDocumentLoader({ workers: 1, ...documentLoaderOptions(config) });
  const errors: string[] = [];
  const startedAt = new Date();
  let base = '';
  const app = buildApi({
    probes: {},
    status: () => gatewayStatus({ config, configFile: null, startedAt, apiAddress: base }),
    services: {
      db,
      config,
      queue,
      settings: queueSettings(config),
      documents,
      logError: (m) => errors.push(m),
    },
  });
  base = await listenApi(app, '127.0.0.1', 0);
  const tokens: Record<string, string> = {};
  for (const name of ['admin', 'po', 'op', 'audi', 'alice', 'bob']) {
    const r = await fetch(`${base}/api/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: name, password: PASSWORD }),
    });
    if (r.status !== 201) throw new Error(`login ${name}: ${r.status} ${await r.text()}`);
    tokens[name] = ((await r.json()) as { token: string }).token;
  }
  const redis = new Redis(config.redis.url);
  return {
    db,
    config,
    queue,
    base,
    app,
    aliceOut: aliceOut.id,
    salesIn: salesIn.id,
    tokens,
    async close() {
      await app.close();
      await documents.close();
      await queue.close();
      await deleteKeys(redis, prefix).catch(() => {});
      redis.disconnect();
      await db.destroy();
      await testDb.drop();
      if (errors.length) throw new Error(`the API logged internal errors:\n${errors.join('\n')}`);
    },
  };
}

/**
 * The fixture for one test file: started before its tests, closed after them. The value
 * stands for the started fixture (its properties are read when a test runs).
 */
export function useApiFixture(overrides: FaxgateConfigInput = {}): ApiFixture {
  let started: ApiFixture | undefined;
  beforeAll(async () => {
    started = await startApiFixture(overrides);
  }, 60_000);
  afterAll(async () => {
    await started?.close();
  });
  return new Proxy({} as ApiFixture, {
    get(_target, key) {
      if (!started) throw new Error('the API fixture is used outside of a test');
      return started[key as keyof ApiFixture];
    },
  });
}
