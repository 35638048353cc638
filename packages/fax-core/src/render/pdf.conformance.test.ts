// PDFs of the shared corpus (npm run test:conformance): filled-in forms drawn where
// Ghostscript draws them, a scanner PDF without xref or %%EOF opened, a small landscape label
// left upright. The references are Ghostscript's own fax pages (gs -sDEVICE=tiffg4 -r204x196,
// at the document's page size). npm test: pdf-forms.test.ts, pdf-open.test.ts and
// orientation.test.ts on generated documents.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type BilevelPage, createPage, getPixel, setPixel } from '../page.js';
import { corpusDir } from '../test-support/corpus.js';
import { inkedBlocks, missingInkBlocks } from '../test-support/doc-compare.js';
import { blackPixels, ghostscriptPages } from '../test-support/render-compare.js';
import { renderPdf } from './pdf.js';
import { DEFAULT_LIMITS } from './types.js';

const doc = (name: string) => new Uint8Array(readFileSync(path.join(corpusDir(), 'realworld/docs', name)));
const render = (bytes: Uint8Array) =>
  renderPdf(bytes, {
    resolution: 'fine',
    dither: 'none',
    threshold: 160,
    limits: DEFAULT_LIMITS,
    extraPages: 0,
    rotateLandscape: true,
  });

const FORMS = [
  'pypdf/form_evince.pdf',
  'pypdf/form_acrobatReader.pdf',
  'pdf.js/annotation-text-widget.pdf',
  'pdf.js/form_two_pages.pdf',
  'pdf.js/secHandler.pdf',
  'pdf.js/prefilled_f1040.pdf',
];

describe('PDF fidelity on the shared corpus', () => {
  it.each(FORMS)('%s: form fields inked where Ghostscript inks them', async (name) => {
    const bytes = doc(name);
    const ours = await render(bytes);
    const gs = ghostscriptPages(bytes);
    expect(ours.length).toBe(gs.length);
    for (let i = 0; i < gs.length; i++) {
      // 24-pel blocks, ±1 block of slack: gs puts A4 at the left edge, we centre it.
      expect({ page: i + 1, missing: missingInkBlocks(ours[i], gs[i]) }).toEqual({
        page: i + 1,
        missing: [],
      });
      // and about as much of the page inked: without the fields 0–64 % of gs's blocks; with
      // them 78–104 % (gs halftones a button's grey face that the threshold drops).
      expect(inkedBlocks(ours[i])).toBeGreaterThan(0.7 * inkedBlocks(gs[i]));
    }
  });

  it('scan-bad.pdf (no xref, junk past %%EOF): one page with its scanned content', async () => {
    const bytes = doc('pdf.js/scan-bad.pdf');
    const ours = await render(bytes);
    const gs = ghostscriptPages(bytes);
    expect(ours.length).toBe(1);
    expect(gs.length).toBe(1);
    // Blocks of 10 or more black pels in gs; smaller specks are scanner noise at the edge.
    expect(missingInkBlocks(ours[0], gs[0], 24, 1, 10)).toEqual([]);
    expect(inkedBlocks(ours[0], 24, 10)).toBeGreaterThanOrEqual(inkedBlocks(gs[0], 24, 10));
  });

  it('german-umlaut-r.pdf (a 200×50 pt label): stays upright, its text where gs has it', async () => {
    const bytes = doc('pdf.js/german-umlaut-r.pdf');
    const [ours] = await render(bytes);
    const [gs] = ghostscriptPages(bytes);
    expect(ours.width).toBe(1728);
    expect(ours.height).toBe(Math.round((50 / 72) * 196)); // 136 lines: not turned
    expect(gs.height).toBe(ours.height);
    // gs's page at the left edge, ours centred on the line: compare at our offset.
    const offset = Math.floor((1728 - gs.width) / 2);
    const placed: BilevelPage = createPage(1728, gs.height, 'fine');
    for (let y = 0; y < gs.height; y++)
      for (let x = 0; x < gs.width; x++) if (getPixel(gs, x, y)) setPixel(placed, x + offset, y, true);
    expect(missingInkBlocks(ours, placed)).toEqual([]);
    expect(blackPixels(ours)).toBeGreaterThan(0.8 * blackPixels(gs));
  });
});
