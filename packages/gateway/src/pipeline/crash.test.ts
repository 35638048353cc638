// kill -9 of a worker process during calls, then a new worker: no accepted fax is lost, and
// a call that may have sent pages is held as outcome-unknown, never dialled again silently.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createGatewayLogger } from '../logger.js';
import {
  type PipelineFixture,
  startPipelineFixture,
  testPage,
  waitFor,
  waitTerminal,
} from '../test-support/pipeline-fixture.js';
import { aliveInstances } from './presence.js';
import { reconcile } from './reconciler.js';
import { stopFax } from './stop.js';
import { submitFax } from './submit.js';
import { type FaxWorker, startFaxWorker } from './worker.js';

const childEntry = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../test-support/pipeline-child.ts',
);

let fx: PipelineFixture;
let child: ChildProcess | undefined;
let worker: FaxWorker | undefined;

beforeAll(async () => {
  // This process runs no worker of its own until the child is dead.
  fx = await startPipelineFixture({ reconcileIntervalSeconds: 3600 }, { worker: false });
}, 60_000);

afterAll(async () => {
  child?.kill('SIGKILL');
  await worker?.stop();
  await fx?.close();
});

function startChild(): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', childEntry], {
      env: { ...process.env, PIPELINE_CHILD_CONFIG: JSON.stringify(fx.config) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = c;
    let out = '';
    let err = '';
    c.stdout?.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /ready (\d+)/.exec(out);
      if (m) resolve(m[1]);
    });
    c.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
    c.on('exit', (code) => reject(new Error(`child exited (${code}): ${err}`)));
  });
}

let childId: string;

it('a stop reaches a call running in another gateway process (Redis stop channel)', async () => {
  childId = await startChild();
  fx.sim.setTimeFactor(0.05);
  try {
    const { fax } = await submitFax(
      { db: fx.db, queue: fx.pipeline.queue, router: fx.router, settings: fx.pipeline.settings },
      {
        actor: 'alice',
        mailboxId: fx.outbox,
        number: '5551001',
        pages: [testPage(1, 1100), testPage(2, 1100)],
      },
    );
    await waitFor(
      'the call to start',
      async () => (await fx.db('faxes').where({ id: fax.id }).first()).state === 'running',
    );
    expect(fx.pipeline.worker).toBeUndefined(); // the call is not in this process
    const r = await stopFax(fx.pipeline.stopContext, { actor: 'alice', faxId: fax.id });
    expect(r.was).toBe('running');
    const end = await waitTerminal(fx.db, fax.id);
    expect(end).toMatchObject({ state: 'failed', cause: 'stopped' });
    expect(end.pagesDone).toBe(0);
  } finally {
    fx.sim.setTimeFactor(0);
  }
});

it('kill -9 during calls: nothing lost, cut-off calls held as outcome-unknown, no silent resend', async () => {
  fx.sim.setTimeFactor(0.05); // a call now lasts a second or more
  const numbers = ['5551000', '5551001', '5551002', '5552000', '5551000', '5551001'];
  const ids: number[] = [];
  for (const n of numbers) {
    const r = await submitFax(
      { db: fx.db, queue: fx.pipeline.queue, router: fx.router, settings: fx.pipeline.settings },
      { actor: 'alice', mailboxId: fx.outbox, number: n, pages: [testPage(ids.length, 1100)] },
    );
    ids.push(r.fax.id);
  }
  const running = await waitFor('two calls in flight', async () => {
    const rows = await fx.db('faxes').whereIn('id', ids).where({ state: 'running' }).select('id');
    return rows.length >= 2 ? rows.map((r: { id: number }) => r.id) : undefined;
  });
  child?.kill('SIGKILL');
  await waitFor(
    'the dead worker to leave PostgreSQL',
    async () => !(await aliveInstances(fx.db)).has(childId),
  );
  fx.sim.setTimeFactor(0);

  // A new worker process (here: this one) and the reconciler take over.
  worker = await startFaxWorker({
    config: fx.config,
    db: fx.db,
    log: createGatewayLogger(fx.config, 'pipeline-test'),
    actor: 'gateway:test',
  });
  const report = await reconcile({
    db: fx.db,
    queue: fx.pipeline.queue,
    outcomeUnknown: 'hold',
    actor: 'gateway:test',
  });
  // Every call in flight at the kill is held; the worker may have found some itself first.
  const ends = await Promise.all(ids.map((id) => waitTerminal(fx.db, id, 60_000)));
  const held = ends.filter((f) => f.state === 'suspended');
  const heldIds = held.map((f) => f.id);
  // Held: every call seen in flight (more may have started just before the kill).
  for (const id of running) expect(heldIds).toContain(id);
  expect(report.cutOff.every((id) => heldIds.includes(id))).toBe(true);
  for (const f of held) {
    expect(f.cause).toBe('outcome-unknown');
    // No silent resend: the cut-off call is the last dial on record, then the hold.
    const types = (await fx.db('audit_events').where({ fax_id: f.id }).orderBy('id').select('type')).map(
      (e: { type: string }) => e.type,
    );
    expect(types.slice(-2)).toEqual(['send.begin', 'job.suspend']);
    expect(types.filter((t) => t === 'send.begin').length).toBe(f.dials);
  }
  // Nothing lost: every other fax reached done, or failed (busy) after its dials.
  for (const f of ends.filter((x) => !heldIds.includes(x.id))) {
    expect(f.state).toBe(numbersOf(f.id) === '5552000' ? 'failed' : 'done');
  }

  function numbersOf(id: number): string {
    return numbers[ids.indexOf(id)];
  }
}, 120_000);
