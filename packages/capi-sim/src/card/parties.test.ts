// One test per remote-party behaviour, through real sockets with a scripted CAPI fax app.
import { ncpiHighResolution } from '@faxgate/capi-bindings';
import { type BilevelPage, pagesEqual, readSff, writeSff } from '@faxgate/fax-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../simulator.js';
import { TestClient } from '../test-support/client.js';
import { sendFax, testPage } from '../test-support/fax-app.js';

let sim: Simulator;
let app: TestClient;
const doc = (pages: BilevelPage[]) => writeSff(pages);

beforeAll(async () => {
  sim = await startSimulator({
    parties: {
      '100': { kind: 'fax', csi: 'REMOTE FAX 100' },
      '101': { kind: 'fax', csi: 'SLOW', maxRate: 4800 },
      '102': { kind: 'fax', csi: 'NOFINE', fine: false },
      '103': { kind: 'fax', csi: 'HANGUP', hangUpAfterPage: 1 },
      '200': { kind: 'busy' },
      '201': { kind: 'no-answer', cause: 0x3492 },
      '202': { kind: 'reject', cause: 0x3495 },
      '300': { kind: 'voice' },
      '400': { kind: 'data' },
    },
  });
  app = await TestClient.register(sim.port);
});
afterAll(async () => {
  await app.close();
  await sim.close();
});

describe('remote parties', () => {
  it('a fax machine receives exactly the pages sent, with its CSI and the negotiated rate', async () => {
    const pages = [testPage(1), testPage(2, 200), testPage(3, 50)];
    const r = await sendFax(app, { to: '100', sff: doc(pages) });
    expect(r.connectConfInfo).toBe(0);
    expect(r.activeNcpi).toMatchObject({ rate: 14400, resolution: 1, receiveId: 'REMOTE FAX 100', pages: 0 });
    expect(r.reasonB3).toBe(0);
    expect(r.finalNcpi).toMatchObject({ pages: 3, receiveId: 'REMOTE FAX 100' });
    expect(r.reason).toBe(0x3490);
    expect(r.dataConfInfos.every((i) => i === 0)).toBe(true);
    const got = sim.remoteParty('100').received.at(-1)!;
    expect(got.complete).toBe(true);
    expect(got.pageCount).toBe(3);
    expect(got.pages).toHaveLength(3);
    expect(got.pages).toBe(got.pages); // decoded once, on the first read
    got.pages.forEach((p, i) => {
      expect(pagesEqual(p, pages[i])).toBe(true);
    });
    expect(Buffer.compare(got.sff, Buffer.from(doc(pages)))).toBe(0);
  });

  it('reports each page the remote confirmed while the call runs (events page), before the document', async () => {
    const seen: string[] = [];
    const onPage = (n: string, p: number) => seen.push(`${n}:page ${p}`);
    const onFax = (n: string) => seen.push(`${n}:fax`);
    sim.events.on('page', onPage);
    sim.events.on('fax', onFax);
    try {
      const pages = [testPage(1), testPage(2, 200), testPage(3, 50), testPage(4, 80)];
      const r = await sendFax(app, { to: '100', sff: doc(pages) });
      expect(r.finalNcpi).toMatchObject({ pages: 4 });
    } finally {
      sim.events.off('page', onPage);
      sim.events.off('fax', onFax);
    }
    const counts = seen.filter((s) => s.includes('page')).map((s) => Number(s.split(' ')[1]));
    expect(counts.at(-1)).toBe(4);
    expect(counts.every((c, i) => i === 0 || c > counts[i - 1])).toBe(true);
    expect(seen.at(-1)).toBe('100:fax');
    expect(seen.every((s) => s.startsWith('100:'))).toBe(true);
  });

  it('a remote that hangs up after page k has confirmed k pages (events page), then the call ends', async () => {
    const seen: number[] = [];
    const onPage = (n: string, p: number) => n === '103' && seen.push(p);
    sim.events.on('page', onPage);
    try {
      const r = await sendFax(app, { to: '103', sff: doc([testPage(1), testPage(2), testPage(3)]) });
      expect(r.reasonB3).toBe(0x3314);
      expect(r.finalNcpi).toMatchObject({ pages: 1 });
    } finally {
      sim.events.off('page', onPage);
    }
    expect(seen.every((p) => p <= 1)).toBe(true);
  });

  it('busy: DISCONNECT_IND 0x3491', async () => {
    const r = await sendFax(app, { to: '200', sff: doc([testPage(1)]) });
    expect(r.connectConfInfo).toBe(0);
    expect(r.reason).toBe(0x3491);
    expect(sim.calls.at(-1)?.outcome).toBe('busy');
  });

  it('no answer: the configured cause', async () => {
    const r = await sendFax(app, { to: '201', sff: doc([testPage(1)]) });
    expect(r.reason).toBe(0x3492);
    expect(sim.calls.at(-1)?.outcome).toBe('no-answer');
  });

  it('reject with a cause', async () => {
    const r = await sendFax(app, { to: '202', sff: doc([testPage(1)]) });
    expect(r.reason).toBe(0x3495);
    expect(sim.calls.at(-1)?.outcome).toBe('rejected');
  });

  it('unknown number: 0x3481 unallocated', async () => {
    const r = await sendFax(app, { to: '999', sff: doc([testPage(1)]) });
    expect(r.reason).toBe(0x3481);
  });

  it('voice line: answers, but T.30 fails with Reason_B3 0x3311', async () => {
    const r = await sendFax(app, { to: '300', sff: doc([testPage(1)]) });
    expect(r.reasonB3).toBe(0x3311);
    expect(r.reason).toBe(0x3490);
    expect(sim.calls.at(-1)?.outcome).toBe('not-fax');
  });

  it('data terminal: a fax call (3.1 kHz audio) is an incompatible destination', async () => {
    const r = await sendFax(app, { to: '400', sff: doc([testPage(1)]) });
    expect(r.reason).toBe(0x34d8);
  });

  it('hang-up after page 1: Reason_B3 0x3314, the machine keeps page 1', async () => {
    const pages = [testPage(4), testPage(5), testPage(6)];
    const r = await sendFax(app, { to: '103', sff: doc(pages) });
    expect(r.reasonB3).toBe(0x3314);
    expect(r.finalNcpi?.pages).toBe(1);
    const got = sim.remoteParty('103').received.at(-1)!;
    expect(got.complete).toBe(false);
    expect(got.pages).toHaveLength(1);
    expect(pagesEqual(got.pages[0], pages[0])).toBe(true);
  });

  it('no fine resolution: negotiates standard, refuses a fine page with 0x3313', async () => {
    const r = await sendFax(app, { to: '102', sff: doc([testPage(7)]) });
    expect(r.activeNcpi && ncpiHighResolution(r.activeNcpi)).toBe(false);
    expect(r.reasonB3).toBe(0x3313);
    const ok = await sendFax(app, { to: '102', sff: doc([testPage(8, 100, 'standard')]) });
    expect(ok.reasonB3).toBe(0);
    expect(sim.remoteParty('102').received.at(-1)?.complete).toBe(true);
  });

  it('slow line: trains to 4800 bit/s and takes three times the line time of 14400', async () => {
    const pages = [testPage(9, 400)];
    await sendFax(app, { to: '101', sff: doc(pages) });
    const slow = sim.calls.at(-1)!;
    await sendFax(app, { to: '100', sff: doc(pages) });
    const fast = sim.calls.at(-1)!;
    expect(slow.rate).toBe(4800);
    expect(fast.rate).toBe(14400);
    const t = sim.config.timings;
    const fixed = t.trainingMs + t.pageEndMs + t.releaseMs;
    expect((slow.lineMs - fixed) / (fast.lineMs - fixed)).toBeCloseTo(3, 5);
  });

  it('time factor > 0 stretches the call by line time × factor (timers, not instant)', async () => {
    sim.setTimeFactor(0.02);
    const t0 = Date.now();
    try {
      await sendFax(app, { to: '100', sff: doc([testPage(10, 100)]) });
    } finally {
      sim.setTimeFactor(0);
    }
    const elapsed = Date.now() - t0;
    const rec = sim.calls.at(-1)!;
    // answer + training + data + page end + release, all scaled; a lower bound only
    expect(elapsed).toBeGreaterThanOrEqual(0.02 * (rec.lineMs + sim.config.timings.answerMs) - 5);
  });

  it('a broken SFF from the application ends B3 with 0x3319', async () => {
    const bad = Buffer.from(doc([testPage(1)]));
    bad[0] = 0x00; // no SFF magic
    const r = await sendFax(app, { to: '100', sff: bad });
    expect(r.reasonB3).toBe(0x3319);
  });

  it('a document cut inside a record ends with 0x3319, not success', async () => {
    const full = Buffer.from(doc([testPage(1), testPage(2)]));
    // a line record announcing 16 bytes, followed by one
    const cut = Buffer.concat([full.subarray(0, full.length - 2), Buffer.from([0x10, 0x00])]);
    const r = await sendFax(app, { to: '100', sff: cut });
    expect(r.reasonB3).toBe(0x3319);
  });

  it('a line that does not decode is repaired (the previous row), not refused: the page counts', async () => {
    const pages = [testPage(11, 40), testPage(12, 40)];
    const sff = Buffer.from(doc(pages));
    // the first line record of page 1 (after document and page header) gets a code no row has
    const first = 20 + 18;
    expect(sff[first]).toBeGreaterThan(2);
    expect(sff[first]).toBeLessThanOrEqual(216);
    sff.fill(0xff, first + 1, first + 3);
    const repaired = readSff(sff).pages;
    expect(repaired[0].quality.badLines).toBe(1);
    const r = await sendFax(app, { to: '100', sff, block: 64 });
    expect(r.reasonB3).toBe(0);
    expect(r.finalNcpi?.pages).toBe(2);
    const got = sim.remoteParty('100').received.at(-1)!;
    expect(got.complete).toBe(true);
    expect(got.pages).toHaveLength(2);
    expect(pagesEqual(got.pages[0], repaired[0].page)).toBe(true);
    expect(pagesEqual(got.pages[0], pages[0])).toBe(false);
    expect(pagesEqual(got.pages[1], pages[1])).toBe(true);
  });

  it('DISCONNECT_B3_REQ before the end record is a local abort (0x3318); the remote keeps the whole pages', async () => {
    const pages = [testPage(1), testPage(2)];
    const full = Buffer.from(doc(pages));
    const r = await sendFax(app, { to: '100', sff: full.subarray(0, full.length - 2) });
    expect(r.reasonB3).toBe(0x3318);
    expect(r.finalNcpi?.pages).toBe(1);
    const got = sim.remoteParty('100').received.at(-1)!;
    expect(got.complete).toBe(false);
    expect(got.pages).toHaveLength(1);
    expect(pagesEqual(got.pages[0], pages[0])).toBe(true);
    expect(sim.calls.at(-1)?.outcome).toBe('local-abort');
  });
});
