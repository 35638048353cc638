// mmr: 'only' codes each PDF page as soon as it is drawn (renderPdf's emit) instead of
// collecting the bitmaps: the same pages, cover and header line as the collecting path.
import { describe, expect, it } from 'vitest';
import { encodePage } from '../codec/index.js';
import { makeScanPdf, makeTextPdf } from '../test-support/render-fixtures.js';
import { renderJob } from './job.js';
import { renderPdf } from './pdf.js';
import { DEFAULT_LIMITS, type RenderOptions } from './types.js';
import { releaseBuffer } from './worker.js';

const ctx = {
  limits: DEFAULT_LIMITS,
  encodeMmr: (p: Parameters<typeof encodePage>[0]) => encodePage(p, { coding: 'mmr' }),
};

describe('render job, pages coded as drawn', () => {
  it('gives the MMR pages, cover and header line of the collecting path, and no bitmaps', async () => {
    const pdf = await makeTextPdf(3);
    const options: RenderOptions = {
      cover: { senderOrganisation: 'Stadtwerke', recipientName: 'Amt', subject: 'Test', date: new Date(0) },
      headerLine: { format: 'From %%s|Page %%P/%%T', fields: { senderName: 'Bench' }, date: new Date(0) },
    };
    const streamed = await renderJob(pdf, { ...options, mmr: 'only' }, ctx);
    const collected = await renderJob(pdf, { ...options, mmr: true }, ctx);
    expect(streamed.pages).toEqual([]);
    expect(streamed.pageCount).toBe(4);
    expect(streamed.documentPages).toBe(3);
    expect(collected.pages).toHaveLength(4);
    expect(streamed.mmr).toEqual(collected.mmr);
  });

  it('hands each page over with the page count and keeps none', async () => {
    const seen: Array<[number, number, number]> = [];
    const pages = await renderPdf(await makeTextPdf(2), {
      resolution: 'fine',
      dither: 'halftone',
      threshold: 160,
      limits: DEFAULT_LIMITS,
      extraPages: 0,
      rotateLandscape: true,
      emit: (p, i, count) => seen.push([i, count, p.height]),
    });
    expect(pages).toEqual([]);
    expect(seen.map(([i, count]) => [i, count])).toEqual([
      [0, 2],
      [1, 2],
    ]);
    expect(seen[0][2]).toBeGreaterThan(2000);
  });

  it('lets a PDF input go once PDFium has its copy: released mid-job, the same pages come out', async () => {
    for (const pdf of [await makeTextPdf(2), await makeScanPdf(2)]) {
      const kept = await renderJob(pdf.slice(), { mmr: 'only' }, ctx);
      const input = pdf.slice();
      let released = 0;
      const freed = await renderJob(
        input,
        { mmr: 'only' },
        {
          ...ctx,
          releaseInput: () => {
            released++;
            expect(releaseBuffer(input)).toBe(true);
          },
        },
      );
      expect(released).toBe(1);
      expect(input.byteLength).toBe(0); // detached: nothing read it after the callback
      expect(freed.mmr).toEqual(kept.mmr);
    }
  });
});

describe('releaseBuffer', () => {
  it('lets go a buffer that holds the document and little else (an IPC message)', () => {
    const message = new Uint8Array(3 << 20);
    const doc = message.subarray(40, message.length - 200);
    let collected = 0;
    expect(releaseBuffer(doc, () => collected++)).toBe(true);
    expect([doc.byteLength, message.byteLength, collected]).toEqual([0, 0, 1]);
  });

  it('keeps a slice of something bigger, and what cannot be detached', () => {
    const big = new Uint8Array(4 << 20).fill(7);
    const slice = big.subarray(0, 2 << 20);
    expect(releaseBuffer(slice)).toBe(false);
    expect(slice.byteLength).toBe(2 << 20);
    expect(big[big.length - 1]).toBe(7);
    // A wasm memory's buffer (as PDFium's heap) is copied by structuredClone, never detached.
    const { Memory } = (
      globalThis as unknown as {
        WebAssembly: { Memory: new (d: { initial: number }) => { buffer: ArrayBuffer } };
      }
    ).WebAssembly;
    const wasm = new Uint8Array(new Memory({ initial: 1 }).buffer);
    expect(releaseBuffer(wasm)).toBe(false);
    expect(wasm.byteLength).toBe(65536);
  });
});
