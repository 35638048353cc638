// Each accepted input type through the job path (in-process; the sandbox is pool.test.ts):
// images, multi-page TIFF, fax TIFF pass-through, plain text, cover page and header line.
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { writeTiff } from '../containers/tiff.js';
import { type BilevelPage, createPage, getPixel, pagesEqual, setPixel } from '../page.js';
import { blackPixels } from '../test-support/render-compare.js';
import { DocumentError } from './errors.js';
import { renderJob } from './job.js';
import { DEFAULT_LIMITS, type RenderOptions } from './types.js';

const run = (bytes: Uint8Array, options: RenderOptions = {}) =>
  renderJob(bytes, options, { limits: DEFAULT_LIMITS });

/** A page with a pattern that any loss would change: diagonal lines and a checker block. */
function patternPage(width: number, height: number, resolution: BilevelPage['resolution']): BilevelPage {
  const p = createPage(width, height, resolution);
  for (let y = 0; y < height; y++) {
    setPixel(p, (y * 3) % width, y, true);
    if (y > 400 && y < 480) for (let x = 100; x < 300; x++) if ((x + y) & 1) setPixel(p, x, y, true);
  }
  return p;
}

describe('inputs', () => {
  it('a PNG photo is fitted to the fax width and dithered when asked', async () => {
    // 1600×1200 at 72 dpi is 22 inches wide: it must shrink onto the 1728-pel line.
    const png = await sharp({ create: { width: 1600, height: 1200, channels: 3, background: '#777777' } })
      .withMetadata({ density: 72 })
      .png()
      .toBuffer();
    const flat = await run(png, { dither: 'none', rotateLandscape: false });
    const dithered = await run(png, { dither: 'floyd-steinberg', rotateLandscape: false });
    expect(flat.sourceType).toBe('png');
    expect(flat.pages[0].width).toBe(1728);
    expect(blackPixels(flat.pages[0])).toBeGreaterThan(1728 * 1000); // grey 119 < 160: black
    const share = blackPixels(dithered.pages[0]) / (1728 * Math.round((1200 / 1600) * 1728 * (196 / 204)));
    expect(share).toBeGreaterThan(0.45);
    expect(share).toBeLessThan(0.62);
  });

  it('a JPEG is read, its EXIF orientation applied', async () => {
    const jpeg = await sharp({ create: { width: 400, height: 200, channels: 3, background: '#000000' } })
      .withMetadata({ orientation: 6, density: 100 })
      .jpeg()
      .toBuffer();
    const r = await run(jpeg);
    expect(r.sourceType).toBe('jpeg');
    // rotated: 2 in wide, 4 in tall at 100 dpi → ~408 pels × ~784 lines of black
    const p = r.pages[0];
    let rows = 0;
    for (let y = 0; y < p.height; y++) if (getPixel(p, 864, y)) rows++;
    expect(rows).toBeGreaterThan(760);
    expect(rows).toBeLessThan(810);
  });

  it('a multi-page non-fax TIFF (uncompressed, 1000 px wide) goes through libvips, one page per image', async () => {
    const pages = [0, 1, 2].map((i) => {
      const p = createPage(1000, 1400, 'fine');
      for (let y = 100 * i; y < 100 * i + 50; y++) for (let x = 0; x < 1000; x++) setPixel(p, x, y, true);
      return p;
    });
    const r = await run(writeTiff(pages, { coding: 'none' }));
    expect(r.sourceType).toBe('tiff');
    expect(r.pages.length).toBe(3);
    for (const p of r.pages) expect(p.width).toBe(1728);
    // each page keeps its own black band, in order
    const firstBlackRow = (p: BilevelPage) => {
      for (let y = 0; y < p.height; y++) if (getPixel(p, 864, y)) return y;
      return -1;
    };
    const rows = r.pages.map(firstBlackRow);
    expect(rows[0]).toBeGreaterThanOrEqual(0);
    expect(rows[1]).toBeGreaterThan(rows[0]);
    expect(rows[2]).toBeGreaterThan(rows[1]);
  });

  it('fax TIFFs (G4 fine, G3 standard, B4 width) pass through pixel for pixel', async () => {
    const pages = [
      patternPage(1728, 2200, 'fine'),
      patternPage(1728, 1100, 'standard'),
      patternPage(2048, 1300, 'fine'),
    ];
    for (const coding of ['mmr', 'mh'] as const) {
      const tiff = writeTiff(pages, { coding });
      const r = await run(tiff);
      expect(r.pages.length).toBe(3);
      r.pages.forEach((p, i) => {
        expect(p.resolution).toBe(pages[i].resolution);
        expect(pagesEqual(p, pages[i])).toBe(true);
      });
    }
    // converted only when asked
    const fine = await run(writeTiff([pages[1]], { coding: 'mmr' }), { resolution: 'fine' });
    expect(fine.pages[0].height).toBe(2200);
  });

  it('landscape pages are turned a quarter left to fill the portrait page (PDF and image)', async () => {
    const { PDFDocument } = await import('pdf-lib');
    const doc = await PDFDocument.create();
    const page = doc.addPage([842, 595]);
    page.drawRectangle({ x: 0, y: 545, width: 842, height: 50 }); // a bar along the landscape top
    const pdf = await doc.save();
    const png = await sharp({ create: { width: 842, height: 595, channels: 3, background: '#ffffff' } })
      .composite([
        {
          input: { create: { width: 842, height: 50, channels: 3, background: '#000000' } },
          top: 0,
          left: 0,
        },
      ])
      .withMetadata({ density: 72 })
      .png()
      .toBuffer();
    for (const bytes of [pdf, png]) {
      const turned = (await run(bytes)).pages[0];
      expect(turned.height).toBeGreaterThan(2200); // full A4 length, not shrunk to 70 %
      // the landscape top is now the left edge: black at the left, white at the right
      expect(getPixel(turned, 80, 1100)).toBe(1);
      expect(getPixel(turned, 1600, 1100)).toBe(0);
      const kept = (await run(bytes, { rotateLandscape: false })).pages[0];
      expect(getPixel(kept, 864, 10)).toBe(1); // bar still along the top
      expect(getPixel(kept, 80, 1100)).toBe(0);
    }
  });

  it('plain text: wraps, pages at form feed, refuses an empty text', async () => {
    const r = await run(Buffer.from(`${'word '.repeat(40)}\n\fsecond\tpage`));
    expect(r.sourceType).toBe('text');
    expect(r.pages.length).toBe(2);
    expect(r.pages[0].height).toBe(2292);
    await expect(run(Buffer.from('   \n\n'))).rejects.toBeInstanceOf(DocumentError);
  });

  it('cover page first, header line on every page with page x/y', async () => {
    const r = await run(Buffer.from('one\fthree'.replace('three', 'two')), {
      cover: { senderOrganisation: 'Stadtwerke', recipientName: 'Amt', subject: 'Test' },
      headerLine: { format: 'Page %%P of %%T', fields: {} },
      resolution: 'standard',
    });
    expect(r.documentPages).toBe(2);
    expect(r.pages.length).toBe(3);
    for (const p of r.pages) {
      expect(p.resolution).toBe('standard');
      let top = 0;
      for (let y = 0; y < 16; y++) for (let x = 0; x < p.width; x++) top += getPixel(p, x, y);
      expect(top).toBeGreaterThan(50); // the header text
    }
  });
});
