// Operator job control against real PostgreSQL, Redis and capi-sim with a running send
// worker: a held fax is never dialled, even when its BullMQ job fires; release queues it
// again; requeue sends a failed fax; queue.manage acts on any fax, a user only with its own
// mailbox's right.
import { ForbiddenError, faxes, grants, StateConflictError, users } from '@faxgate/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsOf, waitingFax } from '../test-support/job-control.js';
import {
  type PipelineFixture,
  startPipelineFixture,
  waitFor,
  waitTerminal,
} from '../test-support/pipeline-fixture.js';
import { HELD, holdFax, releaseFax, requeueFax } from './operate.js';
import { enqueueFax, jobIdOf } from './queue.js';
import { stopFax } from './stop.js';

let fx: PipelineFixture;

beforeAll(async () => {
  fx = await startPipelineFixture({ reconcileIntervalSeconds: 86_400 });
  await users.add(fx.db, { name: 'olga', roles: ['operator'] });
  await users.add(fx.db, { name: 'mia', roles: ['user'] });
  await users.add(fx.db, { name: 'audrey', roles: ['auditor'] });
  await grants.grant(fx.db, { user: 'mia', mailbox: 'alice-out', right: 'out.modify' });
}, 60_000);

afterAll(async () => {
  await fx?.close();
});

const ctx = () => ({ db: fx.db, queue: fx.pipeline.queue, settings: fx.pipeline.settings });

describe('hold and release', () => {
  it('a held fax is not dialled when its queue job fires; job.suspend names the operator', async () => {
    const fax = await waitingFax(fx, '5551000');
    const r = await holdFax(ctx(), { actor: 'olga', faxId: fax.id, reason: 'recipient asked to wait' });
    expect(r.fax).toMatchObject({ state: 'suspended', cause: HELD });
    expect(r.fax.causeText).toBe('held by olga: recipient asked to wait');
    expect(await fx.pipeline.queue.getJob(jobIdOf(fax.id))).toBeUndefined();
    // A stale job fires now (as one Redis kept would): the worker reads the row and leaves it.
    await enqueueFax(fx.pipeline.queue, { id: fax.id, priority: 0, notBefore: null });
    await waitFor('the fired job to be processed', async () =>
      (await fx.pipeline.queue.getJob(jobIdOf(fax.id))) ? undefined : true,
    );
    expect((await faxes.get(fx.db, fax.id)).state).toBe('suspended');
    expect(await eventsOf(fx, fax.id)).not.toContainEqual(expect.objectContaining({ type: 'send.begin' }));
    expect((await eventsOf(fx, fax.id)).at(-1)).toMatchObject({
      type: 'job.suspend',
      actor: 'olga',
      details: { cause: HELD, from: 'pending', reason: 'recipient asked to wait' },
    });
  });

  it('release queues the fax again at its send time, with job.resume', async () => {
    const fax = await waitingFax(fx, '5551000');
    await holdFax(ctx(), { actor: 'olga', faxId: fax.id });
    const r = await releaseFax(ctx(), { actor: 'olga', faxId: fax.id });
    expect(r.enqueued).toBe(true);
    expect(r.fax).toMatchObject({ state: 'pending', cause: null });
    expect(r.fax.notBefore?.getTime()).toBe(fax.notBefore?.getTime());
    const job = await fx.pipeline.queue.getJob(jobIdOf(fax.id));
    expect(job?.delay).toBeGreaterThan(0);
    expect((await eventsOf(fx, fax.id)).at(-1)).toMatchObject({ type: 'job.resume', actor: 'olga' });
  });

  it('a released fax due now is dialled', async () => {
    const fax = await waitingFax(fx, '5551000');
    await holdFax(ctx(), { actor: 'olga', faxId: fax.id });
    await faxes.update(fx.db, fax.id, { notBefore: null });
    await releaseFax(ctx(), { actor: 'olga', faxId: fax.id });
    expect(await waitTerminal(fx.db, fax.id)).toMatchObject({ state: 'done', pagesDone: 2 });
  });

  it('refuses to hold a fax that is not waiting and to release one not held', async () => {
    const fax = await waitingFax(fx, '5551000');
    await expect(releaseFax(ctx(), { actor: 'olga', faxId: fax.id })).rejects.toThrow(/not held/);
    await stopFax({ db: fx.db, queue: fx.pipeline.queue }, { actor: 'olga', faxId: fax.id });
    await expect(holdFax(ctx(), { actor: 'olga', faxId: fax.id })).rejects.toBeInstanceOf(StateConflictError);
  });

  it('a user holds and releases only with out.modify on the mailbox; an auditor never', async () => {
    const fax = await waitingFax(fx, '5551000');
    await expect(holdFax(ctx(), { actor: 'alice', faxId: fax.id })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(holdFax(ctx(), { actor: 'audrey', faxId: fax.id })).rejects.toBeInstanceOf(ForbiddenError);
    expect((await holdFax(ctx(), { actor: 'mia', faxId: fax.id })).fax.state).toBe('suspended');
    expect((await releaseFax(ctx(), { actor: 'mia', faxId: fax.id })).fax.state).toBe('pending');
  });
});

describe('stop by the operator', () => {
  it('queue.manage stops any queued fax; a user without out.stop may not', async () => {
    const fax = await waitingFax(fx, '5551000');
    await expect(
      stopFax({ db: fx.db, queue: fx.pipeline.queue }, { actor: 'mia', faxId: fax.id }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    const r = await stopFax({ db: fx.db, queue: fx.pipeline.queue }, { actor: 'olga', faxId: fax.id });
    expect(r).toMatchObject({ was: 'waiting', fax: { state: 'failed', cause: 'stopped' } });
  });
});

describe('requeue', () => {
  it('a failed fax goes back to the queue with fresh dial counts and is sent; job.retry names the operator', async () => {
    const fax = await waitingFax(fx, '5551000');
    await stopFax({ db: fx.db, queue: fx.pipeline.queue }, { actor: 'alice', faxId: fax.id });
    await faxes.update(fx.db, fax.id, { dials: 12 });
    const r = await requeueFax(ctx(), { actor: 'olga', faxId: fax.id });
    expect(r.fax).toMatchObject({ state: 'pending', dials: 0, notBefore: null, completedAt: null });
    expect(r.fax.causeText).toMatch(/^requeued by olga after: stopped by alice/);
    expect((await eventsOf(fx, fax.id)).find((e) => e.type === 'job.retry')).toMatchObject({
      actor: 'olga',
      details: { decision: 'requeue', cause: 'stopped', dials: 12 },
    });
    expect(await waitTerminal(fx.db, fax.id)).toMatchObject({ state: 'done', pagesDone: 2 });
  });

  it('refuses a fax that did not fail, and a user without out.send', async () => {
    const fax = await waitingFax(fx, '5551000');
    await expect(requeueFax(ctx(), { actor: 'olga', faxId: fax.id })).rejects.toThrow(/only a failed fax/);
    await stopFax({ db: fx.db, queue: fx.pipeline.queue }, { actor: 'alice', faxId: fax.id });
    await expect(requeueFax(ctx(), { actor: 'mia', faxId: fax.id })).rejects.toBeInstanceOf(ForbiddenError);
    expect((await faxes.get(fx.db, fax.id)).state).toBe('failed');
  });
});
