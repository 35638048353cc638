// The scheduler against real PostgreSQL: one node at a time (advisory lock), once per
// interval across nodes, failures logged and recorded without stopping it.
import { auditMigrations } from '@faxgate/audit';
import type { Knex } from '@faxgate/store';
import { type MigratedTestDb, migratedTestDb } from '@faxgate/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../logger.js';
import { waitFor } from '../test-support/pipeline-fixture.js';
import { lastRuns, type Scheduler, startScheduler } from './scheduler.js';

let t: MigratedTestDb;
let db: Knex;
const started: Scheduler[] = [];

function memoryLog() {
  const lines: string[] = [];
  const put = (level: string) => (m: unknown) => void lines.push(`${level} ${String(m)}`);
  const log = {
    error: put('error'),
    warn: put('warn'),
    info: put('info'),
    http: put('http'),
    debug: put('debug'),
  };
  return { log: log as unknown as Logger, lines };
}

function scheduler(node: string) {
  const m = memoryLog();
  const s = startScheduler({ db, log: m.log, node });
  started.push(s);
  return { s, lines: m.lines };
}

beforeAll(async () => {
  t = await migratedTestDb({ extra: [...auditMigrations], poolMax: 10 });
  db = t.knex;
});
afterAll(async () => {
  for (const s of started) await s.stop();
  await t?.close();
});

describe('scheduler', () => {
  it('runs a task on its interval and logs and records duration and outcome', async () => {
    const { s, lines } = scheduler('node-a');
    let n = 0;
    s.register({ name: 'count', intervalMs: 1000, firstDelayMs: 0, run: async () => `run ${++n}` });
    await waitFor('two runs', async () => n >= 2, 10_000);
    expect(lines.some((l) => /^info schedule: count ok in \d+ ms: run 1$/.test(l))).toBe(true);
    const run = await waitFor('recorded', async () =>
      (await lastRuns(db)).find((r) => r.task === 'count' && r.outcome === 'ok'),
    );
    expect(run).toMatchObject({ node: 'node-a', outcome: 'ok' });
    expect(run.durationMs).toBeGreaterThanOrEqual(0);
    await s.stop();
  });

  it('a failing task is logged and recorded, and runs again at its next turn', async () => {
    const { s, lines } = scheduler('node-a');
    let n = 0;
    s.register({
      name: 'flaky',
      intervalMs: 1000,
      firstDelayMs: 0,
      run: async () => {
        n++;
        if (n === 1) throw new Error('disk on fire');
        return 'fine';
      },
    });
    // the failure is on record until the next turn (a second later) replaces it
    const failed = await waitFor('failure recorded', async () =>
      (await lastRuns(db)).find((r) => r.task === 'flaky' && r.outcome === 'failed'),
    );
    expect(failed.summary).toBe('disk on fire');
    expect(lines.some((l) => /^error schedule: flaky failed after \d+ ms: disk on fire$/.test(l))).toBe(true);
    const ok = await waitFor('next turn ok', async () =>
      (await lastRuns(db)).find((r) => r.task === 'flaky' && r.outcome === 'ok'),
    );
    expect(ok.summary).toBe('fine');
    expect(n).toBeGreaterThanOrEqual(2);
    await s.stop();
  });

  it('runs a task on one node at a time, and once per interval across nodes', async () => {
    const a = scheduler('node-a').s;
    const b = scheduler('node-b').s;
    let inside = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const task = (node: string) => ({
      name: 'exclusive',
      intervalMs: 3_600_000,
      firstDelayMs: 3_600_000,
      run: async () => {
        inside++;
        await gate;
        return node;
      },
    });
    a.register(task('a'));
    b.register(task('b'));
    const first = a.runNow('exclusive');
    await waitFor('a inside', async () => inside === 1);
    // b cannot get the lock while a runs it.
    expect(await b.runNow('exclusive')).toEqual({ outcome: 'skipped', reason: 'locked' });
    release();
    expect(await first).toMatchObject({ outcome: 'ok', summary: 'a' });
    // The lock is free now, but the task ran less than an interval ago on node a.
    expect(await b.runNow('exclusive')).toEqual({ outcome: 'skipped', reason: 'not-due' });
    expect(inside).toBe(1);
    expect(await b.runNow('exclusive', { force: true })).toMatchObject({ outcome: 'ok', summary: 'b' });
    expect((await lastRuns(db)).find((r) => r.task === 'exclusive')?.node).toBe('node-b');
    await Promise.all([a.stop(), b.stop()]);
  });

  it('stop waits for a running task and aborts its signal; nothing runs after', async () => {
    const { s } = scheduler('node-a');
    let aborted = false;
    let entered = false;
    s.register({
      name: 'long',
      intervalMs: 3_600_000,
      firstDelayMs: 0,
      run: async ({ signal }) => {
        entered = true;
        await new Promise<void>((r) => signal.addEventListener('abort', () => r()));
        aborted = signal.aborted;
        return 'stopped early';
      },
    });
    await waitFor('entered', async () => entered);
    await s.stop();
    expect(aborted).toBe(true);
    expect(await s.runNow('long', { force: true })).toEqual({ outcome: 'skipped', reason: 'stopped' });
  });

  it('refuses bad names, duplicates and tiny intervals', () => {
    const { s } = scheduler('node-a');
    const run = async () => undefined;
    expect(() => s.register({ name: 'Bad Name', intervalMs: 1000, run })).toThrow(/invalid/);
    s.register({ name: 'once', intervalMs: 60_000, firstDelayMs: 60_000, run });
    expect(() => s.register({ name: 'once', intervalMs: 60_000, run })).toThrow(/twice/);
    expect(() => s.register({ name: 'fast', intervalMs: 10, run })).toThrow(/interval/);
    expect(s.tasks()).toEqual(['once']);
  });
});
