/**
 * Whole faxes through the real libcapi20: NativeTransport → CapiSession → sendFax /
 * receiveFaxes against capi-sim, the simulated exchange behind a real rcapi server.
 * This file runs in its own vitest worker process, so it sets HOME (libcapi20 reads
 * $HOME/.capi20rc at its first call) and loads the library in-process.
 */
import fs from 'node:fs';
import { CapiSession, type FaxResult, NativeTransport, receiveFaxes, sendFax } from '@faxgate/capi-bindings';
import { capiHome } from '@faxgate/capi-bindings/test-support';
import { type BilevelPage, createPage, pagesEqual, readSff, setPixel, writeSff } from '@faxgate/fax-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../simulator.js';

let sim: Simulator;
let home: string;
let transport: NativeTransport;
let session: CapiSession;

/** A page with a few black bars, different per seed. */
function page(seed: number, height = 200): BilevelPage {
  const p = createPage(1728, height, 'fine');
  for (let y = 0; y < height; y++) {
    if ((y + seed) % 5 === 0) continue;
    const x0 = (seed * 53 + y * 13) % 1600;
    for (let x = x0; x < x0 + 30 + ((seed + y) % 70); x++) setPixel(p, x, y, true);
  }
  return p;
}

beforeAll(async () => {
  sim = await startSimulator({ parties: { '100': { kind: 'fax', csi: 'REMOTE FAX 100' } } });
  home = capiHome(sim.port);
  process.env.HOME = home;
  transport = new NativeTransport();
  session = await CapiSession.open(transport, { maxLogicalConnection: 2 });
});

afterAll(async () => {
  await session?.close();
  await transport?.close();
  await sim?.close();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('faxes through libcapi20 and capi-sim', () => {
  it('sends a 3-page fax that the remote machine receives byte for byte', async () => {
    const pages = [page(1), page(2, 300), page(3, 80)];
    const sff = Buffer.from(writeSff(pages));
    const r = await sendFax(session, { controller: 1, calledNumber: '100', stationId: '+49 30 1', sff });
    expect(r).toMatchObject({ ok: true, pages: 3, remoteStationId: 'REMOTE FAX 100' });
    const got = sim.remoteParty('100').received.at(-1)!;
    expect(got.complete).toBe(true);
    expect(Buffer.compare(got.sff, sff)).toBe(0);
  });

  it('receives a 2-page fax with every DATA_B3_IND answered', async () => {
    const pages = [page(7), page(8, 250)];
    const chunks: Buffer[] = [];
    const result = new Promise<FaxResult>((resolve) => {
      const stop = receiveFaxes(
        session,
        () => ({ action: 'accept', stationId: 'FAXGATE', onData: (c) => void chunks.push(Buffer.from(c)) }),
        {
          onResult: (r) => {
            stop();
            resolve(r);
          },
        },
      );
    });
    await session.listen(1);
    const call = await sim.injectCall({ from: '301234', to: '3001', document: pages, csi: 'SENDER 1' });
    const r = await result;
    expect(r).toMatchObject({ ok: true, pages: 2, remoteStationId: 'SENDER 1' });
    expect(call.pages).toBe(2);
    const doc = readSff(Buffer.concat(chunks));
    expect(doc.pages).toHaveLength(2);
    expect(doc.pages.map((p, i) => pagesEqual(p.page, pages[i]!))).toEqual([true, true]);
  });
});
