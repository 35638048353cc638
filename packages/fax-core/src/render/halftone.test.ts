// The default black/white conversion on grey levels and on PDF pages of our own (pdf-lib):
// tints become dots of about their density, text stays solid black over them and in colour,
// white and near-white stay white, light hairlines keep some ink.
import fs from 'node:fs';
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, type PDFFont, type PDFPage, rgb } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { type BilevelPage, createPage, getPixel } from '../page.js';
import { fontPath } from '../test-support/render-fixtures.js';
import { type GreyImage, greyToBilevel } from './bilevel.js';
import { BLACK_CUT, bw, DRAWN_WHITE, inked, PAPER_MARGIN, paperWhite, SCREEN_RANK } from './halftone.js';
import { renderJob } from './job.js';
import { DEFAULT_LIMITS, type DitherMode } from './types.js';

function grey(width: number, height: number, v: (x: number, y: number) => number): GreyImage {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = v(x, y);
  return { data, width, height, stride: width };
}

/** Black share of the rectangle [x0, x1) × [y0, y1). */
function density(p: BilevelPage, x0: number, y0: number, x1: number, y1: number): number {
  let n = 0;
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) n += getPixel(p, x, y);
  return n / ((x1 - x0) * (y1 - y0));
}

function halftone(img: GreyImage, x0 = 0, strokeCut = 160): BilevelPage {
  const p = createPage(Math.max(64, img.width + x0), img.height);
  greyToBilevel(img, p, x0, 0, 'halftone', strokeCut);
  return p;
}

/** A `size`² patch of tone `v` at (8, 8) in a white image three times its area. */
const patch = (size: number, v: number) =>
  grey(size * 2, size * 2, (x, y) => (x >= 8 && y >= 8 && x < size + 8 && y < size + 8 ? v : 255));

describe('halftone screen', () => {
  it('ranks each of the 36 screen pixels once, so a tone inks its share of the cell', () => {
    expect(new Set(SCREEN_RANK).size).toBe(36);
    // Paper at DRAWN_WHITE: tone v inks about (DRAWN_WHITE − v) / DRAWN_WHITE, in 36ths.
    for (const v of [230, 191, 128, 80]) {
      const p = halftone(patch(120, v));
      const d = density(p, 14, 14, 122, 122); // 18 × 18 whole cells inside the edge
      expect(Math.abs(d - (DRAWN_WHITE - v) / DRAWN_WHITE)).toBeLessThan(1.2 / 36);
      expect((d * 36) % 1).toBeCloseTo(0, 6);
    }
  });

  it('measures the paper: white on a drawn page, the median light tone less a margin on a scan', () => {
    expect(paperWhite(patch(60, 230), 120, 120)).toBe(DRAWN_WHITE);
    expect(
      paperWhite(
        grey(100, 100, (x) => 236 + (x % 7)),
        100,
        100,
      ),
    ).toBe(239 - PAPER_MARGIN);
    expect(
      paperWhite(
        grey(100, 100, () => 40),
        100,
        100,
      ),
    ).toBe(255);
    // Rows on 4-byte boundaries are read a word at a time with the last pixels one by one,
    // rows off them pixel by pixel: the same tone either way.
    const tone = (x: number) => (x % 9 === 0 ? 255 : 236 + (x % 7));
    const words = new Uint8Array(104 * 100).fill(0); // stride 104, 102 pixels used
    const bytes = new Uint8Array(1 + 102 * 100).subarray(1); // stride 102, odd offset
    for (let y = 0; y < 100; y++)
      for (let x = 0; x < 102; x++) words[y * 104 + x] = bytes[y * 102 + x] = tone(x);
    const a = paperWhite({ data: words, width: 102, height: 100, stride: 104 }, 102, 100);
    const b = paperWhite({ data: bytes, width: 102, height: 100, stride: 102 }, 102, 100);
    expect([a, b]).toEqual([239 - PAPER_MARGIN, 239 - PAPER_MARGIN]);
  });

  it('keeps paper white (grey scanner paper, JPEG noise) and dark solid', () => {
    // Grey paper 236..250 with noise, a black bar and a mid-grey box on it.
    let s = 7;
    const noise = () => {
      s = (s * 1103515245 + 12345) & 0x7fffffff;
      return s % 15;
    };
    const scan = grey(240, 120, (x, y) => {
      if (y >= 20 && y < 30) return 10;
      if (x >= 120 && x < 200 && y >= 60 && y < 110) return 140 + noise();
      return 236 + noise();
    });
    const p = halftone(scan);
    expect(density(p, 0, 40, 110, 120)).toBe(0); // paper
    expect(density(p, 0, 20, 240, 30)).toBe(1); // the bar
    const box = density(p, 124, 64, 196, 106);
    expect(box).toBeGreaterThan(0.3); // 140 on paper at ~243: about 40 % ink
    expect(box).toBeLessThan(0.55);
    expect(density(halftone(grey(200, 100, () => BLACK_CUT - 1)), 0, 0, 200, 100)).toBe(1);
  });

  it('draws thin strokes darker than the stroke cut solid, lighter ones every other pixel', () => {
    // A 2-px vertical stroke at x 10..11 and a 1-px horizontal line at y 30, on white.
    const img = (v: number) => grey(64, 48, (x, y) => (x === 10 || x === 11 || y === 30 ? v : 255));
    const dark = halftone(img(150));
    for (let y = 0; y < 48; y++) expect([getPixel(dark, 10, y), getPixel(dark, 11, y)]).toEqual([1, 1]);
    expect(density(dark, 20, 30, 64, 31)).toBe(1);
    const light = halftone(img(215));
    expect(density(light, 10, 0, 12, 28)).toBeCloseTo(0.5, 1);
    expect(density(light, 20, 30, 64, 31)).toBeCloseTo(0.5, 1);
    // The same light line in threshold mode: gone.
    const p = createPage(64, 48);
    greyToBilevel(img(215), p, 0, 0, 'none', 160);
    expect(density(p, 0, 0, 64, 48)).toBe(0);
  });

  it('ties the screen to the page, so an image drawn at an offset meets its neighbour without a seam', () => {
    const whole = halftone(grey(96, 24, () => 170));
    const split = createPage(96, 24);
    greyToBilevel(
      grey(40, 24, () => 170),
      split,
      0,
      0,
      'halftone',
      160,
    );
    greyToBilevel(
      grey(56, 24, () => 170),
      split,
      40,
      0,
      'halftone',
      160,
    );
    expect(split.data).toEqual(whole.data);
  });

  it('packs runs of only black and white from words as the per-pixel path decides them', () => {
    // Random 0/255 pixels (aliased text) with grey patches and a tint row band.
    let s = 11;
    const rnd = () => {
      s = (s * 1103515245 + 12345) & 0x7fffffff;
      return s / 0x80000000;
    };
    const w = 256;
    const img = grey(w, 96, (x, y) => {
      if (y >= 40 && y < 48) return 200;
      if (x >= 100 && x < 140 && y >= 60 && y < 90) return 120 + ((x * y) % 50);
      return rnd() < 0.3 ? 0 : 255;
    });
    expect(bw(0x00ff00ff)).toBe(true);
    expect(bw(0xff00ff7f)).toBe(false);
    expect(inked(0xffffff00)).toBe(0b1000); // the first pixel (lowest byte) black
    expect(inked(0x00ffffff)).toBe(0b0001);
    // The same image one byte further on in memory: no word reads, every pixel analysed.
    const shifted = new Uint8Array(img.data.length + 1);
    shifted.set(img.data, 1);
    const slow = halftone({ ...img, data: shifted.subarray(1) });
    const fast = halftone(img);
    expect(fast.data).toEqual(slow.data);
    // Outside the grey, what the threshold draws.
    const t = createPage(w, 96);
    greyToBilevel(img, t, 0, 0, 'none', 160);
    expect(fast.data.subarray(0, 40 * fast.stride)).toEqual(t.data.subarray(0, 40 * t.stride));
    expect(density(fast, 0, 40, w, 48)).toBeGreaterThan(0);
  });
});

// A4 at fine resolution: 204/72 px per point across from x = 21, 196/72 down from the top.
const px = (xPt: number) => 21 + Math.round((xPt * 204) / 72);
const py = (yTopPt: number) => Math.round((yTopPt * 196) / 72);

async function pdf(draw: (page: PDFPage, font: PDFFont) => void): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  const font = await doc.embedFont(fs.readFileSync(fontPath('DejaVuSans.ttf')), { subset: true });
  draw(doc.addPage([595.28, 841.89]), font);
  return doc.save();
}

async function render(bytes: Uint8Array, dither?: DitherMode): Promise<BilevelPage> {
  const r = await renderJob(bytes, dither ? { dither } : {}, { limits: DEFAULT_LIMITS });
  return r.pages[0];
}

/** Rectangle top-left at (x, yTop) points from the page's top-left. */
function rect(page: PDFPage, x: number, yTop: number, w: number, h: number, g: number): void {
  page.drawRectangle({ x, y: 841.89 - yTop - h, width: w, height: h, color: rgb(g, g, g) });
}

describe('halftone on PDF pages (the default)', () => {
  it('turns fills of grey 0.9, 0.75 and 0.5 into dots of about that density, white stays white', async () => {
    const bytes = await pdf((page) => {
      rect(page, 50, 100, 150, 150, 0.9);
      rect(page, 220, 100, 150, 150, 0.75);
      rect(page, 390, 100, 150, 150, 0.5);
      rect(page, 50, 300, 150, 150, 0.97);
    });
    const p = await render(bytes);
    const inside = (x: number, yTop: number) =>
      density(p, px(x) + 6, py(yTop) + 6, px(x + 150) - 6, py(yTop + 150) - 6);
    expect(inside(50, 100)).toBeGreaterThan(0.07);
    expect(inside(50, 100)).toBeLessThan(0.14);
    expect(inside(220, 100)).toBeGreaterThan(0.2);
    expect(inside(220, 100)).toBeLessThan(0.3);
    expect(inside(390, 100)).toBeGreaterThan(0.45);
    expect(inside(390, 100)).toBeLessThan(0.55);
    expect(inside(50, 300)).toBe(0); // 0.97 is paper tone
    expect(density(p, 0, py(480), p.width, p.height)).toBe(0);
    // The explicit threshold mode keeps its meaning: light fills vanish, 0.5 is solid.
    const t = await render(bytes, 'none');
    expect(density(t, px(50), py(100), px(370), py(250))).toBe(0);
    expect(density(t, px(390) + 6, py(100) + 6, px(540) - 6, py(250) - 6)).toBe(1);
  });

  it('keeps black text over a grey fill black and readable, the fill around it screened', async () => {
    const text = (page: PDFPage, font: PDFFont) =>
      page.drawText('Invoice total 1234,56 EUR', { x: 60, y: 841.89 - 140, size: 11, font });
    const plain = await render(await pdf(text), 'none');
    const over = await render(
      await pdf((page, font) => {
        rect(page, 50, 110, 300, 50, 0.75);
        text(page, font);
      }),
    );
    let glyph = 0;
    let kept = 0;
    for (let y = py(110); y < py(160); y++)
      for (let x = px(50); x < px(350); x++)
        if (getPixel(plain, x, y)) {
          glyph++;
          kept += getPixel(over, x, y);
        }
    expect(glyph).toBeGreaterThan(500);
    expect(kept).toBe(glyph);
    // The fill to the right of the text: about a quarter black.
    const d = density(over, px(260), py(115), px(345), py(155));
    expect(d).toBeGreaterThan(0.2);
    expect(d).toBeLessThan(0.3);
  });

  it('draws red, blue and grey text as solid as the threshold did', async () => {
    const bytes = await pdf((page, font) => {
      const colours = [rgb(1, 0, 0), rgb(0, 0, 1), rgb(0, 0.5, 0), rgb(0.4, 0.4, 0.4)];
      colours.forEach((color, i) => {
        page.drawText('Kontonummer 0123 4567 89', { x: 60, y: 700 - 30 * i, size: 10, font, color });
      });
    });
    const ours = await render(bytes);
    const before = await render(bytes, 'none');
    let glyph = 0;
    let lost = 0;
    let added = 0;
    for (let y = 0; y < ours.height; y++)
      for (let x = 0; x < ours.width; x++) {
        const a = getPixel(ours, x, y);
        const b = getPixel(before, x, y);
        glyph += b;
        if (b && !a) lost++;
        if (a && !b) added++;
      }
    expect(glyph).toBeGreaterThan(4000);
    // Measured: 1 pixel of 8588 (a joint wider than the stroke test reaches), none added.
    expect(lost).toBeLessThanOrEqual(glyph / 500);
    expect(added).toBe(0);
  });

  it('keeps a light-grey hairline grid visible', async () => {
    const bytes = await pdf((page) => {
      for (let i = 0; i < 5; i++) {
        page.drawLine({
          start: { x: 60, y: 600 - 20 * i },
          end: { x: 400, y: 600 - 20 * i },
          thickness: 0.5,
          color: rgb(0.8, 0.8, 0.8),
        });
      }
    });
    const ours = await render(bytes);
    const before = await render(bytes, 'none');
    expect(density(before, 0, 0, before.width, before.height)).toBe(0);
    for (let i = 0; i < 5; i++) {
      const y = py(841.89 - (600 - 20 * i));
      expect(density(ours, px(70), y - 3, px(390), y + 3)).toBeGreaterThan(0.05);
    }
  });
});
