/**
 * Pages of a B3 4 send when the card reports no page count at DISCONNECT_B3_IND (capi-sim
 * `finalNcpi: 'b3-5-only'`): counted from the SFF page ends whose data the card confirmed —
 * all of them for a completed call, one fewer than confirmed for a failed one (never more
 * than the remote kept). capi-bindings' sendFax over its rcapi transport against the simulator.
 */

import { CapiSession, RcapiTransport, sendFax } from '@faxgate/capi-bindings';
import { type BilevelPage, createPage, setPixel, writeSff } from '@faxgate/fax-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../simulator.js';

/** A page with 0xFE bytes likely inside its coded lines (dense, irregular runs). */
function page(seed: number, height = 300): BilevelPage {
  const p = createPage(1728, height, 'fine');
  for (let y = 0; y < height; y++) {
    for (let x = (seed * 13 + y * 7) % 50; x < 1700; x += 3 + ((x + y + seed) % 7)) setPixel(p, x, y, true);
  }
  return p;
}

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
