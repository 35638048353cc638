// Clean shutdown of a real daemon process (main-job.ts with $FAXGATE_CONFIG): SIGINT while an
// 8-page fax is in a call to the simulator. The call may finish within
// shutdown.callGraceSeconds, or it is cut and the fax requeued with the pages the remote
// confirmed — never left running, never outcome-unknown; system.stop recorded; exit 0; the
// process's temporary files gone. A second start sends only the pages not yet confirmed.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { auditMigrations } from '@faxgate/audit';
import { type Simulator, startSimulator } from '@faxgate/capi-sim';
import { createRouter } from '@faxgate/router';
import { faxes, grants, type Knex, mailboxes, migrate, openDatabase, users } from '@faxgate/store';
import { createTestDatabase, type TestDatabase, testRedisPrefix } from '@faxgate/store/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from './config/load.js';
import { openSendQueue, type SendQueue } from './pipeline/queue.js';
import { queueSettings } from './pipeline/settings.js';
import { submitFax } from './pipeline/submit.js';
import { GATEWAY_STOPPED, OUTCOME_UNKNOWN } from './pipeline/transitions.js';
import { deleteKeys, testPage, waitFor } from './test-support/pipeline-fixture.js';

const entry = path.join(path.dirname(fileURLToPath(import.meta.url)), 'main-job.ts');
const GRACE_SECONDS = 1;
const PAGES = 8;

let testDb: TestDatabase;
let db: Knex;
let sim: Simulator;
let dir: string;
let prefix: string;
let queue: SendQueue;
/** Daemons this test started: killed at the end if a failed assertion left one running. */
const children: ReturnType<typeof spawn>[] = [];

function configYaml(grace: number, mode = 'outgoing-only'): string {
  return [
    'database:\n  allowPrivileged: true',
    `paths: { spool: ${dir}/spool, tmp: ${dir}/tmp }`,
    `audit: { checkpointDir: ${dir}/checkpoints, checkpointKeyFile: ${dir}/key/audit-checkpoint.key }`,
    'api:\n  port: 0',
    'logging:\n  level: info\n  format: text',
    `redis:\n  keyPrefix: ${prefix}`,
    `lines: { transport: rcapi, host: 127.0.0.1, port: ${sim.port}, controllers: [1] }`,
    `lockdown:\n  mode: ${mode}`,
    'queue: { enabled: true, timeScale: 0.001, stationId: "+49 30 1234567", killTimeMinutes: 525600 }',
    `shutdown:\n  callGraceSeconds: ${grace}`,
    'routing: { numbering: { countryCode: "49", areaCode: "30", localNumberLength: 7, dialLocal: true }, inbound: { default: postoffice } }',
    '',
  ].join('\n');
}

function startDaemon(grace: number, mode?: string) {
  const configFile = path.join(dir, 'faxgate.yaml');
  fs.writeFileSync(configFile, configYaml(grace, mode));
  const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', entry], {
    env: { ...process.env, FAXGATE_CONFIG: configFile, FAXGATE_DATABASE_URL: testDb.url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d) => (out += d));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  let gone = false;
  void exited.then(() => (gone = true));
  const until = (re: RegExp) =>
    waitFor(
      `${re} in the daemon's output`,
      async () => {
        if (gone && !re.test(out)) throw new Error(`daemon exited early:\n${out}`);
        return re.test(out);
      },
      120_000,
    );
  return { child, exited, until, output: () => out };
}

beforeAll(async () => {
  testDb = await createTestDatabase('faxgate_shutdown');
  db = openDatabase(testDb.url, { poolMax: 4 });
  await migrate(db, auditMigrations);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-shutdown-'));
  prefix = testRedisPrefix();
  // About a second per page: an 8-page call lasts longer than the grace.
  sim = await startSimulator({ timeFactor: 0.1 });
  await users.add(db, { name: 'alice', roles: ['user'] });
  await mailboxes.add(db, { name: 'alice-out', kind: 'outgoing', numbers: ['+49301234567'] });
  await mailboxes.add(db, { name: 'postoffice', kind: 'incoming' });
  await grants.grant(db, { user: 'alice', mailbox: 'alice-out', right: 'out.send' });
  const env = process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {};
  const { config } = validateConfig({ redis: { keyPrefix: prefix }, queue: { enabled: true } }, env);
  queue = openSendQueue(config);
}, 60_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await queue?.close();
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  await deleteKeys(redis, prefix).finally(() => redis.disconnect());
  await sim?.close();
  await db?.destroy();
  await testDb?.drop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('clean shutdown of the daemon', () => {
  it('SIGINT during an 8-page send: exit 0, the fax requeued with its confirmed pages (or done), system.stop; the next start sends only the rest', async () => {
    const daemon = startDaemon(GRACE_SECONDS);
    await daemon.until(/Press Ctrl-C to stop/);

    const outbox = await mailboxes.get(db, 'alice-out');
    const router = createRouter(
      {
        numbering: { countryCode: '49', areaCode: '30', localNumberLength: 7, dialLocal: true },
        inbound: { default: 'postoffice' },
      },
      (await mailboxes.list(db)).map((m) => ({ id: m.id, name: m.name, kind: m.kind, numbers: m.numbers })),
    );
    const pageEvents: number[] = [];
    sim.events.on('page', (number, n) => {
      if (number === '5551000') pageEvents.push(n);
    });
    const { fax } = await submitFax(
      { db, queue, router, settings: queueSettings(validateConfig({}, {}).config) },
      {
        actor: 'alice',
        mailboxId: outbox.id,
        number: '5551000',
        pages: Array.from({ length: PAGES }, (_, i) => testPage(i)),
      },
    );

    // Mid-call: the remote has confirmed page 2 (a condition, not a sleep).
    await waitFor('page 2 confirmed by the remote', async () => pageEvents.some((n) => n >= 2), 120_000);
    const signalledAt = Date.now();
    daemon.child.kill('SIGINT');
    const exit = await daemon.exited;
    const stopSeconds = (Date.now() - signalledAt) / 1000;
    expect(exit, daemon.output()).toEqual({ code: 0, signal: null });
    expect(daemon.output()).toContain('faxgate: stopped');
    // Bounded by the grace plus recording and closing, far below the safety net (grace + 20 s).
    expect(stopSeconds).toBeLessThan(GRACE_SECONDS + 15);
    process.stdout.write(
      `shutdown: SIGINT → exit 0 in ${stopSeconds.toFixed(2)} s (grace ${GRACE_SECONDS} s)\n`,
    );

    const after = await faxes.get(db, fax.id);
    expect(after.state).not.toBe('running');
    expect(after.state).not.toBe('suspended');
    expect(after.cause).not.toBe(OUTCOME_UNKNOWN);
    // What the remote machine kept of the first call (this simulator had no other fax to it).
    const first = sim.remoteParty('5551000').received[0];
    const types: string[] = await db('audit_events').where({ fax_id: fax.id }).orderBy('id').pluck('type');
    const all: string[] = await db('audit_events').orderBy('id').pluck('type');
    expect(all.lastIndexOf('system.stop')).toBeGreaterThan(all.lastIndexOf('send.end'));

    if (after.state === 'done') {
      // The call finished within the grace.
      expect(after.pagesDone).toBe(PAGES);
      return;
    }
    // Cut at the end of the grace: requeued, with exactly the pages the remote kept.
    expect(after).toMatchObject({ state: 'pending', cause: GATEWAY_STOPPED });
    expect(after.pagesDone).toBeGreaterThanOrEqual(2);
    expect(after.pagesDone).toBeLessThan(PAGES);
    expect(first?.pageCount).toBe(after.pagesDone);
    expect(after.causeText).toContain(`${after.pagesDone} of ${PAGES} pages confirmed`);
    expect(types.slice(-2)).toEqual(['send.end', 'send.requeue']);
    const cut = await db('xfer_log').where({ fax_id: fax.id, type: 'SEND' }).orderBy('id').first();
    expect(cut).toMatchObject({ type: 'SEND', result_code: GATEWAY_STOPPED, npages: after.pagesDone });
    const confirmed = after.pagesDone;

    // The next start takes the fax again and sends pages confirmed + 1 … 8 only.
    const again = startDaemon(120);
    await again.until(/Press Ctrl-C to stop/);
    const done = await waitFor(
      `fax ${fax.id} done`,
      async () => {
        const f = await faxes.get(db, fax.id);
        return f.state === 'done' ? f : undefined;
      },
      120_000,
    );
    expect(done.pagesDone).toBe(PAGES);
    expect(done.causeText).toContain(`resumed at page ${confirmed + 1}`);
    const second = sim.remoteParty('5551000').received[1];
    expect(second?.complete).toBe(true);
    expect(second?.pageCount).toBe(PAGES - confirmed);
    const resumed = await db('xfer_log').where({ fax_id: fax.id }).orderBy('id', 'desc').first();
    expect(resumed).toMatchObject({ result_code: 'ok', npages: PAGES - confirmed });
    expect(resumed.reason).toBe(`resumed at page ${confirmed + 1}`);
    // Two calls in all: the cut one and the one that sent the rest.
    expect(sim.calls.filter((c) => c.to === '5551000')).toHaveLength(2);
    again.child.kill('SIGTERM');
    expect(await again.exited).toEqual({ code: 0, signal: null });
    // This process's render work directory went with it.
    expect(fs.readdirSync(path.join(dir, 'tmp')).filter((n) => n.startsWith('render-'))).toEqual([]);
  }, 300_000);

  it('SIGINT while a fax is being received: no new call is taken, the call finishes within the grace, received whole; exit 0', async () => {
    const daemon = startDaemon(60, 'send-receive');
    await daemon.until(/Press Ctrl-C to stop/);
    const pages = Array.from({ length: 8 }, (_, i) => testPage(10 + i));
    const call = sim.injectCall({ from: '0891234567', to: '3001', document: pages });
    const incoming = await waitFor(
      'an incoming fax being received',
      async () => (await db('faxes').where({ direction: 'in', state: 'receiving' }).first()) ?? undefined,
      120_000,
    );
    let firstOver = false;
    void call.then(() => (firstOver = true));
    daemon.child.kill('SIGINT');
    // The LISTEN is withdrawn at once: a call offered while the first one is still in progress
    // finds no listener (the exchange may route it elsewhere), instead of being taken and cut.
    await daemon.until(/no new incoming calls/);
    const late = await sim.injectCall({ from: '0891234568', to: '3001', document: [testPage(30)] });
    expect(late.outcome).toBe('no-listener');
    expect(firstOver).toBe(false);
    const exit = await daemon.exited;
    expect(exit, daemon.output()).toEqual({ code: 0, signal: null });
    expect((await call).outcome).toBe('completed');
    expect(await faxes.get(db, incoming.id)).toMatchObject({ state: 'received', pagesDone: 8 });
    const all: string[] = await db('audit_events').orderBy('id').pluck('type');
    expect(all.lastIndexOf('system.stop')).toBeGreaterThan(all.lastIndexOf('recv.end'));
  }, 300_000);
});
