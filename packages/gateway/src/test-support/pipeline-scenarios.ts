// The outgoing pipeline end to end, shared by both transports: real PostgreSQL, real Redis
// (own key prefix), capi-sim, every call through the lockdown guard.

import type { CapiTransport } from '@faxgate/capi-bindings';
import type { Simulator } from '@faxgate/capi-sim';
import { pagesEqual } from '@faxgate/fax-core';
import { faxes } from '@faxgate/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DestinationRefusedError } from '../pipeline/errors.js';
import { jobIdOf } from '../pipeline/queue.js';
import { reconcile } from '../pipeline/reconciler.js';
import { stopFax } from '../pipeline/stop.js';
import { submitFax } from '../pipeline/submit.js';
import {
  deleteKeys,
  type PipelineFixture,
  startPipelineFixture,
  testPage,
  waitFor,
  waitTerminal,
} from './pipeline-fixture.js';

/** Every pipeline scenario; `makeTransport` undefined = the configured rcapi transport. */
export function pipelineScenarios(name: string, makeTransport?: (sim: Simulator) => CapiTransport): void {
  let fx: PipelineFixture;

  beforeAll(async () => {
    // Scaled clock: busy 180 s → 180 ms, no-answer/other 300 ms, protocol 60 ms. The periodic
    // reconciler is slowed down (1 h → 3.6 s) so the tests call it when they mean to. The kill
    // time is a year (≈ 9 h scaled): a fax on a busy machine ends by its dials, never by a
    // clock that a loaded test machine reaches first.
    fx = await startPipelineFixture(
      { reconcileIntervalSeconds: 3600, killTimeMinutes: 525_600 },
      { transport: makeTransport },
    );
  }, 60_000);

  afterAll(async () => {
    await fx?.close();
  });

  const submit = (number: string, pages = [testPage(1)], extra: { sendAt?: Date } = {}) =>
    submitFax(
      { db: fx.db, queue: fx.pipeline.queue, router: fx.router, settings: fx.pipeline.settings },
      { actor: 'alice', mailboxId: fx.outbox, number, pages, ...extra },
    );

  async function events(faxId: number): Promise<{ type: string; time: Date; actor: string }[]> {
    return fx.db('audit_events').where({ fax_id: faxId }).orderBy('id').select('type', 'time', 'actor');
  }

  describe(`outgoing pipeline over ${name}`, () => {
    it('sends a fax to 5551000: pages confirmed, the remote got exactly our pages', async () => {
      const pages = [testPage(1), testPage(2)];
      const before = fx.sim.remoteParty('5551000').received.length;
      const { fax, outcome, enqueued } = await submit('555 1000', pages);
      expect(outcome).toBe('queued');
      expect(enqueued).toBe(true);
      const done = await waitTerminal(fx.db, fax.id);
      expect(done.state).toBe('done');
      expect(done.pagesDone).toBe(2);
      expect(done.remoteStationId).toBe('+49 555 1000');
      expect(done.dials).toBe(1);
      expect(done.tries).toBe(1);
      const got = fx.sim.remoteParty('5551000').received.slice(before);
      expect(got).toHaveLength(1);
      expect(got[0].complete).toBe(true);
      expect(got[0].pages).toHaveLength(2);
      expect(got[0].pages.map((p, i) => pagesEqual(p, pages[i]))).toEqual([true, true]);
      expect((await events(fax.id)).map((e) => e.type)).toEqual([
        'job.create',
        'send.begin',
        'send.end',
        'send.done',
      ]);
      const log = await fx.db('xfer_log').where({ fax_id: fax.id }).orderBy('id');
      expect(log.map((r) => r.type)).toEqual(['SUBMIT', 'SEND']);
      expect(log[1]).toMatchObject({
        npages: 2,
        reason: '',
        dest: '5551000',
        remote_station: '+49 555 1000',
      });
      expect(await fx.pipeline.queue.getJob(jobIdOf(fax.id))).toBeUndefined();
    });

    it('retries a busy number at the configured (scaled) delay and fails after maxDials', async () => {
      const { fax } = await submit('5552000');
      const end = await waitTerminal(fx.db, fax.id);
      expect(end.state).toBe('failed');
      expect(end.cause).toBe('busy');
      expect(end.dials).toBe(12);
      expect(end.tries).toBe(0); // never connected: dials, not tries (HylaFAX)
      const ev = await events(fax.id);
      const begins = ev.filter((e) => e.type === 'send.begin').map((e) => new Date(e.time).getTime());
      const ends = ev.filter((e) => e.type === 'send.end').map((e) => new Date(e.time).getTime());
      expect(begins).toHaveLength(12);
      expect(ev.filter((e) => e.type === 'job.sleep')).toHaveLength(11);
      expect(ev.at(-1)?.type).toBe('job.dead');
      // busy = 180 s × 0.001: each sleep is scheduled 180 ms after its call ended (a few ms
      // before the event is written), and the next dial never starts before that time.
      const sleeps = (
        await fx
          .db('audit_events')
          .where({ fax_id: fax.id, type: 'job.sleep' })
          .orderBy('id')
          .select('details')
      ).map((r: { details: { retryClass: string; notBefore: string } }) => r.details);
      for (let i = 0; i < sleeps.length; i++) {
        const notBefore = new Date(sleeps[i].notBefore).getTime();
        expect(sleeps[i].retryClass).toBe('busy');
        expect(notBefore - ends[i]).toBeGreaterThan(100);
        expect(notBefore - ends[i]).toBeLessThanOrEqual(181);
        expect(begins[i + 1]).toBeGreaterThanOrEqual(notBefore - 2); // 2 ms: JS vs PostgreSQL clock rounding
      }
      expect(fx.dialled.filter((n) => n === '5552000')).toHaveLength(12);
    });

    it('never dials one number from two jobs at once, but uses both controllers for others', async () => {
      const calls: { to: string; controller: number; startedAt: number; endedAt: number }[] = [];
      const onCall = (c: { to: string; controller: number; startedAt: number; endedAt?: number }) =>
        calls.push({ ...c, endedAt: c.endedAt ?? Date.now() });
      fx.sim.events.on('call', onCall);
      fx.sim.setTimeFactor(0.01); // calls last long enough to overlap if they were allowed to
      try {
        const ids: number[] = [];
        for (const n of ['5551000', '5551000', '5551000', '5551002', '5551002']) {
          ids.push((await submit(n, [testPage(ids.length)])).fax.id);
        }
        const ends = await Promise.all(ids.map((id) => waitTerminal(fx.db, id, 30_000)));
        expect(ends.map((f) => f.state)).toEqual(['done', 'done', 'done', 'done', 'done']);
      } finally {
        fx.sim.setTimeFactor(0);
        fx.sim.events.off('call', onCall);
      }
      for (const n of ['5551000', '5551002']) {
        const same = calls.filter((c) => c.to === n).sort((a, b) => a.startedAt - b.startedAt);
        for (let i = 1; i < same.length; i++)
          expect(same[i].startedAt).toBeGreaterThanOrEqual(same[i - 1].endedAt);
      }
      // the two numbers did overlap: the serialisation is per number, not global
      const a = calls.filter((c) => c.to === '5551000');
      const b = calls.filter((c) => c.to === '5551002');
      expect(a.some((x) => b.some((y) => x.startedAt < y.endedAt && y.startedAt < x.endedAt))).toBe(true);
    });

    it('delivers to an internal number without a call (M 5.73), logged as internal', async () => {
      const pages = [testPage(3)];
      const { fax, outcome, deliveredFax } = await submit('3001', pages);
      expect(outcome).toBe('internal');
      expect(fax).toMatchObject({ state: 'done', internal: true, pagesDone: 1 });
      expect(deliveredFax).toMatchObject({
        direction: 'in',
        state: 'received',
        mailboxId: fx.inbox,
        internal: true,
      });
      expect(fx.dialled).not.toContain('3001');
      expect(fx.dialled.some((n) => n.endsWith('3001'))).toBe(false);
      expect((await events(fax.id)).map((e) => e.type)).toEqual(['send.internal']);
      const log = await fx.db('xfer_log').where({ fax_id: fax.id });
      expect(log).toHaveLength(1);
      expect(log[0]).toMatchObject({ type: 'SEND', device: 'internal', result_code: 'internal' });
      const stored = await fx.db('fax_pages').where({ fax_id: deliveredFax?.id }).count({ n: '*' });
      expect(Number(stored[0].n)).toBe(1);
    });

    it('refuses a blocked destination before anything is queued or dialled', async () => {
      const count = async () => Number((await fx.db('faxes').count({ n: '*' }))[0].n);
      const before = await count();
      await expect(submit('5559123')).rejects.toBeInstanceOf(DestinationRefusedError);
      await expect(submit('110')).rejects.toThrow(/emergency/);
      expect(await count()).toBe(before);
      expect(fx.dialled.filter((n) => n === '5559123' || n === '110')).toEqual([]);
      const rejects = await fx
        .db('audit_events')
        .where({ type: 'policy.reject' })
        .orderBy('id')
        .select('subject');
      expect(rejects.map((r) => r.subject)).toEqual(['number:+49305559123', 'number:+49110']);
    });

    it('marks a call with 0 confirmed pages as failed, with its cause', async () => {
      const { fax } = await submit('5553000'); // a telephone answers: no fax tones
      const end = await waitTerminal(fx.db, fax.id);
      expect(end.state).toBe('failed');
      expect(end.pagesDone).toBe(0);
      expect(end.tries).toBe(3); // connected each time: maxTries ends it
      expect(end.cause).not.toBe('ok');
      const sends = await fx.db('xfer_log').where({ fax_id: fax.id, type: 'SEND' });
      expect(sends).toHaveLength(3);
      for (const s of sends) {
        expect(s.npages).toBe(0);
        expect(s.reason).not.toBe('');
      }
    });

    it('rebuilds the queue from PostgreSQL after Redis lost it mid-run: every fax reaches a terminal state', async () => {
      // 30 faxes to three numbers (one busy); calls take a little while so some are in flight,
      // some sleeping, some waiting when Redis loses every key of ours.
      const numbers = ['5551000', '5551002', '5551000', '5551002', '5552000'];
      const ids: number[] = [];
      fx.sim.setTimeFactor(0.01);
      try {
        // The queue is paused while the 30 are submitted: on a busy machine submitting takes
        // longer than sending, and the queue would drain before the loss. Resumed, the workers
        // take a few at a time (4 B channels) and the rest wait.
        await fx.pipeline.queue.pause();
        try {
          for (let i = 0; i < 30; i++) ids.push((await submit(numbers[i % 5], [testPage(i)])).fax.id);
        } finally {
          await fx.pipeline.queue.resume();
        }
        const states = async () =>
          (await fx.db('faxes').whereIn('id', ids).select('state')).map((r: { state: string }) => r.state);
        await waitFor(
          'calls in flight and faxes still waiting',
          async () => {
            const s = await states();
            return s.includes('running') && s.filter((x) => x === 'pending').length >= 10;
          },
          120_000,
        );
        expect(await deleteKeys(fx.redis, fx.prefix)).toBeGreaterThan(0);
        const report = await reconcile({
          db: fx.db,
          queue: fx.pipeline.queue,
          outcomeUnknown: 'hold',
          actor: 'gateway:test',
        });
        expect(report.created.length).toBeGreaterThanOrEqual(10);
        expect(report.cutOff).toEqual([]); // the worker is alive: its calls are not "cut off"
        // Calls in flight end in the row; a retry whose job vanished is recreated by the
        // periodic pass (3.6 s here). Every fax ends, none twice.
        const ends = await Promise.all(ids.map((id) => waitTerminal(fx.db, id, 240_000)));
        expect(ends.map((f) => f.state)).toEqual(ids.map((_, i) => (i % 5 === 4 ? 'failed' : 'done')));
        for (const f of ends.filter((x) => x.state === 'done')) expect(f.dials).toBe(1);
        for (const f of ends.filter((x) => x.state === 'failed')) expect(f.dials).toBe(12);
      } finally {
        fx.sim.setTimeFactor(0);
      }
      // a second pass finds nothing to repair
      const again = await reconcile({
        db: fx.db,
        queue: fx.pipeline.queue,
        outcomeUnknown: 'hold',
        actor: 't',
      });
      expect(again.created).toEqual([]);
    }, 300_000); // a bound, not a timing: the faxes end when the machine gets to them

    it('holds a call cut off by a dead worker as outcome unknown, never resent', async () => {
      const { fax } = await submit('5551000', [testPage(5)], { sendAt: new Date(Date.now() + 3_600_000) });
      // What a worker that died mid-call leaves behind: 'running', owned by a process that is gone.
      await faxes.updateState(fx.db, fax.id, 'running', {
        dials: 1,
        line: 'c1',
        metadata: { ...fax.metadata, worker: '7' },
      });
      const dialsBefore = fx.dialled.length;
      const report = await reconcile({
        db: fx.db,
        queue: fx.pipeline.queue,
        outcomeUnknown: 'hold',
        actor: 't',
      });
      expect(report.cutOff).toEqual([fax.id]);
      const held = await faxes.get(fx.db, fax.id);
      expect(held).toMatchObject({ state: 'suspended', cause: 'outcome-unknown', dials: 1 });
      expect(await fx.pipeline.queue.getJob(jobIdOf(fax.id))).toBeUndefined();
      expect((await events(fax.id)).map((e) => e.type)).toEqual(['job.create', 'job.suspend']);
      expect(fx.dialled.length).toBe(dialsBefore);
    });

    it('stops a waiting fax: it leaves the queue and is never dialled', async () => {
      const { fax } = await submit('5551000', [testPage(6)], { sendAt: new Date(Date.now() + 3_600_000) });
      expect(await fx.pipeline.queue.getJob(jobIdOf(fax.id))).toBeDefined();
      const r = await stopFax(fx.pipeline.stopContext, { actor: 'alice', faxId: fax.id });
      expect(r.was).toBe('waiting');
      expect(r.fax).toMatchObject({ state: 'failed', cause: 'stopped' });
      expect(await fx.pipeline.queue.getJob(jobIdOf(fax.id))).toBeUndefined();
      expect((await events(fax.id)).map((e) => [e.type, e.actor])).toEqual([
        ['job.create', 'alice'],
        ['job.kill', 'alice'],
      ]);
    });

    it('stops a running call with a clean DISCONNECT', async () => {
      fx.sim.setTimeFactor(0.05); // a page at 4800 bit/s now takes about a second
      try {
        const callEnded = fx.sim.waitForCall((c) => c.to === '5551001');
        const { fax } = await submit('5551001', [testPage(7, 1100), testPage(8, 1100)]);
        await waitFor('the call to start', async () => (await faxes.get(fx.db, fax.id)).state === 'running');
        const r = await stopFax(fx.pipeline.stopContext, { actor: 'alice', faxId: fax.id });
        expect(r.was).toBe('running');
        const end = await waitTerminal(fx.db, fax.id);
        expect(end).toMatchObject({ state: 'failed', cause: 'stopped' });
        const kill = (await events(fax.id)).find((e) => e.type === 'job.kill');
        expect(kill?.actor).toBe('alice');
        const call = await callEnded; // the call already ended: the run recorded 'stopped' after it
        expect(call.outcome).toBe('local-abort');
        expect(call.pages).toBeLessThan(2);
      } finally {
        fx.sim.setTimeFactor(0);
      }
    });

    it('refuses a sender without out.send on the mailbox', async () => {
      await expect(
        submitFax(
          { db: fx.db, queue: fx.pipeline.queue, router: fx.router, settings: fx.pipeline.settings },
          { actor: 'alice', mailboxId: fx.inbox, number: '5551000', pages: [testPage(1)] },
        ),
      ).rejects.toThrow(/may not send/);
    });
  });
}
