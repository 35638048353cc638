// Incoming calls on demand: remote fax senders and non-fax services, LISTEN masks,
// several applications, rejects, and the "offer without LISTEN" option of the lockdown tests.
import { Cip, cipMask } from '@faxgate/capi-bindings';
import { type BilevelPage, pagesEqual, readSff, SffReader, writePbm, writeTiff } from '@faxgate/fax-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSff } from '../fax/sff.js';
import { type Simulator, startSimulator } from '../simulator.js';
import { TestClient } from '../test-support/client.js';
import { FAX_B, receiveFax, testPage } from '../test-support/fax-app.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim.close());

async function listening(
  mask = cipMask(Cip.SPEECH, Cip.AUDIO_3_1_KHZ, Cip.FAX_G2_G3),
  ctrl = 1,
  blocks = 7,
  len = 2048,
) {
  const c = await TestClient.register(sim.port, 2, blocks, len);
  const conf = await c.request(
    { name: 'LISTEN_REQ', controller: ctrl, infoMask: 0, cipMask: mask },
    'LISTEN_CONF',
  );
  expect(conf.info).toBe(0);
  return c;
}

describe('incoming fax', () => {
  it('delivers the pages of an injected fax to the listening application', async () => {
    const app = await listening(undefined, 1, 3, 512);
    const pages = [testPage(11), testPage(12, 300)];
    const [rx, rec] = await Promise.all([
      receiveFax(app),
      sim.injectCall({ from: '0301234', to: '3001', document: pages, csi: 'SENDER CSI' }),
    ]);
    expect(rx.cip).toBe(4);
    expect(rx.calling).toBe('0301234');
    expect(rx.called).toBe('3001');
    expect(rx.activeNcpi).toMatchObject({ rate: 14400, receiveId: 'SENDER CSI', resolution: 1 });
    expect(rx.reasonB3).toBe(0);
    expect(rx.finalNcpi?.pages).toBe(2);
    expect(rx.reason).toBe(0x3490);
    const got = readSff(rx.sff).pages.map((p) => p.page);
    expect(got).toHaveLength(2);
    got.forEach((p, i) => {
      expect(pagesEqual(p, pages[i])).toBe(true);
    });
    expect(rec).toMatchObject({ outcome: 'completed', pages: 2, direction: 'incoming' });
    await app.close();
  });

  it('reads TIFF and PBM documents through fax-core', async () => {
    const app = await listening();
    const pages = [testPage(13, 80)];
    for (const bytes of [writeTiff(pages), writePbm(pages)]) {
      const [rx] = await Promise.all([
        receiveFax(app),
        sim.injectCall({ from: '1', to: '3001', document: bytes }),
      ]);
      const got = readSff(rx.sff).pages.map((p) => p.page);
      expect(pagesEqual(got[0], pages[0])).toBe(true);
    }
    await app.close();
  });

  it('honours MaxBDataLen and MaxBDataBlocks: every IND fits, never more outstanding than allowed', async () => {
    const app = await listening(undefined, 1, 2, 300);
    const seen: number[] = [];
    let outstanding = 0;
    let maxOutstanding = 0;
    const ind = await (async () => {
      const p = sim.injectCall({ from: '5', to: '3001', document: [testPage(20, 400)] });
      const c = await app.next('CONNECT_IND');
      app.send({
        name: 'CONNECT_RESP',
        plci: c.plci,
        reject: 0,
        bProtocol: (await import('../test-support/fax-app.js')).FAX_B,
      });
      await app.next('CONNECT_ACTIVE_IND');
      app.send({ name: 'CONNECT_ACTIVE_RESP', plci: c.plci });
      const b3 = await app.next('CONNECT_B3_IND');
      app.send({ name: 'CONNECT_B3_RESP', ncci: b3.ncci, reject: 0 });
      await app.next('CONNECT_B3_ACTIVE_IND');
      app.send({ name: 'CONNECT_B3_ACTIVE_RESP', ncci: b3.ncci });
      // Hold the RESPs: the card must stop at 2 outstanding blocks.
      const held: number[] = [];
      for (let i = 0; i < 2; i++) {
        const d = await app.next('DATA_B3_IND');
        seen.push(d.data.length);
        held.push(d.dataHandle);
        outstanding++;
        maxOutstanding = Math.max(maxOutstanding, outstanding);
      }
      // Nothing more may arrive while both are held; the card has sent its 2 and waits.
      expect(app.inbox.filter((m) => m.name === 'DATA_B3_IND')).toHaveLength(0);
      for (const h of held) app.send({ name: 'DATA_B3_RESP', ncci: b3.ncci, dataHandle: h });
      for (;;) {
        const m = await app.nextWhere((x) => x.name === 'DATA_B3_IND' || x.name === 'DISCONNECT_B3_IND');
        if (m.name === 'DISCONNECT_B3_IND') {
          app.send({ name: 'DISCONNECT_B3_RESP', ncci: b3.ncci });
          break;
        }
        if (m.name === 'DATA_B3_IND') {
          seen.push(m.data.length);
          app.send({ name: 'DATA_B3_RESP', ncci: b3.ncci, dataHandle: m.dataHandle });
        }
      }
      const d = await app.next('DISCONNECT_IND');
      app.send({ name: 'DISCONNECT_RESP', plci: c.plci });
      return [d, await p] as const;
    })();
    expect(Math.max(...seen)).toBeLessThanOrEqual(300);
    expect(maxOutstanding).toBe(2);
    expect(ind[1].outcome).toBe('completed');
    await app.close();
  });

  it('the sender hangs up after page 1: Reason_B3 0x3314 with 1 page', async () => {
    const app = await listening();
    const [rx, rec] = await Promise.all([
      receiveFax(app),
      sim.injectCall({ from: '7', to: '3001', document: [testPage(1), testPage(2)], hangUpAfterPage: 1 }),
    ]);
    expect(rx.reasonB3).toBe(0x3314);
    expect(rx.finalNcpi?.pages).toBe(1);
    expect(rec.outcome).toBe('remote-abort');
    await app.close();
  });
});

describe('a sender that holds after page k (crash tests)', () => {
  it('sends pages 1..k and the first byte of the next page header, then nothing; the call stays up', async () => {
    const app = await listening();
    const pages = [testPage(31, 60), testPage(32, 70), testPage(33, 80), testPage(34, 50)];
    const call = sim.injectCall({
      from: '891111111',
      to: '3001',
      document: pages,
      holdAfterPage: 2,
      callerType: 'national',
    });
    const c = await app.next('CONNECT_IND');
    expect(c.callingPartyNumber).toMatchObject({ typePlan: 0x21, digits: '891111111' });
    app.send({ name: 'CONNECT_RESP', plci: c.plci, reject: 0, bProtocol: FAX_B });
    await app.next('CONNECT_ACTIVE_IND');
    app.send({ name: 'CONNECT_ACTIVE_RESP', plci: c.plci });
    const b3 = await app.next('CONNECT_B3_IND');
    app.send({ name: 'CONNECT_B3_RESP', ncci: b3.ncci, reject: 0 });
    await app.next('CONNECT_B3_ACTIVE_IND');
    app.send({ name: 'CONNECT_B3_ACTIVE_RESP', ncci: b3.ncci });
    const reader = new SffReader({ requireEnd: false });
    const got: BilevelPage[] = [];
    while (got.length < 2) {
      const d = await app.next('DATA_B3_IND');
      for (const p of reader.push(d.data)) got.push(p.page);
      app.send({ name: 'DATA_B3_RESP', ncci: b3.ncci, dataHandle: d.dataHandle });
    }
    // The stream stops right after the FE that completed page 2.
    const sff = buildSff(pages);
    expect(reader.bytesRead).toBe(sff.pageEnds[1] + 1);
    got.forEach((p, i) => {
      expect(pagesEqual(p, pages[i])).toBe(true);
    });
    expect(sim.plcisInUse()[0]).toBeGreaterThan(0);
    await app.close(); // the application goes away mid-call (a crashed gateway)
    expect(await call).toMatchObject({ outcome: 'app-gone', pages: 2 });
    expect(app.inbox.filter((m) => m.name === 'DATA_B3_IND')).toHaveLength(0);
  });

  it('presents the caller with the type of number asked for (international, unknown)', async () => {
    const app = await listening();
    for (const [callerType, typePlan] of [
      ['international', 0x11],
      ['unknown', 0x01],
    ] as const) {
      const call = sim.injectCall({ from: '49891111111', to: '3001', service: 'audio', callerType });
      const c = await app.next('CONNECT_IND');
      expect(c.callingPartyNumber?.typePlan).toBe(typePlan);
      app.send({ name: 'CONNECT_RESP', plci: c.plci, reject: 2 });
      const d = await app.next('DISCONNECT_IND');
      app.send({ name: 'DISCONNECT_RESP', plci: d.plci });
      expect((await call).outcome).toBe('rejected');
    }
    await expect(
      sim.injectCall({ from: '1', to: '3001', callerType: 'abbreviated' as 'unknown' }),
    ).rejects.toThrow(/unknown caller type/);
    await app.close();
  });
});

describe('offering and rejecting', () => {
  it('offers only to applications whose CIP mask matches, on the called controller', async () => {
    const faxOnly = await listening(cipMask(Cip.FAX_G2_G3));
    const audio = await listening(cipMask(Cip.AUDIO_3_1_KHZ));
    const ctrl2 = await listening(cipMask(Cip.AUDIO_3_1_KHZ), 2);
    const call = sim.injectCall({ from: '1', to: '3001', service: 'speech' });
    // speech (CIP 1): nobody listens for it on controller 1
    expect(await call).toMatchObject({ outcome: 'no-listener' });
    const call2 = sim.injectCall({ from: '1', to: '3001', service: 'audio' });
    const ind = await audio.next('CONNECT_IND');
    expect(ind.cipValue).toBe(4);
    audio.send({ name: 'CONNECT_RESP', plci: ind.plci, reject: 3 });
    const d = await audio.next('DISCONNECT_IND');
    audio.send({ name: 'DISCONNECT_RESP', plci: d.plci });
    expect(await call2).toMatchObject({ outcome: 'rejected', reason: 0x3491 });
    expect(faxOnly.inbox.some((m) => m.name === 'CONNECT_IND')).toBe(false);
    expect(ctrl2.inbox.some((m) => m.name === 'CONNECT_IND')).toBe(false);
    await Promise.all([faxOnly.close(), audio.close(), ctrl2.close()]);
  });

  it('the first application to accept wins; the others get 0x3304', async () => {
    const a = await listening();
    const b = await listening();
    const call = sim.injectCall({ from: '1', to: '3001', document: [testPage(3, 40)] });
    const [ia, ib] = await Promise.all([a.next('CONNECT_IND'), b.next('CONNECT_IND')]);
    expect(ia.plci).toBe(ib.plci);
    a.inbox.unshift(ia);
    const rx = receiveFax(a);
    const lost = await b.next('DISCONNECT_IND');
    expect(lost.reason).toBe(0x3304);
    b.send({ name: 'DISCONNECT_RESP', plci: lost.plci });
    expect((await rx).reasonB3).toBe(0);
    expect((await call).outcome).toBe('completed');
    await Promise.all([a.close(), b.close()]);
  });

  it('ignoreListen offers the call to an application that never listened', async () => {
    const c = await TestClient.register(sim.port);
    const call = sim.injectCall({ from: '1', to: '3001', service: 'data', ignoreListen: true });
    const ind = await c.next('CONNECT_IND');
    expect(ind.cipValue).toBe(2);
    c.send({ name: 'CONNECT_RESP', plci: ind.plci, reject: 2 });
    await c.next('DISCONNECT_IND');
    c.send({ name: 'DISCONNECT_RESP', plci: ind.plci });
    expect(await call).toMatchObject({ outcome: 'rejected', reason: 0x3490 });
    await c.close();
  });

  it('a speech call accepted as fax: the card finds no fax tones (0x3311)', async () => {
    const app = await listening();
    const [rx, rec] = await Promise.all([
      receiveFax(app),
      sim.injectCall({ from: '1', to: '3001', service: 'speech' }),
    ]);
    expect(rx.reasonB3).toBe(0x3311);
    expect(rec.outcome).toBe('not-fax');
    await app.close();
  });

  it('video calls carry CIP 6 (or 27 when asked)', async () => {
    const c = await TestClient.register(sim.port);
    for (const [opts, cip] of [
      [{}, 6],
      [{ cip: 27 }, 27],
    ] as const) {
      const call = sim.injectCall({ from: '1', to: '4010', service: 'video', ignoreListen: true, ...opts });
      const ind = await c.next('CONNECT_IND');
      expect(ind.cipValue).toBe(cip);
      expect(ind.plci & 0x7f).toBe(2); // DDI 4000-4099 is on controller 2
      c.send({ name: 'CONNECT_RESP', plci: ind.plci, reject: 7 });
      await c.next('DISCONNECT_IND');
      c.send({ name: 'DISCONNECT_RESP', plci: ind.plci });
      expect((await call).reason).toBe(0x34d8);
    }
    await c.close();
  });

  it('a number outside the plan is unallocated; a full line is busy', async () => {
    expect((await sim.injectCall({ from: '1', to: '9999', service: 'speech' })).outcome).toBe('unallocated');
    const c = await TestClient.register(sim.port, 4);
    const held = [
      sim.injectCall({ from: '1', to: '3001', service: 'speech', ignoreListen: true }),
      sim.injectCall({ from: '2', to: '3002', service: 'speech', ignoreListen: true }),
    ];
    await c.next('CONNECT_IND');
    await c.next('CONNECT_IND');
    expect(sim.channelsBusy()[0]).toBe(2);
    const full = await sim.injectCall({ from: '3', to: '3001', service: 'speech' });
    expect(full.outcome).toBe('no-channel');
    expect(full.bChannel).toBeUndefined();
    await c.close();
    // Each record names the B channel it held: two calls at once, two channels.
    expect((await Promise.all(held)).map((r) => r.bChannel).sort()).toEqual([1, 2]);
    expect(sim.channelsBusy()[0]).toBe(0);
  });
});
