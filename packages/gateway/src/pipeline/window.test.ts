// The sending window in the running pipeline (real PostgreSQL, Redis, capi-sim): a fax whose
// turn comes outside queue.timeOfDay is not dialled and waits for the window start.
import { faxes } from '@faxgate/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type PipelineFixture,
  startPipelineFixture,
  testPage,
  waitFor,
} from '../test-support/pipeline-fixture.js';
import { jobIdOf } from './queue.js';
import { submitFax } from './submit.js';

const HOUR = 3_600_000;
const hh = (h: number) => String(h % 24).padStart(2, '0');

// A one-hour window starting one to two hours from now (UTC), so now is outside it.
const now = Date.now();
const startHour = (new Date(now).getUTCHours() + 2) % 24;
const windowText = `${hh(startHour)}00-${hh(startHour + 1)}00`;
const today = new Date(now);
let opens = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate(), startHour);
if (opens <= now) opens += 24 * HOUR;

let fx: PipelineFixture;
beforeAll(async () => {
  fx = await startPipelineFixture({
    timeOfDay: windowText,
    timeZone: 'UTC',
    killTimeMinutes: 525600, // × timeScale 0.001 ≈ 8.8 h: the kill time must not end the test's fax
    reconcileIntervalSeconds: 3600,
  });
}, 60_000);
afterAll(async () => {
  await fx?.close();
});

describe('queue.timeOfDay', () => {
  it(`does not dial outside the window (${windowText} UTC); the fax is scheduled at the window start`, async () => {
    const { fax, enqueued } = await submitFax(
      { db: fx.db, queue: fx.pipeline.queue, router: fx.router, settings: fx.pipeline.settings },
      { actor: 'alice', mailboxId: fx.outbox, number: '555 1000', pages: [testPage(1)] },
    );
    expect(enqueued).toBe(true);
    const delayed = await waitFor('job.delayed', () =>
      fx.db('audit_events').where({ fax_id: fax.id, type: 'job.delayed' }).first(),
    );
    expect(delayed.details).toMatchObject({
      reason: 'outside the sending window',
      timeOfDay: windowText,
      timeZone: 'UTC',
      notBefore: new Date(opens).toISOString(),
    });
    const row = await faxes.get(fx.db, fax.id);
    expect(row.state).toBe('pending');
    expect(row.dials).toBe(0);
    expect(row.notBefore?.getTime()).toBe(opens);
    await waitFor('the job to wait', async () =>
      (await fx.pipeline.queue.getJob(jobIdOf(fax.id)))?.isDelayed(),
    );
    await new Promise((r) => setTimeout(r, 300)); // the worker had every chance to dial
    expect(fx.dialled).toEqual([]); // no CONNECT_REQ in the simulator's trace
    expect((await faxes.get(fx.db, fax.id)).state).toBe('pending');
    const types = (await fx.db('audit_events').where({ fax_id: fax.id }).orderBy('id')).map((e) => e.type);
    expect(types).toEqual(['job.create', 'job.delayed']);
  });
});
