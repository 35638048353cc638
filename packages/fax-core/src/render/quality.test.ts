// Our PDF rendering against Ghostscript's fax output (gs -sDEVICE=tiffg4 -r204x196, an
// external program used here only) and against a 2× reference, on text with embedded
// DejaVu Sans so both draw the same outlines. The figures are printed for the record.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BilevelPage } from '../page.js';
import {
  bestAlignment,
  blackPixels,
  connectedComponents,
  ghostscriptPages,
  tolerantDiff,
} from '../test-support/render-compare.js';
import { makeTextPdf } from '../test-support/render-fixtures.js';
import { renderJob } from './job.js';
import { DEFAULT_LIMITS } from './types.js';

let textPdf: Uint8Array;
let smallPdf: Uint8Array;
const report: string[] = [];

beforeAll(async () => {
  [textPdf, smallPdf] = await Promise.all([makeTextPdf(1, [10, 8, 12]), makeTextPdf(1, [8])]);
});

afterAll(() => {
  console.log(`render quality:\n  ${report.join('\n  ')}`);
});

async function ours(pdf: Uint8Array): Promise<BilevelPage> {
  const r = await renderJob(pdf, { resolution: 'fine' }, { limits: DEFAULT_LIMITS });
  return r.pages[0];
}

describe('render quality against Ghostscript', () => {
  it('a text page matches gs up to one-pixel edge placement', async () => {
    const a = await ours(textPdf);
    const [b] = ghostscriptPages(textPdf);
    expect([a.width, a.height]).toEqual([b.width, b.height]);
    // gs puts A4's 1686 pels at the left of the 1728-pel line, we centre them: align the ink first.
    const { dx, dy, diff } = bestAlignment(a, b, 1);
    const loose = tolerantDiff(a, b, dx, dy);
    const total = a.width * a.height;
    const black = Math.max(blackPixels(a), blackPixels(b));
    const pct = (n: number, of: number) => `${((100 * n) / of).toFixed(2)} %`;
    report.push(
      `text page 204x196 vs gs (shifted ${dx},${dy}): strict ${diff} px differ = ${pct(diff, total)} of the page ` +
        `(${pct(diff, black)} of black, sub-pixel edge placement); beyond ±1 px: ${loose} px = ${pct(loose, total)} ` +
        `of the page (${pct(loose, black)} of black)`,
    );
    expect(diff / total).toBeLessThan(0.06);
    expect(loose / total).toBeLessThan(0.005);
  }, 120_000);

  it('8 pt text stays legible: glyph components survive as in gs and a 2× reference', async () => {
    const a = await ours(smallPdf);
    const [b] = ghostscriptPages(smallPdf);
    const [hi] = ghostscriptPages(smallPdf, '408x392');
    const ccOurs = connectedComponents(a);
    const ccGs = connectedComponents(b);
    const ccRef = connectedComponents(hi);
    // Ink: our black area against the reference's, scaled to the same pixel size.
    const inkOurs = blackPixels(a);
    const inkRef = blackPixels(hi) / 4;
    report.push(
      `8 pt page: components ours ${ccOurs}, gs ${ccGs}, 2x reference ${ccRef} ` +
        `(ours/ref ${(ccOurs / ccRef).toFixed(3)}, gs/ref ${(ccGs / ccRef).toFixed(3)}); ` +
        `ink ours/ref ${(inkOurs / inkRef).toFixed(3)}, gs/ref ${(blackPixels(b) / inkRef).toFixed(3)}`,
    );
    // Broken strokes raise the count, glyphs run together lower it; both must stay rare.
    expect(ccOurs / ccRef).toBeGreaterThan(0.93);
    expect(ccOurs / ccRef).toBeLessThan(1.07);
    expect(Math.abs(ccOurs - ccRef)).toBeLessThanOrEqual(Math.abs(ccGs - ccRef) * 1.5 + 0.02 * ccRef);
    // Thin strokes keep their weight (no dropout, no blobs).
    expect(inkOurs / inkRef).toBeGreaterThan(0.8);
    expect(inkOurs / inkRef).toBeLessThan(1.35);
  }, 120_000);
});
