// modifyFax against real PostgreSQL and Redis (own key prefix). No worker runs, so the
// queue job can be looked at as modify leaves it.
import { createPage, readFaxDocument, setPixel } from '@faxgate/fax-core';
import {
  ForbiddenError,
  faxes,
  faxPages,
  grants,
  InvalidInputError,
  StateConflictError,
  users,
} from '@faxgate/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsOf, waitingFax } from '../test-support/job-control.js';
import { type PipelineFixture, startPipelineFixture } from '../test-support/pipeline-fixture.js';
import { DestinationRefusedError } from './errors.js';
import { QUEUE_SYNC } from './job-sync.js';
import { type ModifyChanges, modifyFax } from './modify.js';
import { jobIdOf } from './queue.js';
import { reconcile } from './reconciler.js';

let fx: PipelineFixture;
const HOUR = 3_600_000;

beforeAll(async () => {
  // The periodic reconciler runs once at start, then only when a test calls it.
  fx = await startPipelineFixture({ reconcileIntervalSeconds: 86_400 }, { worker: false });
  await grants.grant(fx.db, { user: 'alice', mailbox: 'alice-out', right: 'out.modify' });
  await users.add(fx.db, { name: 'bob', roles: ['user'] });
  await grants.grant(fx.db, { user: 'bob', mailbox: 'alice-out', right: 'out.send' });
  await users.add(fx.db, { name: 'po', roles: ['postoffice'] });
}, 60_000);

afterAll(async () => {
  await fx?.close();
});

const ctx = () => ({ db: fx.db, queue: fx.pipeline.queue, router: fx.router });
const modify = (faxId: number, changes: ModifyChanges, actor = 'alice') =>
  modifyFax(ctx(), { actor, faxId, changes });
const job = (id: number) => fx.pipeline.queue.getJob(jobIdOf(id));
const firesAt = (j: { timestamp: number; delay: number } | undefined) =>
  (j?.timestamp ?? 0) + (j?.delay ?? 0);

describe('modifyFax', () => {
  it('moves the BullMQ job to the new send time and priority, with job.modify on record', async () => {
    const fax = await waitingFax(fx);
    const old = await job(fax.id);
    expect(old?.opts.priority).toBe(128);
    expect(old?.delay).toBeGreaterThan(HOUR - 5_000);

    const sendAt = new Date(Date.now() + 2 * HOUR);
    const r = await modify(fax.id, { sendAt, priority: 10 });
    expect(r.changed.sort()).toEqual(['priority', 'sendAt']);
    expect(r.job).toBe('updated');
    expect(r.fax).toMatchObject({ state: 'pending', priority: 10, notBefore: sendAt });
    const moved = await job(fax.id);
    expect(await moved?.getState()).toBe('delayed');
    expect(moved?.opts.priority).toBe(11);
    // fires at the new send time (job timestamp + delay; two clock reads apart)
    expect(Math.abs(firesAt(moved) - sendAt.getTime())).toBeLessThanOrEqual(50);
    const row = await faxes.get(fx.db, fax.id);
    expect(row.metadata[QUEUE_SYNC]).toBeUndefined();
    const ev = (await eventsOf(fx, fax.id)).filter((e) => e.type === 'job.modify');
    expect(ev).toHaveLength(1);
    expect(ev[0].actor).toBe('alice');
    expect(ev[0].details).toMatchObject({
      state: 'pending',
      changes: {
        priority: { from: 127, to: 10 },
        sendAt: { from: fax.notBefore?.toISOString(), to: sendAt.toISOString() },
      },
    });

    // "now": no delay any more, the job waits for a line at its priority
    const now = await modify(fax.id, { sendAt: null });
    expect(now.fax.notBefore).toBeNull();
    const ready = await job(fax.id);
    expect(['prioritized', 'wait']).toContain(await ready?.getState());
    expect(ready?.delay).toBe(0);
    expect(ready?.opts.priority).toBe(11);
  });

  it('routes a new number as submit does: normalised, dial string with it', async () => {
    const fax = await waitingFax(fx);
    const r = await modify(fax.id, { number: '030 / 555-1234' });
    expect(r.changed).toEqual(['number']);
    expect(r.job).toBe('none'); // the number is not in the job: the worker reads the row
    expect(r.fax.remoteNumber).toBe('+49305551234');
    expect(r.fax.metadata.dialString).toBe('5551234');
    const same = await modify(fax.id, { number: '5551234' });
    expect(same.changed).toEqual([]);
    expect((await eventsOf(fx, fax.id)).filter((e) => e.type === 'job.modify')).toHaveLength(1);
  });

  it('refuses a blocked number: policy.reject on record, fax and job unchanged', async () => {
    const fax = await waitingFax(fx);
    const before = await faxes.get(fx.db, fax.id);
    const jobBefore = (await job(fax.id))?.asJSON();
    await expect(modify(fax.id, { number: '5559123', priority: 1 })).rejects.toBeInstanceOf(
      DestinationRefusedError,
    );
    await expect(modify(fax.id, { number: '110' })).rejects.toThrow(/emergency/);
    expect(await faxes.get(fx.db, fax.id)).toEqual(before);
    expect((await job(fax.id))?.asJSON()).toEqual(jobBefore);
    const ev = await eventsOf(fx, fax.id);
    expect(ev.map((e) => e.type)).toEqual(['job.create', 'policy.reject', 'policy.reject']);
    expect(ev[1].details).toMatchObject({ number: '+49305559123', via: 'modify' });
  });

  it('refuses one of our own numbers: resubmit instead', async () => {
    const fax = await waitingFax(fx);
    const before = await faxes.get(fx.db, fax.id);
    await expect(modify(fax.id, { number: '3001' })).rejects.toThrow(
      /\+49303001 is one of our own numbers \(mailbox sales-in\).*resubmit/,
    );
    expect(await faxes.get(fx.db, fax.id)).toEqual(before);
  });

  it('needs out.modify on the mailbox (the post office has it by role)', async () => {
    const fax = await waitingFax(fx);
    await expect(modify(fax.id, { priority: 5 }, 'bob')).rejects.toBeInstanceOf(ForbiddenError);
    expect((await faxes.get(fx.db, fax.id)).priority).toBe(127);
    expect((await job(fax.id))?.opts.priority).toBe(128);
    const r = await modify(fax.id, { priority: 5 }, 'po');
    expect(r.fax.priority).toBe(5);
    expect((await job(fax.id))?.opts.priority).toBe(6);
  });

  it('refuses a fax in a call or finished, saying what to do instead', async () => {
    const fax = await waitingFax(fx);
    await faxes.updateState(fx.db, fax.id, 'running', {}, { from: ['pending'] });
    const running = modify(fax.id, { priority: 1 });
    await expect(running).rejects.toBeInstanceOf(StateConflictError);
    await expect(running).rejects.toThrow(/is in a call: it cannot be modified now/);
    await faxes.updateState(fx.db, fax.id, 'done', {}, { from: ['running'] });
    await expect(modify(fax.id, { priority: 1 })).rejects.toThrow(/is done: .*resubmit it instead/);
    expect((await faxes.get(fx.db, fax.id)).priority).toBe(127);
  });

  it('refuses bad input before touching anything', async () => {
    const fax = await waitingFax(fx);
    const before = await faxes.get(fx.db, fax.id);
    const bad: ModifyChanges[] = [
      {},
      { priority: 256 },
      { priority: -1 },
      { priority: 1.5 },
      { sendAt: new Date(Date.now() + 6 * HOUR) }, // after the kill time (5 h)
      { killTime: new Date(Date.now() + HOUR / 2) }, // before the send time (1 h)
      { killTime: new Date(Date.now() - 1000) },
      { sendAt: new Date('nonsense') },
      { resolution: 'superfine' as 'fine' },
    ];
    for (const changes of bad) {
      await expect(modify(fax.id, changes), JSON.stringify(changes)).rejects.toBeInstanceOf(
        InvalidInputError,
      );
    }
    expect(await faxes.get(fx.db, fax.id)).toEqual(before);
    // a later send time with a later kill time is fine
    const r = await modify(fax.id, {
      sendAt: new Date(Date.now() + 6 * HOUR),
      killTime: new Date(Date.now() + 9 * HOUR),
    });
    expect(r.changed.sort()).toEqual(['killTime', 'sendAt']);
  });

  it('converts fine pages down for -r standard and refuses to make standard pages finer', async () => {
    const fine = createPage(1728, 400, 'fine');
    for (let x = 0; x < 1728; x += 2) setPixel(fine, x, 100, true);
    const fax = await waitingFax(fx, '5551000', { pages: [fine] });
    expect(fax.resolution).toBe(196);
    const r = await modify(fax.id, { resolution: 'standard' });
    expect(r.fax.resolution).toBe(98);
    const pages = await faxPages.list(fx.db, fax.id);
    expect(pages.map((p) => [p.yResolution, p.height])).toEqual([[98, 200]]);
    const page = readFaxDocument((await faxPages.get(fx.db, fax.id, 1)).tiff).pages[0].page;
    expect(page.resolution).toBe('standard');
    await expect(modify(fax.id, { resolution: 'fine' })).rejects.toThrow(/prepared in standard resolution/);
  });

  it('keeps the change when Redis does not take it: the reconciler moves the job later', async () => {
    const fax = await waitingFax(fx);
    const sendAt = new Date(Date.now() + 3 * HOUR);
    const r = await modifyFax(
      { db: fx.db, router: fx.router }, // no queue: Redis unreachable
      { actor: 'alice', faxId: fax.id, changes: { sendAt, priority: 40 } },
    );
    expect(r.job).toBe('deferred');
    const stale = await job(fax.id);
    expect(stale?.opts.priority).toBe(128);
    const marked = await faxes.get(fx.db, fax.id);
    expect(typeof marked.metadata[QUEUE_SYNC]).toBe('string');

    const report = await reconcile({
      db: fx.db,
      queue: fx.pipeline.queue,
      outcomeUnknown: 'hold',
      actor: 'gateway:test',
    });
    expect(report.resynced).toContain(fax.id);
    expect(report.created).not.toContain(fax.id);
    const fixed = await job(fax.id);
    expect(fixed?.opts.priority).toBe(41);
    expect(Math.abs(firesAt(fixed) - sendAt.getTime())).toBeLessThanOrEqual(50);
    expect((await faxes.get(fx.db, fax.id)).metadata[QUEUE_SYNC]).toBeUndefined();
    // and the next pass leaves it alone
    expect(
      (await reconcile({ db: fx.db, queue: fx.pipeline.queue, outcomeUnknown: 'hold', actor: 't' })).resynced,
    ).toEqual([]);
  });
});
