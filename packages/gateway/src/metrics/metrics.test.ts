// GET /metrics of the running daemon (real PostgreSQL, Redis under its own prefix, capi-sim
// over rcapi): anonymous callers get 401, a user without line.read 403 with access.denied on
// record; a fax submitted over the API and sent through the simulator moves the counters; and
// the exposition passes `promtool check metrics` (Debian's prometheus package).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Simulator, startSimulator } from '@faxgate/capi-sim';
import { grants, mailboxes, openDatabase, users } from '@faxgate/store';
import { createTestDatabase, type TestDatabase, testRedisPrefix } from '@faxgate/store/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearAlert, raiseAlert } from '../alerts/alerts.js';
import type { RunningGateway } from '../gateway.js';
import { testTiff } from '../test-support/api-fixture.js';
import { deleteKeys, waitFor, waitTerminal } from '../test-support/pipeline-fixture.js';
import { startTestDaemon, writeTestDaemonConfig } from '../test-support/test-daemon.js';

const PASSWORD = 'correct horse battery';
let sim: Simulator;
let testDb: TestDatabase;
let gateway: RunningGateway;
let dir: string;
let db: ReturnType<typeof openDatabase>;
const tokens: Record<string, string> = {};
const prefix = testRedisPrefix();

beforeAll(async () => {
  sim = await startSimulator({ timeFactor: 0 });
  testDb = await createTestDatabase('faxgate_metrics');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-metrics-'));
  const file = writeTestDaemonConfig(dir, {
    prefix: prefix,
    simPort: sim.port,
    controllers: [1, 2],
    receiveReserve: 1,
    sections: [
      'routing:\n  numbering: { countryCode: "49", areaCode: "30", localNumberLength: 7, dialLocal: true }\n  inbound: { default: postoffice }',
    ],
  });
  gateway = await startTestDaemon(file, testDb.url);
  db = openDatabase(testDb.url, { poolMax: 2 });
  for (const [name, role] of [
    ['op', 'operator'],
    ['bob', 'user'],
  ] as const) {
    await users.add(db, { name, roles: [role], password: PASSWORD });
    const r = await fetch(`${gateway.address}/api/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: name, password: PASSWORD }),
    });
    tokens[name] = ((await r.json()) as { token: string }).token;
  }
  await mailboxes.add(db, { name: 'bob-out', kind: 'outgoing' });
  await mailboxes.add(db, { name: 'postoffice', kind: 'incoming' });
  await grants.grant(db, { user: 'bob', mailbox: 'bob-out', right: 'out.send' });
}, 60_000);

afterAll(async () => {
  await db?.destroy();
  await gateway?.stop();
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  await deleteKeys(redis, prefix).finally(() => redis.disconnect());
  await testDb?.drop();
  await sim?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const scrape = (user?: string) =>
  fetch(`${gateway.address}/metrics`, {
    headers: user ? { authorization: `Bearer ${tokens[user]}` } : {},
  });

/** The value of one sample (`name{labels}`), or undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /metrics', () => {
  it('is refused to anonymous callers (401) and to a user without line.read (403, access.denied)', async () => {
    const anonymous = await scrape();
    expect(anonymous.status).toBe(401);
    expect(await anonymous.text()).not.toContain('faxgate_');
    const bob = await scrape('bob');
    expect(bob.status).toBe(403);
    const last = await db('audit_events').orderBy('id', 'desc').first('type', 'actor', 'subject', 'details');
    expect(last).toMatchObject({
      type: 'access.denied',
      actor: 'bob',
      subject: 'read the metrics',
      details: { permission: 'line.read', via: 'api' },
    });
  });

  it('counts a fax sent through the simulator: calls, outcome, pages, B channel, render time', async () => {
    const before = await (await scrape('op')).text();
    expect(sample(before, 'faxgate_pages_total{direction="out"}')).toBe(0);
    expect(sample(before, 'faxgate_line_up{controller="1"}')).toBe(1);
    expect(sample(before, 'faxgate_metrics_database_up')).toBe(1);
    expect(sample(before, 'faxgate_disk_free_bytes{path="spool"}')).toBeGreaterThan(0);

    const form = new FormData();
    form.set('number', '5551000');
    form.set('document', new Blob([testTiff(2)], { type: 'image/tiff' }), 'two.tif');
    const r = await fetch(`${gateway.address}/api/v1/faxes`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.bob}` },
      body: form,
    });
    expect(r.status).toBe(201);
    const { id } = ((await r.json()) as { fax: { id: number } }).fax;
    expect(await waitTerminal(db, id)).toMatchObject({ state: 'done', pagesDone: 2 });

    // The PostgreSQL-derived values are cached for 5 s: wait for a scrape that sees the call.
    const after = await waitFor('the call in /metrics', async () => {
      const t = await (await scrape('op')).text();
      return sample(t, 'faxgate_pages_total{direction="out"}') === 2 ? t : undefined;
    });
    expect(sample(after, 'faxgate_call_outcomes_total{direction="out",cause="ok"}')).toBe(1);
    const perController = [1, 2].map(
      (c) => sample(after, `faxgate_calls_total{direction="out",controller="${c}"}`) ?? 0,
    );
    expect(perController[0] + perController[1]).toBe(1);
    const channelCalls = after
      .split('\n')
      .filter((l) => l.startsWith('faxgate_channel_calls_total{') && l.includes('direction="out"'))
      .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
    expect(channelCalls).toBe(1);
    expect(sample(after, 'faxgate_render_seconds_count{outcome="ok"}')).toBe(1);
    expect(sample(after, 'faxgate_queue_faxes{direction="out",state="pending"}')).toBe(0);
  }, 60_000);

  it('shows open alerts: review overdue, checks failing, by source and severity', async () => {
    const actor = { actor: 'test' };
    await raiseAlert(
      db,
      { key: 'review.overdue', severity: 'warning', source: 'log-review', summary: 'due' },
      actor,
    );
    await raiseAlert(
      db,
      { key: 'check.redis', severity: 'critical', source: 'health-checks', summary: 'down' },
      actor,
    );
    const t = await waitFor('the alerts in /metrics', async () => {
      const text = await (await scrape('op')).text();
      return sample(text, 'faxgate_checks_failing') === 1 ? text : undefined;
    });
    expect(sample(t, 'faxgate_review_overdue')).toBe(1);
    expect(sample(t, 'faxgate_alerts_open{source="health-checks",severity="critical"}')).toBe(1);
    await clearAlert(db, 'review.overdue', 'reviewed', actor);
    await clearAlert(db, 'check.redis', 'up', actor);
    await waitFor('the alerts cleared in /metrics', async () => {
      const text = await (await scrape('op')).text();
      return sample(text, 'faxgate_checks_failing') === 0 && sample(text, 'faxgate_review_overdue') === 0;
    });
  }, 30_000);

  it('passes promtool check metrics', async () => {
    const text = await (await scrape('op')).text();
    // promtool prints lint problems and exits 1 (execFileSync throws with its output).
    const out = execFileSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(out).toBe('');
  });
});

describe('infra/prometheus/faxgate-rules.yml', () => {
  const rules = fileURLToPath(new URL('../../../../infra/prometheus/faxgate-rules.yml', import.meta.url));

  it('passes promtool check rules', () => {
    const out = execFileSync('promtool', ['check', 'rules', rules], { encoding: 'utf8' });
    expect(out).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('names only metrics the gateway exports', async () => {
    const text = await (await scrape('op')).text();
    const exported = new Set(
      [...text.matchAll(/^# TYPE (\S+) (\S+)/gm)].flatMap(([, name, type]) =>
        type === 'histogram' ? [`${name}_bucket`, `${name}_count`, `${name}_sum`] : [name],
      ),
    );
    const named = new Set(fs.readFileSync(rules, 'utf8').match(/\bfaxgate_[a-z_]+/g));
    expect(named.size).toBeGreaterThan(5);
    expect([...named].filter((n) => !exported.has(n))).toEqual([]);
  });
});
