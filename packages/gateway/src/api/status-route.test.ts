// GET /status is behind login and shows each caller only what their rights allow: the
// summary to everyone, the lines with line.read, the database and Redis URLs, the API
// address and the configuration file with config.read. ?view=full without config.read is
// refused and recorded (access.denied).
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DocumentLoader } from '../documents/load-pages.js';
import { queueSettings } from '../pipeline/settings.js';
import { gatewayStatus } from '../status.js';
import { useApiFixture } from '../test-support/api-fixture.js';
import { buildApi, listenApi } from './server.js';

const f = useApiFixture({ lines: { controllers: [1, 2] } });
let app: FastifyInstance;
let base = '';
const CONFIG_FILE = '/etc/faxgate/faxgate-status-test.yaml';

beforeAll(async () => {
  const startedAt = new Date(Date.now() - 5000);
  app = buildApi({
    probes: {},
    status: () => gatewayStatus({ config: f.config, configFile: CONFIG_FILE, startedAt, apiAddress: base }),
    services: {
      db: f.db,
      config: f.config,
      settings: queueSettings(f.config),
      documents: {} as DocumentLoader, // /status reads no documents
      logError: (m) => {
        throw new Error(m);
      },
    },
  });
  base = await listenApi(app, '127.0.0.1', 0);
});
afterAll(async () => {
  await app?.close();
});

const get = (path: string, user?: string) =>
  fetch(base + path, { headers: user ? { authorization: `Bearer ${f.tokens[user]}` } : {} });

// mode: 'pilot' until the node is released, else 'production' (pilot/state.ts)
const SUMMARY_KEYS = ['lockdown', 'mode', 'name', 'notBuiltYet', 'startedAt', 'uptimeSeconds', 'version'];

/** The parts of GET /status the tests look into. */
type StatusBody = Record<string, unknown> & {
  uptimeSeconds: number;
  lines: unknown;
  database: { url: string };
  redis: { keyPrefix: string };
};

describe('GET /status', () => {
  it('refuses a caller without login, and says nothing about the database or paths', async () => {
    const r = await get('/status');
    expect(r.status).toBe(401);
    const text = await r.text();
    expect(text).not.toContain('postgres');
    expect(text).not.toContain(CONFIG_FILE);
    expect(JSON.parse(text).error.code).toBe('unauthenticated');
  });

  it('shows a plain user the summary only', async () => {
    const r = await get('/status', 'alice');
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    const s = (await r.json()) as StatusBody;
    expect(Object.keys(s).sort()).toEqual(SUMMARY_KEYS);
    expect(s).toMatchObject({ name: 'faxgate', lockdown: { mode: 'send-receive' } });
    expect(s.uptimeSeconds).toBeGreaterThanOrEqual(5);
  });

  it('shows an operator (line.read) the lines too, but no database, Redis or file', async () => {
    const s = (await (await get('/status', 'op')).json()) as StatusBody;
    expect(Object.keys(s).sort()).toEqual([...SUMMARY_KEYS, 'lines'].sort());
    expect(s.lines).toMatchObject({ transport: 'rcapi', controllers: [1, 2] });
    expect(JSON.stringify(s)).not.toContain('postgres');
  });

  it.each(['admin', 'audi'])('shows %s (config.read) everything, the database URL redacted', async (user) => {
    const s = (await (await get('/status?view=full', user)).json()) as StatusBody;
    expect(s).toMatchObject({ configFile: CONFIG_FILE, api: { address: base } });
    expect(s.database.url).toMatch(/^postgres/);
    expect(s.redis.keyPrefix).toBe(f.config.redis.keyPrefix);
  });

  it('refuses ?view=full without config.read and records access.denied', async () => {
    const before = await f.db('audit_events').where({ type: 'access.denied', actor: 'op' }).count({ n: '*' });
    const r = await get('/status?view=full', 'op');
    expect(r.status).toBe(403);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('forbidden');
    const denied = await f
      .db('audit_events')
      .where({ type: 'access.denied', actor: 'op' })
      .orderBy('id', 'desc')
      .first();
    expect(Number(before[0].n)).toBe(0);
    expect(denied.subject).toBe('read the full gateway status');
    expect(denied.details).toMatchObject({ permission: 'config.read', via: 'api' });
  });

  it('refuses an unknown view with 400', async () => {
    expect((await get('/status?view=everything', 'admin')).status).toBe(400);
  });
});
