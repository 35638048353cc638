// Partial pages and the standard-resolution fallback, end to end with the simulator: a retry
// sends only the pages the remote has not confirmed (HylaFAX resends from the first page not
// confirmed), and a remote that takes standard resolution only gets the fax once more at
// standard — each recorded in the fax's row, the audit trail and the send log.
import { type BilevelPage, createPage, pagesEqual, setPixel } from '@faxgate/fax-core';
import { faxes } from '@faxgate/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type PipelineFixture,
  startPipelineFixture,
  testPage,
  waitTerminal,
} from '../test-support/pipeline-fixture.js';
import { decimateToStandard } from './pages.js';
import { submitFax } from './submit.js';
import { RESOLUTION_FALLBACK } from './transitions.js';

let fx: PipelineFixture;

/** A fine page with a pattern of its own (odd and even rows differ, so decimation shows). */
function finePage(seed: number, height = 600): BilevelPage {
  const page = createPage(1728, height, 'fine');
  for (let y = 10; y < height - 10; y += 3 + (seed % 4)) {
    for (let x = 80 + seed * 11; x < 1650; x += 2 + (y % 3)) setPixel(page, x, y, true);
  }
  return page;
}

beforeAll(async () => {
  fx = await startPipelineFixture({ reconcileIntervalSeconds: 3600, killTimeMinutes: 525_600 });
  // A fax machine that stops after page 3 of any call (hangs up with Reason_B3 0x3314).
  fx.sim.setParty('5551234', { kind: 'fax', csi: 'ABORTS AFTER 3', hangUpAfterPage: 3 });
}, 60_000);

afterAll(async () => {
  await fx?.close();
});

const submit = (number: string, pages: BilevelPage[]) =>
  submitFax(
    { db: fx.db, queue: fx.pipeline.queue, router: fx.router, settings: fx.pipeline.settings },
    { actor: 'alice', mailboxId: fx.outbox, number, pages },
  );

const sendRecords = (faxId: number) =>
  fx
    .db('xfer_log')
    .where({ fax_id: faxId, type: 'SEND' })
    .orderBy('id')
    .select('npages', 'reason', 'result_code');

describe('partial pages', () => {
  it('a remote that aborts after page 3 of 5: the retry sends pages 4–5 only; done with 5 confirmed', async () => {
    const pages = [1, 2, 3, 4, 5].map((i) => testPage(i));
    const { fax } = await submit('5551234', pages);
    const end = await waitTerminal(fx.db, fax.id, 60_000);
    expect(end).toMatchObject({ state: 'done', pagesDone: 5, pagesTotal: 5, tries: 2, dials: 2 });
    expect(end.causeText).toBe('5 pages confirmed (resumed at page 4: pages 4–5 in the last call)');

    const got = fx.sim.remoteParty('5551234').received;
    expect(got.map((r) => [r.pageCount, r.complete])).toEqual([
      [3, false],
      [2, true],
    ]);
    // The second call carried exactly pages 4 and 5.
    expect(pagesEqual(got[1].pages[0], pages[3])).toBe(true);
    expect(pagesEqual(got[1].pages[1], pages[4])).toBe(true);

    expect(await sendRecords(fax.id)).toEqual([
      {
        npages: 3,
        reason: 'disconnected during transfer (remote abort) (protocol-error); 3 of 5 pages confirmed',
        result_code: 'protocol-error',
      },
      { npages: 2, reason: 'resumed at page 4', result_code: 'ok' },
    ]);
    const ends = await fx
      .db('audit_events')
      .where({ fax_id: fax.id, type: 'send.end' })
      .orderBy('id')
      .pluck('details');
    expect(ends.map((d: Record<string, unknown>) => [d.firstPage, d.pages, d.pagesConfirmed])).toEqual([
      [1, 3, 3],
      [4, 2, 5],
    ]);
    // The row says it between the calls too: 3 confirmed after the first.
    const sleep = await fx.db('audit_events').where({ fax_id: fax.id, type: 'job.sleep' }).first();
    expect(sleep.details.reason).toContain('3 of 5 pages confirmed');
  });

  it('a standard-only remote: one fallback to standard (rows decimated), done, recorded; no triple failure', async () => {
    const pages = [finePage(1), finePage(2, 401)];
    const { fax } = await submit('5551002', pages);
    expect(fax.resolution).toBe(196);
    const end = await waitTerminal(fx.db, fax.id, 60_000);
    expect(end).toMatchObject({ state: 'done', pagesDone: 2, dials: 2 });
    expect(end.metadata[RESOLUTION_FALLBACK]).toMatchObject({ to: 'standard', dial: 1 });

    const got = fx.sim.remoteParty('5551002').received.filter((r) => r.complete);
    expect(got).toHaveLength(1);
    expect(got[0].fine).toBe(false);
    expect(got[0].pages.map((p) => [p.resolution, p.height])).toEqual([
      ['standard', 300],
      ['standard', 201],
    ]);
    // Every second row of the 196 lpi page.
    got[0].pages.forEach((p, i) => {
      expect(pagesEqual(p, decimateToStandard(pages[i]))).toBe(true);
    });

    const types = await fx.db('audit_events').where({ fax_id: fax.id }).orderBy('id').pluck('type');
    expect(types.filter((t: string) => t === 'send.reformat')).toHaveLength(1);
    expect(types.filter((t: string) => t === 'send.begin')).toHaveLength(2);
    const reformat = await fx.db('audit_events').where({ fax_id: fax.id, type: 'send.reformat' }).first();
    expect(reformat.details).toMatchObject({ from: 'fine', to: 'standard' });
    const [first, second] = await sendRecords(fax.id);
    expect(first.reason).toContain('the remote takes standard resolution only: resent at standard');
    expect(second).toMatchObject({ result_code: 'ok', npages: 2 });
    const ends = await fx
      .db('audit_events')
      .where({ fax_id: fax.id, type: 'send.end' })
      .orderBy('id')
      .pluck('details');
    expect(ends.map((d: Record<string, unknown>) => d.resolution)).toEqual(['fine', 'standard']);
    expect((await faxes.get(fx.db, fax.id)).state).toBe('done');
  });
});

describe('decimateToStandard', () => {
  it('keeps every second row of a fine page (196 → 98 lpi); standard pages stay as they are', () => {
    const page = finePage(3, 7);
    const std = decimateToStandard(page);
    expect(std).toMatchObject({ resolution: 'standard', height: 4, width: 1728 });
    for (let y = 0; y < 4; y++) {
      const row = (p: BilevelPage, r: number) =>
        Buffer.from(p.data.subarray(r * p.stride, (r + 1) * p.stride));
      expect(row(std, y).equals(row(page, 2 * y))).toBe(true);
    }
    const already = testPage(1);
    expect(decimateToStandard(already)).toBe(already);
  });
});
