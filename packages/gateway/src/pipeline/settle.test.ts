// settleOutcome against real PostgreSQL and Redis: the post office decides on a fax held
// because a crash cut its call off.
import { ForbiddenError, faxes, grants, InvalidInputError, StateConflictError, users } from '@faxgate/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsOf, heldFax, waitingFax } from '../test-support/job-control.js';
import { type PipelineFixture, startPipelineFixture } from '../test-support/pipeline-fixture.js';
import { jobIdOf } from './queue.js';
import { reconcile } from './reconciler.js';
import { type SettleDecision, settleOutcome } from './settle.js';

let fx: PipelineFixture;

beforeAll(async () => {
  fx = await startPipelineFixture({ reconcileIntervalSeconds: 86_400 }, { worker: false });
  await users.add(fx.db, { name: 'olga', roles: ['operator'] });
  await users.add(fx.db, { name: 'mia', roles: ['user'] });
  await grants.grant(fx.db, { user: 'mia', mailbox: 'alice-out', right: 'out.modify' });
}, 60_000);

afterAll(async () => {
  await fx?.close();
});

const settle = (faxId: number, decision: SettleDecision, actor = 'olga', queue = true) =>
  settleOutcome(
    { db: fx.db, queue: queue ? fx.pipeline.queue : undefined, settings: fx.pipeline.settings },
    { actor, faxId, decision },
  );

describe('settleOutcome', () => {
  it('resend: queued again now, job.retry naming the decision and who took it', async () => {
    const held = await heldFax(fx);
    expect(await fx.pipeline.queue.getJob(jobIdOf(held.id))).toBeUndefined();
    const r = await settle(held.id, 'resend');
    expect(r.enqueued).toBe(true);
    expect(r.fax).toMatchObject({ state: 'pending', notBefore: null });
    expect(r.fax.causeText).toMatch(/resent by olga/);
    const job = await fx.pipeline.queue.getJob(jobIdOf(held.id));
    expect(job?.delay).toBe(0);
    expect((await eventsOf(fx, held.id)).at(-1)).toMatchObject({
      type: 'job.retry',
      actor: 'olga',
      details: { decision: 'resend', cause: 'outcome-unknown', state: 'pending' },
    });
  });

  it('resend renews a kill time that has passed', async () => {
    const held = await heldFax(fx);
    await faxes.update(fx.db, held.id, { killAt: new Date(Date.now() - 1000) });
    const r = await settle(held.id, 'resend');
    expect(r.fax.killAt?.getTime()).toBeGreaterThan(Date.now());
  });

  it('sent: done with the pages on record; failed: failed — each job.settle by its decider', async () => {
    const a = await heldFax(fx);
    await faxes.update(fx.db, a.id, { pagesDone: 1 });
    const sent = await settle(a.id, 'sent', 'mia');
    expect(sent.fax).toMatchObject({ state: 'done', pagesDone: 1, cause: 'outcome-unknown' });
    expect(sent.fax.completedAt).toBeInstanceOf(Date);
    expect((await eventsOf(fx, a.id)).at(-1)).toMatchObject({
      type: 'job.settle',
      actor: 'mia',
      details: { decision: 'sent', pagesDone: 1, pagesTotal: 2 },
    });
    const b = await heldFax(fx);
    const failed = await settle(b.id, 'failed');
    expect(failed.fax).toMatchObject({
      state: 'failed',
      causeText: 'outcome unknown; marked failed by olga',
    });
    expect((await eventsOf(fx, b.id)).at(-1)).toMatchObject({
      type: 'job.settle',
      actor: 'olga',
      details: { decision: 'failed' },
    });
    expect(await fx.pipeline.queue.getJob(jobIdOf(b.id))).toBeUndefined();
  });

  it('needs queue.manage or out.modify on the mailbox', async () => {
    const held = await heldFax(fx);
    await expect(settle(held.id, 'sent', 'alice')).rejects.toBeInstanceOf(ForbiddenError);
    expect((await faxes.get(fx.db, held.id)).state).toBe('suspended');
  });

  it('refuses a fax that waits for no decision, and an unknown decision', async () => {
    const queued = await waitingFax(fx);
    const pending = settle(queued.id, 'sent');
    await expect(pending).rejects.toBeInstanceOf(StateConflictError);
    await expect(pending).rejects.toThrow(/not waiting for a decision on its outcome \(it is pending\)/);
    const held = await heldFax(fx);
    await expect(settle(held.id, 'maybe' as SettleDecision)).rejects.toBeInstanceOf(InvalidInputError);
    await settle(held.id, 'failed');
    await expect(settle(held.id, 'sent')).rejects.toBeInstanceOf(StateConflictError);
    expect((await faxes.get(fx.db, held.id)).state).toBe('failed');
  });

  it('resend without Redis: the fax is pending and the reconciler queues it', async () => {
    const held = await heldFax(fx);
    const r = await settle(held.id, 'resend', 'olga', false);
    expect(r.enqueued).toBe(false);
    expect(await fx.pipeline.queue.getJob(jobIdOf(held.id))).toBeUndefined();
    const report = await reconcile({
      db: fx.db,
      queue: fx.pipeline.queue,
      outcomeUnknown: 'hold',
      actor: 'gateway:test',
    });
    expect(report.created).toContain(held.id);
    expect(await fx.pipeline.queue.getJob(jobIdOf(held.id))).toBeDefined();
    expect((await faxes.get(fx.db, held.id)).metadata.queueSync).toBeUndefined();
  });
});
