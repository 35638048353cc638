// Standby jobs wait beside the calls for a channel of this process: they never make more
// calls than queue.concurrency, one that waits longer than queue.standbyWaitSeconds goes back
// to the queue (where another gateway process could take it), and a fax stopped meanwhile is
// never dialled.
import { faxes } from '@faxgate/store';
import { QueueEvents } from 'bullmq';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  type PipelineFixture,
  startPipelineFixture,
  testPage,
  waitFor,
  waitTerminal,
} from '../test-support/pipeline-fixture.js';
import { bullConnection, jobIdOf, SEND_QUEUE } from './queue.js';
import { stopFax } from './stop.js';
import { submitFax } from './submit.js';

let fx: PipelineFixture;
beforeAll(async () => {
  fx = await startPipelineFixture({ concurrency: 1, standbyJobs: 1, standbyWaitSeconds: 0.2 });
});
afterAll(async () => fx?.close());

it('holds calls to queue.concurrency and sends a standby job that waited too long back to the queue', async () => {
  expect(fx.pipeline.worker?.pool.usable).toBe(1);
  const events = new QueueEvents(SEND_QUEUE, {
    connection: bullConnection(fx.config),
    prefix: fx.config.redis.keyPrefix,
  });
  await events.waitUntilReady();
  const delayed: string[] = [];
  events.on('delayed', ({ jobId }) => delayed.push(jobId));
  fx.sim.setTimeFactor(0.05); // a call now lasts a second or more
  try {
    const submit = (number: string, seed: number) =>
      submitFax(
        { db: fx.db, queue: fx.pipeline.queue, router: fx.router, settings: fx.pipeline.settings },
        { actor: 'alice', mailboxId: fx.outbox, number, pages: [testPage(seed, 1100)] },
      );
    const firstCall = fx.sim.waitForCall((c) => c.to.endsWith('5551000'));
    const secondCall = fx.sim.waitForCall((c) => c.to.endsWith('5551002'));
    const first = await submit('5551000', 1);
    const second = await submit('5551002', 2);
    const [a, b] = await Promise.all([firstCall, secondCall]);
    expect((await waitTerminal(fx.db, first.fax.id)).state).toBe('done');
    expect((await waitTerminal(fx.db, second.fax.id)).state).toBe('done');
    // One call at a time although a second job was taken on standby beside the first.
    const [earlier, later] = a.startedAt < b.startedAt ? [a, b] : [b, a];
    expect(later.startedAt).toBeGreaterThanOrEqual(earlier.endedAt ?? Number.POSITIVE_INFINITY);
    expect((earlier.endedAt ?? 0) - earlier.startedAt).toBeGreaterThan(400);
    // The waiting job went back to the queue at least once while the first call ran.
    const waiting = later === b ? second.fax.id : first.fax.id;
    expect(delayed.filter((id) => id === jobIdOf(waiting)).length).toBeGreaterThanOrEqual(1);
  } finally {
    fx.sim.setTimeFactor(0);
    await events.close();
  }
});

it('never dials a fax stopped while its job waits on standby', async () => {
  // A wait longer than the call: the job is still on standby when the channel comes free.
  await fx.close();
  fx = await startPipelineFixture({ concurrency: 1, standbyJobs: 1, standbyWaitSeconds: 30 });
  fx.sim.setTimeFactor(0.05);
  try {
    const ctx = { db: fx.db, queue: fx.pipeline.queue, router: fx.router, settings: fx.pipeline.settings };
    const first = await submitFax(ctx, {
      actor: 'alice',
      mailboxId: fx.outbox,
      number: '5551000',
      pages: [testPage(3, 1100)],
    });
    await waitFor('the first call', async () => (await faxes.get(fx.db, first.fax.id)).state === 'running');
    const dialledBefore = fx.dialled.length;
    const second = await submitFax(ctx, {
      actor: 'alice',
      mailboxId: fx.outbox,
      number: '5551002',
      pages: [testPage(4, 1100)],
    });
    // Taken by the worker on standby (its job active) while the only call slot is busy.
    const job = await fx.pipeline.queue.getJob(jobIdOf(second.fax.id));
    await waitFor('the job on standby', async () => (await job?.getState()) === 'active');
    expect((await stopFax(fx.pipeline.stopContext, { actor: 'alice', faxId: second.fax.id })).was).toBe(
      'waiting',
    );
    expect((await waitTerminal(fx.db, first.fax.id)).state).toBe('done');
    // The channel freed by the first call went to the standby job, which found the fax stopped.
    await waitFor('the job to leave', async () => {
      const state = await (await fx.pipeline.queue.getJob(jobIdOf(second.fax.id)))?.getState();
      return state === undefined || state === 'completed' || state === 'unknown';
    });
    expect(await faxes.get(fx.db, second.fax.id)).toMatchObject({
      state: 'failed',
      cause: 'stopped',
      dials: 0,
    });
    expect(fx.dialled.slice(dialledBefore).some((n) => n.endsWith('5551002'))).toBe(false);
  } finally {
    fx.sim.setTimeFactor(0);
  }
});
