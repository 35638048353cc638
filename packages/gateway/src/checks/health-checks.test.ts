// Health checks over the real API and CLI: real PostgreSQL, Redis, capi-sim lines (a stopped
// simulator fails the line check) and real HTTP webhook receivers. Wrong roles are refused
// and the refusal is audited.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { type Simulator, startSimulator } from '@faxgate/capi-sim';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAlerts } from '../alerts/alerts.js';
import { buildApi, listenApi } from '../api/server.js';
import { validateConfig } from '../config/load.js';
import type { FaxgateConfig } from '../config/schema.js';
import { createDocumentLoader } from '../documents/load-pages.js';
import { queueSettings } from '../pipeline/settings.js';
import { useApiFixture } from '../test-support/api-fixture.js';
import { runFaxgate } from '../testing/run-cli.js';
import { type GatewayChecksOptions, gatewayHealthChecks, runGatewayChecks } from './gateway-checks.js';
import { type CheckResult, checkHistory } from './runner.js';

const f = useApiFixture();
let sim: Simulator;
let redis: Redis;
let app: FastifyInstance;
let base = '';
let config: FaxgateConfig;
let checks: GatewayChecksOptions;
let hookStatus = 204;
let hook: http.Server;
let home: string;
const documents = createDocumentLoader({ workers: 1 });

beforeAll(async () => {
  sim = await startSimulator({ timeFactor: 0 });
  hook = http.createServer((_req, res) => {
    res.statusCode = hookStatus;
    res.end();
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/faxgate`;
  // a port nothing listens on: the closed one of a server started and stopped
  const gone = http.createServer();
  await new Promise<void>((r) => gone.listen(0, '127.0.0.1', r));
  const goneUrl = `http://127.0.0.1:${(gone.address() as AddressInfo).port}/hook`;
  await new Promise<void>((r) => gone.close(() => r()));
  config = validateConfig(
    {
      ...f.config,
      lines: { transport: 'rcapi', port: sim.port, controllers: [1] },
      notifications: {
        webhooks: [
          { name: 'crm', url: hookUrl, events: ['fax.sent'] },
          { name: 'Gone', url: goneUrl, events: ['alert.raised'] },
        ],
      },
      checks: { timeoutSeconds: 5 },
    } as never,
    {},
  ).config;
  redis = new Redis(config.redis.url, { lazyConnect: true });
  await redis.connect();
  checks = { config: () => config, db: f.db, redis, actor: 'gateway:test' };
  app = buildApi({
    probes: {},
    status: () => ({}) as never,
    services: {
      db: f.db,
      config,
      settings: queueSettings(config),
      documents,
      runHealthChecks: () => runGatewayChecks(checks),
      logError: (m) => {
        throw new Error(m);
      },
    },
  });
  base = await listenApi(app, '127.0.0.1', 0);
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-health-'));
  fs.writeFileSync(path.join(home, 'faxgate.yaml'), 'logging:\n  level: warn\n');
}, 60_000);
afterAll(async () => {
  await app?.close();
  await documents.close();
  redis?.disconnect();
  await new Promise<void>((r) => (hook ? hook.close(() => r()) : r()));
  await sim?.close();
  if (home) fs.rmSync(home, { recursive: true, force: true });
});

const api = (user: string, p: string, method = 'GET') =>
  fetch(base + p, { method, headers: { authorization: `Bearer ${f.tokens[user]}` } });

const lastEvent = () => f.db('audit_events').orderBy('id', 'desc').first('type', 'actor', 'details');

const cli = (user: string, args: string[]) =>
  runFaxgate(args, {
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    FAXGATE_CONFIG: path.join(home, 'faxgate.yaml'),
    FAXGATE_API_URL: base,
    FAXGATE_TOKEN: f.tokens[user],
  });

const byName = (rs: CheckResult[]) => Object.fromEntries(rs.map((r) => [r.name, r]));

describe('health checks', () => {
  it('has a check per line, PostgreSQL, Redis and each webhook (no mail until it exists)', () => {
    expect(gatewayHealthChecks(checks).map((c) => c.name)).toEqual([
      'postgresql',
      'redis',
      'line:1',
      'webhook:crm',
      'webhook:gone',
    ]);
  });

  it('refuses roles without line.read / line.manage with 403, on record', async () => {
    for (const [user, p, method] of [
      ['alice', '/api/v1/health/checks', 'GET'],
      ['bob', '/api/v1/health/checks/history', 'GET'],
      ['alice', '/api/v1/health/disk', 'GET'],
      ['audi', '/api/v1/health/checks/run', 'POST'],
      ['alice', '/api/v1/health/checks/run', 'POST'],
    ] as const) {
      const r = await api(user, p, method);
      expect(r.status, `${user} ${method} ${p}`).toBe(403);
      expect(await lastEvent()).toMatchObject({ type: 'access.denied', actor: user });
    }
    const r = await cli('alice', ['health']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/alice may not read the health checks/);
    expect(await lastEvent()).toMatchObject({ type: 'access.denied', actor: 'alice' });
  });

  it('runs them: results with durations kept as history, a failing one alerted, exit 1', async () => {
    const r = await api('op', '/api/v1/health/checks/run', 'POST');
    expect(r.status).toBe(200);
    const body = (await r.json()) as { ok: boolean; checks: CheckResult[] };
    expect(body.ok).toBe(false);
    const got = byName(body.checks);
    expect(got.postgresql).toMatchObject({ ok: true, detail: expect.stringMatching(/^PostgreSQL \d+/) });
    expect(got.redis).toMatchObject({ ok: true, detail: 'PING answered PONG' });
    expect(got['line:1']).toMatchObject({ ok: true, detail: 'controller 1: profile read, 2 B channels' });
    expect(got['webhook:crm']).toMatchObject({ ok: true, detail: expect.stringMatching(/: HTTP 204$/) });
    expect(got['webhook:gone']).toMatchObject({ ok: false, detail: expect.stringMatching(/ECONNREFUSED/) });
    for (const c of body.checks) expect(c.durationMs).toBeGreaterThanOrEqual(0);
    expect((await openAlerts(f.db, 'check.')).map((a) => [a.key, a.severity, a.source])).toEqual([
      ['check.webhook:gone', 'critical', 'health-checks'],
    ]);
    // the auditor reads them, with history
    const latest = (await (await api('audi', '/api/v1/health/checks')).json()) as {
      ok: boolean;
      checks: CheckResult[];
    };
    expect(latest.checks.map((c) => `${c.name} ${c.ok}`)).toEqual([
      'line:1 true',
      'postgresql true',
      'redis true',
      'webhook:crm true',
      'webhook:gone false',
    ]);
    const h = await api('audi', '/api/v1/health/checks/history?name=redis&limit=5');
    expect(((await h.json()) as { checks: CheckResult[] }).checks).toHaveLength(1);
    // the CLI: exit 1 and the failing one named
    const c = await cli('audi', ['health']);
    expect(c.code).toBe(1);
    expect(c.stdout).toMatch(/^FAIL {2}webhook:gone +\d+ ms/m);
    expect(c.stdout).toMatch(/^ok {4}line:1 /m);
    expect(c.stderr).toMatch(/1 check\(s\) failing: webhook:gone/);
    const j = await cli('audi', ['health', '--json']);
    expect(j.code).toBe(1);
    expect(JSON.parse(j.stdout).checks).toHaveLength(5);
  });

  it('a receiver failing and back: alert raised, then cleared', async () => {
    hookStatus = 503;
    let rs = byName(await runGatewayChecks(checks));
    expect(rs['webhook:crm']).toMatchObject({ ok: false, detail: expect.stringMatching(/HTTP 503$/) });
    expect((await openAlerts(f.db, 'check.webhook:crm')).length).toBe(1);
    hookStatus = 405; // a receiver that refuses HEAD is there: reachable
    rs = byName(await runGatewayChecks(checks));
    expect(rs['webhook:crm'].ok).toBe(true);
    expect(await openAlerts(f.db, 'check.webhook:crm')).toEqual([]);
    const events = await f
      .db('audit_events')
      .whereIn('type', ['alert.raised', 'alert.cleared'])
      .andWhere('subject', 'alert:check.webhook:crm')
      .orderBy('id')
      .select('type', 'details');
    expect(events.map((e) => e.type)).toEqual(['alert.raised', 'alert.cleared']);
    expect(events[1].details.summary).toMatch(/^webhook:crm passes again: .*HTTP 405$/);
  });

  it('keeps history checks.historyDays days: older rows are deleted by the next run', async () => {
    const row = (days: number) => ({
      run_at: f.db.raw(`now() - make_interval(days => ${days})`),
      name: 'redis',
      ok: true,
      duration_ms: 1,
      detail: `${days} days old`,
      node: 'old-node',
    });
    await f.db('health_checks').insert([row(31), row(29)]);
    await runGatewayChecks(checks);
    const left = await f.db('health_checks').where({ node: 'old-node' }).pluck('detail');
    expect(left).toEqual(['29 days old']);
  });

  it('a stopped simulator fails the line check; the CLI runs them with --run', async () => {
    await sim.close();
    const c = await cli('op', ['health', '--run', '--json']);
    expect(c.code).toBe(1);
    const line = byName(JSON.parse(c.stdout).checks)['line:1'];
    expect(line.ok).toBe(false);
    expect(line.detail.length).toBeGreaterThan(0);
    expect((await openAlerts(f.db, 'check.line')).map((a) => a.key)).toEqual(['check.line:1']);
    // newest first: this failure, then the four runs before, when the line answered
    expect((await checkHistory(f.db, { name: 'line:1', limit: 10 })).map((r) => r.ok)).toEqual([
      false,
      true,
      true,
      true,
      true,
    ]);
  });
});
