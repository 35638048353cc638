/**
 * Fax calls over both transports — the pure-TS rcapi client and the real libcapi20 (native
 * addon) — against capi-sim, the simulated exchange behind a real rcapi server. The pages are
 * made with fax-core's SFF writer; the sim decodes what we send. This file runs in its own
 * worker process, so it may point libcapi20 at the simulator through HOME/.capi20rc.
 */
import fs from 'node:fs';
import {
  CapiSession,
  type CapiTransport,
  createChunkStream,
  type FaxResult,
  NativeTransport,
  RcapiTransport,
  receiveFaxes,
  sendFax,
} from '@faxgate/capi-bindings';
import { capiHome } from '@faxgate/capi-bindings/test-support';
import { type BilevelPage, createPage, setPixel, writeSff } from '@faxgate/fax-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../simulator.js';

function page(seed: number, height = 60): BilevelPage {
  const p = createPage(1728, height, 'fine');
  for (let y = 0; y < height; y++) {
    const x0 = (seed * 37 + y * 11) % 1500;
    for (let x = x0; x < x0 + 40 + ((seed + y) % 90); x++) setPixel(p, x, y, true);
  }
  return p;
}
const doc = (n: number) => writeSff(Array.from({ length: n }, (_, i) => page(i + 1)));

for (const kind of ['rcapi', 'native'] as const) {
  describe(`${kind} transport`, () => {
    let sim: Simulator;
    let transport: CapiTransport;
    let session: CapiSession;
    let home: string | undefined;

    beforeAll(async () => {
      sim = await startSimulator({
        timeFactor: 0,
        controllers: [
          { bChannels: 30, msns: ['3001'] },
          { bChannels: 30, msns: [], ddi: [{ from: '4000', to: '4099' }] },
        ],
      });
      if (kind === 'native') {
        home = capiHome(sim.port);
        process.env.HOME = home; // libcapi20 reads $HOME/.capi20rc when it (re)connects
        transport = new NativeTransport();
      } else transport = new RcapiTransport({ port: sim.port });
      session = await CapiSession.open(transport);
    });
    afterAll(async () => {
      await session?.close();
      await transport?.close();
      await sim?.close();
      if (home) fs.rmSync(home, { recursive: true, force: true });
    });

    const send = (
      to: string,
      sff: Uint8Array | AsyncIterable<Uint8Array>,
      extra: Partial<Parameters<typeof sendFax>[1]> = {},
    ) =>
      sendFax(session, {
        controller: 1,
        calledNumber: to,
        stationId: '+49 30 1234',
        headLine: 'faxgate',
        sff,
        ...extra,
      });

    describe('sendFax against capi-sim', () => {
      it('complete: 3 pages confirmed by the remote, the remote got them', async () => {
        const r = await send('5551000', doc(3), { resolution: 'fine' });
        expect(r).toMatchObject({ ok: true, pages: 3, remoteStationId: '+49 555 1000', resolution: 'fine' });
        expect(r.cause.class).toBe('ok');
        expect(r.rate).toBeGreaterThan(0);
        const got = sim.remoteParty('5551000').received.at(-1)!;
        expect(got.pages).toHaveLength(3);
        expect(got.complete).toBe(true);
      });

      it('complete with B3 = 5', async () => {
        const r = await send('5551000', doc(1), { b3: 5 });
        expect(r).toMatchObject({ ok: true, pages: 1 });
      });

      it.each([
        ['5552000', 'busy', 0x3491],
        ['5552001', 'no-answer', 0x3493],
        ['5552002', 'rejected', 0x3495],
        ['5559999', 'rejected', 0x3481],
        ['5554000', 'not-a-fax', 0x34d8],
      ])('%s → %s', async (to, cls, reason) => {
        const r = await send(to, doc(1));
        expect(r.ok).toBe(false);
        expect(r.cause).toMatchObject({ reason, class: cls });
      });

      it('voice line → not-a-fax (Reason_B3 0x3311)', async () => {
        const r = await send('5553000', doc(1));
        expect(r.cause).toMatchObject({ reasonB3: 0x3311, class: 'not-a-fax' });
      });

      it('remote abort mid-document → protocol-error 0x3314 with the pages it took', async () => {
        const big = writeSff([page(1, 800), page(2, 800), page(3, 800)]);
        const r = await send('5551003', big);
        expect(r).toMatchObject({ ok: false, pages: 1 });
        expect(r.cause).toMatchObject({ reasonB3: 0x3314, class: 'protocol-error' });
      });

      it('invalid SFF from us → local-error 0x3319', async () => {
        const bad = Buffer.from(doc(1));
        bad.fill(0xff, 60, 200);
        const r = await send('5551000', bad);
        expect(r.ok).toBe(false);
        expect(r.cause).toMatchObject({ reasonB3: 0x3319, class: 'local-error' });
      });

      it('line drop during the data phase → line-error 0x3301', async () => {
        const full = writeSff([page(1, 800), page(2, 800)]);
        let release!: () => void;
        const gate = new Promise<void>((r) => {
          release = r;
        });
        async function* stalled() {
          yield full.subarray(0, 1000);
          await gate;
          yield full.subarray(1000);
        }
        const inData = new Promise<void>((resolve) => {
          const onMsg = (e: { name?: string }) => {
            if (e.name !== 'DATA_B3_REQ') return;
            sim.trace.off('message', onMsg);
            resolve();
          };
          sim.trace.on('message', onMsg);
        });
        const dropped = sim.waitForCall((c) => c.to === '5551000' && c.direction === 'outgoing');
        const running = send('5551000', stalled());
        await inData;
        expect(sim.dropLines(1)).toBe(1);
        release();
        const r = await running;
        expect(r.ok).toBe(false);
        expect(r.cause).toMatchObject({ reason: 0x3301, class: 'line-error' });
        expect((await dropped).outcome).toBe('line-drop');
      });

      it('stop (AbortSignal) mid-document → clean disconnect', async () => {
        const ac = new AbortController();
        const full = writeSff([page(1, 800), page(2, 800), page(3, 800)]);
        async function* slow() {
          yield full.subarray(0, 2048);
          ac.abort();
          yield full.subarray(2048);
        }
        const ended = sim.waitForCall((c) => c.to === '5551000');
        const r = await send('5551000', slow(), { signal: ac.signal });
        expect(r).toMatchObject({ ok: false, aborted: true });
        // The card only sees the document cut short: capi-sim reports that as an SFF error.
        expect(['local-abort', 'sff-error']).toContain((await ended).outcome);
      });

      it('60 concurrent calls on two controllers', async () => {
        const second = await CapiSession.open(transport);
        try {
          const sff = doc(1);
          const calls: Promise<FaxResult>[] = [];
          for (let i = 0; i < 60; i++) {
            const s = i % 2 ? second : session;
            calls.push(
              sendFax(s, { controller: 1 + (i % 2), calledNumber: '5551000', stationId: `S${i}`, sff }),
            );
          }
          const results = await Promise.all(calls);
          expect(results.filter((r) => r.ok)).toHaveLength(60);
          expect(results.every((r) => r.pages === 1)).toBe(true);
          expect(sim.channelsBusy()).toEqual([0, 0]);
        } finally {
          await second.close();
        }
      });
    });

    describe('receiveFaxes against capi-sim', () => {
      it('receives an injected fax: SFF streamed out, every DATA_B3_IND answered once', async () => {
        await session.listen(1);
        const chunks: Uint8Array[] = [];
        const result = new Promise<FaxResult>((resolve) => {
          receiveFaxes(
            session,
            () => ({
              action: 'accept',
              stationId: '+49 30 3001',
              onData: (c) => void chunks.push(Buffer.from(c)),
            }),
            { onResult: resolve },
          );
        });
        const rec = await sim.injectCall({
          from: '0301234',
          to: '3001',
          document: [page(1), page(2)],
          csi: 'SENDER',
        });
        const r = await result;
        expect(rec.outcome).toBe('completed');
        expect(r).toMatchObject({ ok: true, pages: 2, remoteStationId: 'SENDER' });
        expect(Buffer.concat(chunks).subarray(0, 4).toString('latin1')).toBe('Sfff');
        expect(r.bytes).toBe(Buffer.concat(chunks).length);
      });

      it('the SFF as an AsyncIterable with a slow consumer (back-pressure through DATA_B3_RESP)', async () => {
        await session.listen(1);
        const stream = createChunkStream(2);
        const result = new Promise<FaxResult>((resolve) => {
          receiveFaxes(
            session,
            () => ({ action: 'accept', stationId: 'GW', onData: stream.push, onResult: () => stream.end() }),
            {
              onResult: resolve,
            },
          );
        });
        const pages = [page(1, 800), page(2, 800)];
        const call = sim.injectCall({ from: '0301234', to: '3001', document: pages });
        const got: Buffer[] = [];
        for await (const c of stream) {
          got.push(Buffer.from(c));
          await new Promise((r) => setImmediate(r)); // a consumer slower than the line
        }
        const r = await result;
        expect((await call).outcome).toBe('completed');
        expect(r.ok).toBe(true);
        expect(Buffer.concat(got)).toEqual(Buffer.from(writeSff(pages)));
      });

      it('B3 = 5, sender hangs up after page 1 → protocol-error 0x3314', async () => {
        await session.listen(1);
        const result = new Promise<FaxResult>((resolve) => {
          receiveFaxes(session, () => ({ action: 'accept', b3: 5, stationId: 'GW' }), { onResult: resolve });
        });
        const rec = await sim.injectCall({
          from: '0301234',
          to: '3001',
          document: [page(1, 400), page(2, 400), page(3, 400)],
          hangUpAfterPage: 1,
        });
        const r = await result;
        expect(rec.outcome).toBe('remote-abort');
        expect(r.ok).toBe(false);
        expect(r.cause).toMatchObject({ reasonB3: 0x3314, class: 'protocol-error' });
      });

      it('stop (AbortSignal) while receiving → clean DISCONNECT_B3 / DISCONNECT, every DATA_B3_IND answered once', async () => {
        await session.listen(1);
        const ac = new AbortController();
        const inds: number[] = [];
        const resps: number[] = [];
        const onTrace = (e: { name: string; message?: { dataHandle?: number } }) => {
          if (e.name === 'DATA_B3_IND') inds.push(e.message!.dataHandle!);
          if (e.name === 'DATA_B3_RESP') resps.push(e.message!.dataHandle!);
        };
        sim.trace.on('message', onTrace);
        const result = new Promise<FaxResult>((resolve) => {
          receiveFaxes(
            session,
            () => ({ action: 'accept', stationId: 'GW', signal: ac.signal, onData: () => ac.abort() }),
            { onResult: resolve },
          );
        });
        const rec = await sim.injectCall({
          from: '0301234',
          to: '3001',
          document: [page(1, 800), page(2, 800)],
        });
        const r = await result;
        sim.trace.off('message', onTrace);
        expect(r).toMatchObject({ ok: false, aborted: true });
        expect(rec.outcome).not.toBe('completed');
        expect([...resps].sort((a, b) => a - b)).toEqual([...inds].sort((a, b) => a - b));
      });

      it('onTrained: the sender\'s TSI before any data; "hang-up" clears the call there', async () => {
        await session.listen(1);
        const seen: Array<{ tsi: string | undefined; bytesBefore: number }> = [];
        let bytes = 0;
        const run = (verdict: 'hang-up' | undefined) =>
          new Promise<FaxResult>((resolve) => {
            receiveFaxes(
              session,
              () => ({
                action: 'accept',
                stationId: 'GW',
                onTrained: async (t) => {
                  seen.push({ tsi: t.remoteStationId, bytesBefore: bytes });
                  await new Promise((r) => setImmediate(r)); // the RESP waits for an async hook
                  return verdict;
                },
                onData: (c) => {
                  bytes += c.length;
                },
              }),
              { onResult: resolve },
            );
          });
        const taken = run(undefined);
        const rec = await sim.injectCall({ from: '1', to: '3001', document: [page(1)], csi: ' ACME 1 ' });
        expect((await taken).ok).toBe(true);
        expect(rec.outcome).toBe('completed');
        expect(seen[0]).toEqual({ tsi: 'ACME 1', bytesBefore: 0 });
        bytes = 0;
        const refused = run('hang-up');
        const rec2 = await sim.injectCall({
          from: '1',
          to: '3001',
          document: [page(1), page(2)],
          csi: 'SPAM',
        });
        const r2 = await refused;
        expect(seen[1].tsi).toBe('SPAM');
        expect(r2).toMatchObject({ ok: false, aborted: true });
        expect(rec2.outcome).not.toBe('completed');
        expect(bytes).toBe(0); // nothing after the hang-up reaches onData
      });

      it('rejects a call with the decided reason', async () => {
        await session.listen(1);
        receiveFaxes(session, () => ({ action: 'reject', reject: 3 }));
        const rec = await sim.injectCall({ from: '0301234', to: '3001', document: [page(1)] });
        expect(rec.outcome).toBe('rejected');
        expect(rec.reason).toBe(0x3491);
      });
    });
  });
}
