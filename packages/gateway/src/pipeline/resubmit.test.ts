// resubmitFax against real PostgreSQL and Redis: a new fax with the same pages, through the
// same path as a submission.
import { ForbiddenError, faxes, faxPages, grants, StateConflictError, users } from '@faxgate/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsOf, heldFax, submitContext, waitingFax } from '../test-support/job-control.js';
import { type PipelineFixture, startPipelineFixture } from '../test-support/pipeline-fixture.js';
import { deleteFax } from './delete.js';
import { DestinationRefusedError } from './errors.js';
import { jobIdOf } from './queue.js';
import { resubmitFax } from './resubmit.js';

let fx: PipelineFixture;

beforeAll(async () => {
  fx = await startPipelineFixture({ reconcileIntervalSeconds: 86_400 }, { worker: false });
  await grants.grant(fx.db, { user: 'alice', mailbox: 'alice-out', right: 'out.delete' });
  await users.add(fx.db, { name: 'bob', roles: ['user'] });
  for (const right of ['out.stop', 'out.modify', 'out.delete'] as const) {
    await grants.grant(fx.db, { user: 'bob', mailbox: 'alice-out', right });
  }
}, 60_000);

afterAll(async () => {
  await fx?.close();
});

const resubmit = (faxId: number, number?: string, actor = 'alice') =>
  resubmitFax(submitContext(fx), { actor, faxId, number });
const hashes = async (faxId: number) => (await faxPages.list(fx.db, faxId)).map((p) => p.sha256);
const count = async () => Number((await fx.db('faxes').count({ n: '*' }))[0].n);

async function failedFax() {
  const fax = await waitingFax(fx);
  await fx.pipeline.queue.getJob(jobIdOf(fax.id)).then((j) => j?.remove());
  return faxes.updateState(fx.db, fax.id, 'failed', { cause: 'busy', completedAt: new Date() });
}

describe('resubmitFax', () => {
  it('queues a new fax with byte-identical pages, naming the old one', async () => {
    const old = await failedFax();
    const r = await resubmit(old.id);
    expect(r.outcome).toBe('queued');
    expect(r.enqueued).toBe(true);
    expect(r.resubmitOf).toBe(old.id);
    expect(r.fax.id).not.toBe(old.id);
    expect(r.fax).toMatchObject({
      state: 'pending',
      remoteNumber: old.remoteNumber,
      pagesTotal: 2,
      priority: old.priority,
      resolution: old.resolution,
      mailboxId: fx.outbox,
    });
    expect(r.fax.metadata).toMatchObject({ resubmitOf: old.id, dialString: '5551000' });
    expect(await hashes(r.fax.id)).toEqual(await hashes(old.id));
    expect(await hashes(r.fax.id)).toHaveLength(2);
    expect(await fx.pipeline.queue.getJob(jobIdOf(r.fax.id))).toBeDefined();
    expect(await eventsOf(fx, r.fax.id)).toEqual([
      expect.objectContaining({
        type: 'job.create',
        actor: 'alice',
        details: expect.objectContaining({ resubmitOf: old.id }),
      }),
    ]);
    // the old fax is left as it was
    expect(await faxes.get(fx.db, old.id)).toMatchObject({ state: 'failed', cause: 'busy' });
  });

  it('routes a new number like a submission: blocked refused with nothing stored, internal delivered', async () => {
    const old = await failedFax();
    const before = await count();
    await expect(resubmit(old.id, '5559123')).rejects.toBeInstanceOf(DestinationRefusedError);
    expect(await count()).toBe(before);
    const internal = await resubmit(old.id, '3001');
    expect(internal.outcome).toBe('internal');
    expect(internal.deliveredFax).toMatchObject({ direction: 'in', mailboxId: fx.inbox });
    expect(await hashes(internal.deliveredFax?.id ?? 0)).toEqual(await hashes(old.id));
    const moved = await resubmit(old.id, '030 5551234');
    expect(moved.fax.remoteNumber).toBe('+49305551234');
  });

  it('needs out.send on the mailbox', async () => {
    const old = await failedFax();
    const before = await count();
    await expect(resubmit(old.id, undefined, 'bob')).rejects.toBeInstanceOf(ForbiddenError);
    expect(await count()).toBe(before);
  });

  it('refuses a fax still queued and a deleted one', async () => {
    const queued = await waitingFax(fx);
    await expect(resubmit(queued.id)).rejects.toBeInstanceOf(StateConflictError);
    const old = await failedFax();
    await deleteFax({ db: fx.db }, { actor: 'alice', faxId: old.id });
    const before = await count();
    await expect(resubmit(old.id)).rejects.toThrow(/was deleted: its pages are gone/);
    expect(await count()).toBe(before);
  });

  it('resubmits a fax held with its outcome unknown and closes the held one', async () => {
    const held = await heldFax(fx, '5551002');
    expect(held).toMatchObject({ state: 'suspended', cause: 'outcome-unknown' });
    const r = await resubmit(held.id);
    expect(r.fax).toMatchObject({ state: 'pending', remoteNumber: '+49305551002' });
    const old = await faxes.get(fx.db, held.id);
    expect(old.state).toBe('failed');
    expect(old.causeText).toMatch(new RegExp(`resubmitted as fax ${r.fax.id} by alice`));
    expect((await eventsOf(fx, held.id)).at(-1)).toMatchObject({
      type: 'job.settle',
      actor: 'alice',
      details: { decision: 'resubmit', resubmittedAs: r.fax.id },
    });
  });
});
