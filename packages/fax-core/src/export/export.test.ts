import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { type BilevelPage, getPixel } from '../page.js';
import { noisePage, samplePages, textPage } from '../test-support/container-pages.js';
import { ghostscriptPages } from '../test-support/render-compare.js';
import { writeFaxPdf } from './pdf.js';
import { writePng } from './png.js';

function differingPixels(a: BilevelPage, b: BilevelPage): number {
  expect([b.width, b.height]).toEqual([a.width, a.height]);
  let n = 0;
  for (let y = 0; y < a.height; y++)
    for (let x = 0; x < a.width; x++) n += getPixel(a, x, y) ^ getPixel(b, x, y);
  return n;
}

describe('writePng', () => {
  it('decodes (sharp/libpng) to the same pixels, black as 0', async () => {
    for (const { name, page } of samplePages().slice(0, 4)) {
      const { data, info } = await sharp(writePng(page))
        .toColourspace('b-w')
        .raw()
        .toBuffer({ resolveWithObject: true });
      expect([info.width, info.height, info.channels], name).toEqual([page.width, page.height, 1]);
      let wrong = 0;
      for (let y = 0; y < page.height; y++) {
        for (let x = 0; x < page.width; x++) {
          const black = data[y * page.width + x] === 0;
          if (black !== (getPixel(page, x, y) === 1)) wrong++;
        }
      }
      expect(wrong, name).toBe(0);
    }
  });

  it('records the fax resolution in pHYs', async () => {
    const meta = await sharp(writePng(textPage(1728, 200, 'standard'))).metadata();
    expect(meta.density).toBe(204); // sharp reports the horizontal density in dpi
  });
});

describe('writeFaxPdf', () => {
  it('is rendered by Ghostscript to the very pixels of every page', () => {
    const pages = [textPage(1728, 600, 'fine'), noisePage(1728, 400, 0.1, 7, 'standard')];
    const pdf = writeFaxPdf(pages, {
      title: 'Fax (42) \\ test',
      createdAt: new Date('2026-11-27T10:00:00Z'),
    });
    expect(Buffer.from(pdf.subarray(0, 8)).toString('latin1')).toBe('%PDF-1.4');
    const fine = ghostscriptPages(pdf, '204x196');
    expect(fine).toHaveLength(2);
    expect(differingPixels(pages[0], fine[0])).toBe(0);
    const standard = ghostscriptPages(writeFaxPdf([pages[1]]), '204x98');
    expect(differingPixels(pages[1], standard[0])).toBe(0);
  });

  it('keeps the pages G4-coded: far smaller than the raw bitmap', () => {
    const page = textPage(1728, 2000, 'fine');
    expect(writeFaxPdf([page]).length).toBeLessThan(page.data.length / 8);
  });

  it('refuses an empty document', () => {
    expect(() => writeFaxPdf([])).toThrow(/at least one page/);
  });
});
