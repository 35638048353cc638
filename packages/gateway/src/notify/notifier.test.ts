// Webhook notifications against a real local HTTP server and real PostgreSQL: the audit
// events are written as the pipeline writes them (fax row + event in one transaction).
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { type AuditEventType, appendAuditEvent, auditMigrations, sealAuditTrail } from '@faxgate/audit';
import { faxes, type Knex, mailboxes } from '@faxgate/store';
import { type MigratedTestDb, migratedTestDb, testRedisPrefix } from '@faxgate/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearAlert, raiseAlert } from '../alerts/alerts.js';
import { validateConfig } from '../config/load.js';
import type { FaxgateConfigInput } from '../config/schema.js';
import { startGateway } from '../gateway.js';
import { createGatewayLogger, type Logger } from '../logger.js';
import { waitFor } from '../test-support/pipeline-fixture.js';
import { type Notifier, startNotifier } from './notifier.js';
import type { AlertWebhookPayload, WebhookPayload } from './payload.js';

const SECRET = 'a-webhook-secret-of-at-least-32-characters';

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  raw: string;
  body: WebhookPayload;
}

/** A receiver on 127.0.0.1:0; `answer` picks each response's status. */
async function receiver(answer: (r: Received, n: number) => number = () => 204) {
  const got: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const r: Received = { path: req.url ?? '', headers: req.headers, raw, body: JSON.parse(raw) };
      got.push(r);
      res.statusCode = answer(r, got.length);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    got,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let t: MigratedTestDb;
let db: Knex;
let mailboxId: number;

beforeAll(async () => {
  t = await migratedTestDb({ extra: [...auditMigrations], poolMax: 8 });
  db = t.knex;
  mailboxId = (await mailboxes.add(db, { name: 'alice-out', kind: 'outgoing', numbers: ['+49301234567'] }))
    .id;
}, 30_000);
afterAll(async () => {
  await t?.close();
});

/** A fax and its event, one transaction, as the pipeline records them. */
async function record(type: AuditEventType, details: Record<string, unknown> = {}, state = 'done') {
  const id = await db.transaction(async (trx) => {
    const fax = await faxes.insert(trx, {
      direction: 'out',
      state: state as 'done',
      mailboxId,
      remoteNumber: '+495551000',
      pagesTotal: 2,
      pagesDone: state === 'done' ? 2 : 0,
      subject: 'salary review (confidential)',
      cause: state === 'done' ? 'ok' : 'busy',
    });
    await appendAuditEvent(trx, {
      type,
      actor: 'test',
      subject: `fax:${fax.id}`,
      faxId: fax.id,
      mailboxId,
      details,
    });
    return fax.id;
  });
  await sealAuditTrail(db); // commits never seal (audit 0104): the daemon's sealer does, here the test
  return id;
}

function notifier(
  webhooks: NonNullable<FaxgateConfigInput['notifications']>['webhooks'],
  retry: { initialDelaySeconds?: number; maxDelaySeconds?: number; maxAttempts?: number } = {},
): Notifier {
  const { config } = validateConfig(
    {
      logging: { level: 'error' },
      notifications: {
        webhooks,
        pollIntervalSeconds: 0.05,
        retry: { initialDelaySeconds: 0.05, maxDelaySeconds: 0.2, ...retry },
      },
    },
    {},
  );
  return startNotifier({
    config,
    db,
    log: log as unknown as Logger,
    actor: 'gateway:test',
  });
}

/** What the notifier logs (the delivery outcome is part of what it must do). */
const logged: string[] = [];
const line = (level: string) => (m: string) => logged.push(`${level} ${m}`);
const log = {
  error: line('error'),
  warn: line('warn'),
  info: line('info'),
  http: line('http'),
  debug: line('debug'),
};

const cursorOf = async (name: string) => db('notification_cursors').where({ name }).first();
const eventsOf = (r: { got: Received[] }) => r.got.map((g) => `${g.body.event}:${g.body.fax.id}`);

describe('webhook notifications', () => {
  it('delivers a sent fax: metadata only, signed so the receiver can verify the body', async () => {
    const rx = await receiver();
    const n = notifier([{ name: 'crm', url: `${rx.url}/hook`, events: ['fax.sent'], secret: SECRET }]);
    try {
      await waitFor('cursor', () => cursorOf('crm'));
      const faxId = await record('send.done');
      await waitFor('delivery', async () => rx.got.length === 1);
      const [r] = rx.got;
      expect(r.path).toBe('/hook');
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.headers['x-faxgate-event']).toBe('fax.sent');
      const expected = `sha256=${createHmac('sha256', SECRET).update(r.raw).digest('hex')}`;
      expect(r.headers['x-faxgate-signature']).toBe(expected);
      const wrong = `sha256=${createHmac('sha256', `${SECRET}x`).update(r.raw).digest('hex')}`;
      expect(r.headers['x-faxgate-signature']).not.toBe(wrong);
      const ev = await db('audit_events').where({ fax_id: faxId, type: 'send.done' }).first();
      expect(r.body).toMatchObject({
        id: ev.hash,
        event: 'fax.sent',
        auditSeq: Number(ev.seq),
        at: new Date(ev.time).toISOString(),
        fax: {
          id: faxId,
          direction: 'out',
          state: 'done',
          mailbox: 'alice-out',
          remoteNumber: '+495551000',
          pages: 2,
          pagesTotal: 2,
          cause: 'ok',
        },
      });
      expect(r.headers['x-faxgate-delivery']).toBe(ev.hash);
      expect(r.raw).not.toContain('salary'); // the subject line is not metadata we send
      expect(r.raw).not.toMatch(/tiff|page_data|base64/i);
      // the cursor moves once the receiver has answered
      await waitFor('cursor moved', async () => Number((await cursorOf('crm')).seq) === Number(ev.seq));
      // the delivery line may be written just after the cursor moved: wait for it, not assume it
      const line = new RegExp(
        `^info webhook crm: fax\\.sent of fax ${faxId} \\(audit ${ev.seq}\\) delivered: HTTP 204 in \\d+ ms$`,
      );
      await waitFor('delivery logged', async () => logged.some((l) => line.test(l)));
    } finally {
      await n.stop();
      await rx.close();
    }
  });

  it('sends only the events a webhook asked for, in the order they were recorded', async () => {
    const rx = await receiver();
    const n = notifier([{ name: 'failures', url: rx.url, events: ['fax.failed', 'fax.outcome-unknown'] }]);
    try {
      await waitFor('cursor', () => cursorOf('failures'));
      await record('send.done');
      const dead = await record('job.dead', { code: 'busy' }, 'failed');
      await record('job.sleep', { retryClass: 'busy' }, 'sleeping');
      await record('job.suspend', { cause: 'held' }, 'suspended');
      const unknown = await record('job.suspend', { cause: 'outcome-unknown' }, 'suspended');
      const killed = await record('job.kill', {}, 'failed');
      await waitFor('three deliveries', async () => rx.got.length >= 3);
      await new Promise((r) => setTimeout(r, 200)); // and nothing more arrives
      expect(eventsOf(rx)).toEqual([
        `fax.failed:${dead}`,
        `fax.outcome-unknown:${unknown}`,
        `fax.failed:${killed}`,
      ]);
      expect(rx.got[0].headers['x-faxgate-signature']).toBeUndefined(); // no secret, no signature
    } finally {
      await n.stop();
      await rx.close();
    }
  });

  it('retries after HTTP 500 with the same id, keeps the order, and a failing receiver does not hold up another', async () => {
    const flaky = await receiver((_r, n) => (n <= 2 ? 500 : 200));
    const down = await receiver(() => 503);
    const fine = await receiver();
    const n = notifier(
      [
        { name: 'flaky', url: flaky.url, events: ['fax.sent'] },
        { name: 'down', url: down.url, events: ['fax.sent'] },
        { name: 'fine', url: fine.url, events: ['fax.sent'] },
      ],
      { maxAttempts: 1000, initialDelaySeconds: 0.1, maxDelaySeconds: 5 },
    );
    try {
      await waitFor('cursors', async () => {
        const rows = await db('notification_cursors').whereIn('name', ['flaky', 'down', 'fine']);
        return rows.length === 3;
      });
      const a = await record('send.done');
      const b = await record('send.done');
      await waitFor('fine gets both', async () => fine.got.length === 2);
      await waitFor('flaky gets both', async () => flaky.got.length === 4);
      // 500, 500, then delivered; b only after a
      expect(eventsOf(flaky)).toEqual([`fax.sent:${a}`, `fax.sent:${a}`, `fax.sent:${a}`, `fax.sent:${b}`]);
      expect(new Set(flaky.got.slice(0, 3).map((g) => g.body.id)).size).toBe(1);
      expect(eventsOf(fine)).toEqual([`fax.sent:${a}`, `fax.sent:${b}`]);
      // the receiver that is down keeps getting the first event only, and its state says why
      expect(new Set(eventsOf(down))).toEqual(new Set([`fax.sent:${a}`]));
      const c = await cursorOf('down');
      expect(c.attempts).toBeGreaterThan(0);
      expect(c.last_error).toBe('HTTP 503');
      expect(logged).toContainEqual(
        expect.stringMatching(
          new RegExp(
            `^warn webhook flaky: fax\\.sent of fax ${a} .* failed \\(attempt 1 of 1000\\): HTTP 500; next in 100 ms$`,
          ),
        ),
      );
    } finally {
      await n.stop();
      await Promise.all([flaky.close(), down.close(), fine.close()]);
    }
  });

  it('resumes after a restart from its cursor: events recorded while stopped arrive, none twice', async () => {
    const rx = await receiver();
    const hooks = [{ name: 'resume', url: rx.url, events: ['fax.sent' as const] }];
    let n = notifier(hooks);
    try {
      await waitFor('cursor', () => cursorOf('resume'));
      const first = await record('send.done');
      await waitFor('first', async () => rx.got.length === 1);
      // stopped once the first is on record as delivered (a stop before that repeats it: at least once)
      const seq = Number((await db('audit_events').where({ fax_id: first }).first()).seq);
      await waitFor('cursor moved', async () => Number((await cursorOf('resume')).seq) === seq);
      await n.stop();
      const whileDown = [await record('send.done'), await record('send.done')];
      await new Promise((r) => setTimeout(r, 150));
      expect(rx.got).toHaveLength(1);
      n = notifier(hooks);
      await waitFor('the two missed', async () => rx.got.length === 3);
      await new Promise((r) => setTimeout(r, 200));
      expect(eventsOf(rx)).toEqual([first, ...whileDown].map((id) => `fax.sent:${id}`));
    } finally {
      await n.stop();
      await rx.close();
    }
  });

  it('a receiver that is down while the gateway restarts still gets every event afterwards', async () => {
    let status = 500;
    const rx = await receiver(() => status);
    const hooks = [{ name: 'outage', url: rx.url, events: ['fax.sent' as const] }];
    let n = notifier(hooks, { maxAttempts: 1000 });
    try {
      await waitFor('cursor', () => cursorOf('outage'));
      const ids = [await record('send.done'), await record('send.done')];
      await waitFor('a failed attempt', async () => rx.got.length >= 1);
      await n.stop();
      status = 200;
      n = notifier(hooks, { maxAttempts: 1000 });
      await waitFor(
        'both delivered',
        async () => rx.got.filter((g) => g.body.fax.id === ids[1]).length === 1,
      );
      const delivered = rx.got.slice(-2).map((g) => g.body.fax.id);
      expect(delivered).toEqual(ids);
      expect((await cursorOf('outage')).attempts).toBe(0);
    } finally {
      await n.stop();
      await rx.close();
    }
  });

  it('gives up after maxAttempts on record (fax.notify) and goes on with the next event', async () => {
    const rx = await receiver((r) => (r.body.fax.id === bad ? 500 : 200));
    let bad = -1;
    const n = notifier([{ name: 'bounded', url: rx.url, events: ['fax.sent'] }], { maxAttempts: 3 });
    try {
      await waitFor('cursor', () => cursorOf('bounded'));
      bad = await record('send.done');
      const good = await record('send.done');
      await waitFor('the next event', async () => rx.got.some((g) => g.body.fax.id === good));
      expect(rx.got.filter((g) => g.body.fax.id === bad)).toHaveLength(3);
      const notice = await db('audit_events').where({ type: 'fax.notify', fax_id: bad }).first();
      expect(notice.details).toMatchObject({
        webhook: 'bounded',
        event: 'fax.sent',
        outcome: 'given-up',
        attempts: 3,
        error: 'HTTP 500',
      });
      expect(JSON.stringify(notice.details)).not.toContain(rx.url); // URLs may carry tokens
      expect(logged).toContainEqual(
        expect.stringMatching(
          new RegExp(
            `^error webhook bounded: fax\\.sent of fax ${bad} .* given up after 3 attempts: HTTP 500$`,
          ),
        ),
      );
    } finally {
      await n.stop();
      await rx.close();
    }
  });

  it('a new webhook starts at the end of the trail; two processes deliver each event once', async () => {
    await record('send.done'); // history before the webhook existed
    const rx = await receiver();
    const hooks = [{ name: 'shared', url: rx.url, events: ['fax.sent' as const] }];
    const a = notifier(hooks);
    const b = notifier(hooks);
    try {
      await waitFor('cursor', () => cursorOf('shared'));
      await new Promise((r) => setTimeout(r, 150));
      expect(rx.got).toHaveLength(0);
      const ids = [await record('send.done'), await record('send.done'), await record('send.done')];
      await waitFor('three', async () => rx.got.length >= 3);
      await new Promise((r) => setTimeout(r, 300));
      expect(eventsOf(rx)).toEqual(ids.map((id) => `fax.sent:${id}`));
    } finally {
      await Promise.all([a.stop(), b.stop()]);
      await rx.close();
    }
  });
});

describe('the daemon', () => {
  it('runs the notifier when webhooks are configured and stops it on stop', async () => {
    const rx = await receiver();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-notify-'));
    const file = path.join(dir, 'faxgate.yaml');
    fs.writeFileSync(
      file,
      [
        'api:\n  port: 0',
        'database:\n  allowPrivileged: true',
        `paths: { spool: ${dir}/spool, tmp: ${dir}/tmp }`,
        `audit: { checkpointDir: ${dir}/checkpoints, checkpointKeyFile: ${dir}/key/audit-checkpoint.key }`,
        'logging:\n  level: error',
        `redis:\n  keyPrefix: "${testRedisPrefix()}"`,
        'notifications:',
        '  pollIntervalSeconds: 0.05',
        '  webhooks:',
        `    - { name: daemon, url: "${rx.url}", events: [fax.sent], secret: "${SECRET}" }`,
        '',
      ].join('\n'),
    );
    const env: NodeJS.ProcessEnv = { FAXGATE_DATABASE_URL: t.db.url };
    if (process.env.REDIS_URL) env.REDIS_URL = process.env.REDIS_URL;
    const gateway = await startGateway({
      path: file,
      env,
      logger: createGatewayLogger(validateConfig({ logging: { level: 'error' } }, {}).config),
    });
    try {
      const recorded = await db('config_versions').where({ version: gateway.configVersion.version }).first();
      expect(recorded.content).toContain('<redacted>');
      expect(recorded.content).not.toContain(SECRET);
      await waitFor('cursor', () => cursorOf('daemon'));
      const id = await record('send.done');
      await waitFor('delivery', async () => rx.got.length === 1);
      expect(rx.got[0].body.fax.id).toBe(id);
    } finally {
      await gateway.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const lease = await cursorOf('daemon');
    expect(lease.lease_owner).toBeNull(); // released on stop
    await record('send.done');
    await new Promise((r) => setTimeout(r, 200));
    expect(rx.got).toHaveLength(1);
    await rx.close();
  });
});

describe('alert notifications', () => {
  it('delivers alert.raised and alert.cleared with the alert, no fax', async () => {
    const rx = await receiver();
    const n = notifier([{ name: 'ops', url: rx.url, events: ['alert.raised', 'alert.cleared'] }]);
    try {
      await waitFor('cursor', () => cursorOf('ops'));
      await record('send.done'); // a fax outcome this webhook did not ask for
      const alert = {
        key: 'disk.spool',
        severity: 'critical' as const,
        source: 'disk-guard',
        summary: 'spool: 1 % free',
      };
      await raiseAlert(db, alert, { actor: 'gateway:test' });
      await clearAlert(db, 'disk.spool', 'spool: 30 % free', { actor: 'gateway:test' });
      await sealAuditTrail(db);
      await waitFor('two deliveries', async () => rx.got.length >= 2);
      const bodies = rx.got.map((g) => g.body as unknown as AlertWebhookPayload);
      expect(bodies.map((b) => [b.event, b.alert])).toEqual([
        ['alert.raised', alert],
        ['alert.cleared', { ...alert, summary: 'spool: 30 % free' }],
      ]);
      expect(rx.got[0].raw).not.toContain('"fax"');
      expect(rx.got[0].headers['x-faxgate-event']).toBe('alert.raised');
      await waitFor('logged', async () =>
        logged.some((l) =>
          /^info webhook ops: alert\.cleared of alert disk\.spool \(audit \d+\) delivered/.test(l),
        ),
      );
    } finally {
      await n.stop();
      await rx.close();
    }
  });
});
