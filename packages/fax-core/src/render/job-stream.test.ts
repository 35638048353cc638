// mmr: 'only' codes each PDF page as soon as it is drawn (renderPdf's emit) instead of
// collecting the bitmaps: the same pages, cover and header line as the collecting path.
import { describe, expect, it } from 'vitest';
import { encodePage } from '../codec/index.js';
import { makeTextPdf } from '../test-support/render-fixtures.js';
import { renderJob } from './job.js';
import { renderPdf } from './pdf.js';
import { DEFAULT_LIMITS, type RenderOptions } from './types.js';

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
});
