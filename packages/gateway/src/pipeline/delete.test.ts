// deleteFax against real PostgreSQL and Redis: content gone, record kept (M 5.73 evidence).
import { ForbiddenError, faxes, faxPages, grants, StateConflictError, users } from '@faxgate/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsOf, waitingFax } from '../test-support/job-control.js';
import { type PipelineFixture, startPipelineFixture } from '../test-support/pipeline-fixture.js';
import { deleteFax } from './delete.js';
import { jobIdOf } from './queue.js';

let fx: PipelineFixture;

beforeAll(async () => {
  fx = await startPipelineFixture({ reconcileIntervalSeconds: 86_400 }, { worker: false });
  await grants.grant(fx.db, { user: 'alice', mailbox: 'alice-out', right: 'out.delete' });
  await users.add(fx.db, { name: 'bob', roles: ['user'] });
  for (const right of ['out.send', 'out.stop', 'out.modify'] as const) {
    await grants.grant(fx.db, { user: 'bob', mailbox: 'alice-out', right });
  }
  await grants.grant(fx.db, { user: 'bob', mailbox: 'sales-in', right: 'in.read' });
  await users.add(fx.db, { name: 'po', roles: ['postoffice'] });
}, 60_000);

afterAll(async () => {
  await fx?.close();
});

const del = (faxId: number, actor = 'alice') =>
  deleteFax({ db: fx.db, queue: fx.pipeline.queue }, { actor, faxId });

describe('deleteFax', () => {
  it('deletes a finished fax: pages gone, the row and its log records kept, fax.delete on record', async () => {
    const fax = await waitingFax(fx);
    await faxes.updateState(fx.db, fax.id, 'done', { pagesDone: 2, completedAt: new Date() });
    const log = await fx.db('xfer_log').where({ fax_id: fax.id }).count({ n: '*' });
    const r = await del(fax.id);
    expect(r).toMatchObject({ pagesDeleted: 2, stopped: false });
    expect(r.fax).toMatchObject({
      state: 'deleted',
      remoteNumber: '+49305551000',
      pagesTotal: 2,
      pagesDone: 2,
    });
    expect(r.fax.metadata).toMatchObject({ deletedFrom: 'done', deletedBy: 'alice', pagesDeleted: 2 });
    expect(await faxPages.list(fx.db, fax.id)).toEqual([]);
    expect(await fx.db('xfer_log').where({ fax_id: fax.id }).count({ n: '*' })).toEqual(log);
    const ev = (await eventsOf(fx, fax.id)).at(-1);
    expect(ev).toMatchObject({
      type: 'fax.delete',
      actor: 'alice',
      details: { direction: 'out', was: 'done', stopped: false, pagesDeleted: 2 },
    });
  });

  it('ends a waiting fax like a stop first: no job left, job.kill and UNSENT on record', async () => {
    const fax = await waitingFax(fx);
    expect(await fx.pipeline.queue.getJob(jobIdOf(fax.id))).toBeDefined();
    const r = await del(fax.id);
    expect(r).toMatchObject({ stopped: true, pagesDeleted: 2 });
    expect(r.fax).toMatchObject({ state: 'deleted', cause: 'stopped' });
    expect(r.fax.metadata).toMatchObject({ deletedFrom: 'failed' });
    expect(await fx.pipeline.queue.getJob(jobIdOf(fax.id))).toBeUndefined();
    expect((await eventsOf(fx, fax.id)).map((e) => e.type)).toEqual(['job.create', 'job.kill', 'fax.delete']);
    const log = await fx.db('xfer_log').where({ fax_id: fax.id }).orderBy('id');
    expect(log.map((l) => l.type)).toEqual(['SUBMIT', 'UNSENT']);
  });

  it('refuses a fax in a call ("stop it first") and a deleted one, changing nothing', async () => {
    const fax = await waitingFax(fx);
    await faxes.updateState(fx.db, fax.id, 'running', {}, { from: ['pending'] });
    const running = del(fax.id);
    await expect(running).rejects.toBeInstanceOf(StateConflictError);
    await expect(running).rejects.toThrow(/is in a call: stop it first/);
    expect(await faxPages.list(fx.db, fax.id)).toHaveLength(2);
    expect((await faxes.get(fx.db, fax.id)).state).toBe('running');

    await faxes.updateState(fx.db, fax.id, 'failed', {}, { from: ['running'] });
    await del(fax.id);
    await expect(del(fax.id)).rejects.toThrow(/already deleted/);
    expect((await eventsOf(fx, fax.id)).filter((e) => e.type === 'fax.delete')).toHaveLength(1);
  });

  it('needs out.delete for a sent fax and in.delete for a received one', async () => {
    const fax = await waitingFax(fx);
    await expect(del(fax.id, 'bob')).rejects.toBeInstanceOf(ForbiddenError);
    expect((await faxes.get(fx.db, fax.id)).state).toBe('pending');
    expect(await fx.pipeline.queue.getJob(jobIdOf(fax.id))).toBeDefined();

    const received = await faxes.insert(fx.db, {
      direction: 'in',
      state: 'received',
      mailboxId: fx.inbox,
      remoteNumber: '+49891112222',
      pagesTotal: 1,
      pagesDone: 1,
    });
    await faxPages.add(fx.db, received.id, { pageNo: 1, tiff: new Uint8Array([1, 2, 3]) });
    // alice holds out.delete on her outbox, nothing on sales-in; bob only in.read there
    await expect(del(received.id, 'alice')).rejects.toBeInstanceOf(ForbiddenError);
    await expect(del(received.id, 'bob')).rejects.toBeInstanceOf(ForbiddenError);
    expect(await faxPages.list(fx.db, received.id)).toHaveLength(1);
    await grants.grant(fx.db, { user: 'bob', mailbox: 'sales-in', right: 'in.delete' });
    const r = await del(received.id, 'bob');
    expect(r.fax).toMatchObject({ state: 'deleted', direction: 'in', remoteNumber: '+49891112222' });
    expect(await faxPages.list(fx.db, received.id)).toEqual([]);
    expect((await eventsOf(fx, received.id)).at(-1)).toMatchObject({
      type: 'fax.delete',
      actor: 'bob',
      details: { direction: 'in', was: 'received' },
    });
    // the post office deletes anywhere
    expect((await del(fax.id, 'po')).fax.state).toBe('deleted');
  });
});
