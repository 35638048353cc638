/**
 * Pages of a B3 4 send when the card reports no page count at DISCONNECT_B3_IND (capi-sim
 * `finalNcpi: 'b3-5-only'`): counted from the SFF page ends whose data the card confirmed —
 * all of them for a completed call, one fewer than confirmed for a failed one (never more
 * than the remote kept). SffPageEnds finds page ends by walking records, in any chunking.
 */
import { type Simulator, startSimulator } from '@faxgate/capi-sim';
import { type BilevelPage, createPage, setPixel, writeSff } from '@faxgate/fax-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RcapiTransport } from '../transport/rcapi/transport.js';
import { sendFax } from './send-fax.js';
import { CapiSession } from './session.js';
import { SffPageEnds } from './sff-page-ends.js';

/** A page with 0xFE bytes likely inside its coded lines (dense, irregular runs). */
function page(seed: number, height = 300): BilevelPage {
  const p = createPage(1728, height, 'fine');
  for (let y = 0; y < height; y++) {
    for (let x = (seed * 13 + y * 7) % 50; x < 1700; x += 3 + ((x + y + seed) % 7)) setPixel(p, x, y, true);
  }
  return p;
}

describe('SffPageEnds', () => {
  it('finds each page end at the offset of the next page header / end record, however the bytes are cut', () => {
    const pages = [page(1, 40), page(2, 10), page(3, 70)];
    const whole = writeSff(pages);
    // The expected ends: where writeSff of the first k pages stops before its end record.
    const ends = [1, 2, 3].map((k) => writeSff(pages.slice(0, k)).length - 2);
    for (const size of [1, 7, 216, 2048, whole.length]) {
      const t = new SffPageEnds();
      for (let i = 0; i < whole.length; i += size) t.push(whole.subarray(i, i + size));
      expect(ends.map((e) => [t.pagesWithin(e - 1), t.pagesWithin(e)])).toEqual([
        [0, 1],
        [1, 2],
        [2, 3],
      ]);
      expect(t.pagesWithin(whole.length)).toBe(3);
    }
  });
});

describe('sendFax B3 4 without a final NCPI (rcapi, capi-sim)', () => {
  let sim: Simulator;
  let transport: RcapiTransport;
  let session: CapiSession;

  beforeAll(async () => {
    sim = await startSimulator({
      timeFactor: 0,
      finalNcpi: 'b3-5-only',
      parties: { '100': { kind: 'fax' }, '103': { kind: 'fax', hangUpAfterPage: 3 } },
    });
    transport = new RcapiTransport({ port: sim.port });
    session = await CapiSession.open(transport);
  });
  afterAll(async () => {
    await session?.close();
    await transport?.close();
    await sim?.close();
  });

  const send = (to: string, sff: Uint8Array, b3: 4 | 5 = 4) =>
    sendFax(session, { controller: 1, calledNumber: to, stationId: 'TEST', sff, b3, resolution: 'fine' });

  it('a completed call: every page, counted from page ends', async () => {
    const r = await send('100', writeSff([page(1), page(2), page(3), page(4)]));
    expect(r).toMatchObject({ ok: true, pages: 4, pagesFrom: 'page-ends' });
    expect(sim.remoteParty('100').received.at(-1)?.pageCount).toBe(4);
  });

  it('a remote abort after page 3 of 5: fewer pages than the remote kept, never more', async () => {
    const r = await send('103', writeSff([1, 2, 3, 4, 5].map((i) => page(i))));
    expect(r.ok).toBe(false);
    expect(r.pagesFrom).toBe('page-ends');
    const kept = sim.remoteParty('103').received.at(-1)?.pageCount ?? 0;
    expect(kept).toBe(3);
    expect(r.pages).toBeGreaterThan(0);
    expect(r.pages).toBeLessThan(kept);
  });

  it('B3 5 still takes the NCPI page count', async () => {
    const r = await send('100', writeSff([page(1), page(2)]), 5);
    expect(r).toMatchObject({ ok: true, pages: 2, pagesFrom: 'ncpi' });
  });
});
