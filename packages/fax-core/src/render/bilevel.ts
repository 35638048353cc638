// Grey (8 bit, 0 = black) → packed bilevel rows (1 = black, MSB first), written into a page
// at a horizontal offset. Halftone (the default: text sharp, tints screened, halftone.ts);
// a plain threshold for pure line art; Floyd–Steinberg or ordered (Bayer 8×8) for photos.
import type { BilevelPage } from '../page.js';
import { halftoneRows } from './halftone.js';
import type { DitherMode } from './types.js';

export interface GreyImage {
  data: Uint8Array;
  width: number;
  height: number;
  stride: number;
}

/**
 * Draws `img` into `page` with its top-left corner at (x0, y0). The page must be white
 * there; pixels outside the page are dropped.
 */
export function greyToBilevel(
  img: GreyImage,
  page: BilevelPage,
  x0: number,
  y0: number,
  mode: DitherMode,
  threshold: number,
): void {
  const w = Math.min(img.width, page.width - x0);
  const h = Math.min(img.height, page.height - y0);
  if (w <= 0 || h <= 0) return;
  if (mode === 'halftone') halftoneRows(img, page, x0, y0, w, h, threshold);
  else if (mode === 'floyd-steinberg') floydSteinberg(img, page, x0, y0, w, h, threshold);
  else if (mode === 'ordered') ordered(img, page, x0, y0, w, h);
  else thresholdRows(img, page, x0, y0, w, h, threshold);
}

function thresholdRows(
  img: GreyImage,
  page: BilevelPage,
  x0: number,
  y0: number,
  w: number,
  h: number,
  t: number,
): void {
  const { data: src, stride: ss } = img;
  const { data: dst, stride: ds } = page;
  const aligned = (x0 & 7) === 0;
  // Mostly white pages: test 8 grey pixels at once as two 32-bit words (white = 0xffffffff
  // when t <= 255), when the rows sit on 4-byte boundaries.
  const words =
    aligned && (src.byteOffset & 3) === 0 && (ss & 3) === 0
      ? new Uint32Array(src.buffer, src.byteOffset, (src.length >>> 2) | 0)
      : null;
  for (let y = 0; y < h; y++) {
    const s = y * ss;
    const d = (y0 + y) * ds;
    if (aligned) {
      // 8 pixels per output byte; a white run of 8 skips the byte.
      let di = d + (x0 >>> 3);
      let x = 0;
      for (; x + 8 <= w; x += 8, di++) {
        const p = s + x;
        if (words && words[p >>> 2] === 0xffffffff && words[(p >>> 2) + 1] === 0xffffffff) continue;
        const byte =
          ((src[p] < t ? 0x80 : 0) |
            (src[p + 1] < t ? 0x40 : 0) |
            (src[p + 2] < t ? 0x20 : 0) |
            (src[p + 3] < t ? 0x10 : 0) |
            (src[p + 4] < t ? 0x08 : 0) |
            (src[p + 5] < t ? 0x04 : 0) |
            (src[p + 6] < t ? 0x02 : 0) |
            (src[p + 7] < t ? 0x01 : 0)) >>>
          0;
        if (byte) dst[di] = byte;
      }
      for (; x < w; x++) if (src[s + x] < t) dst[d + ((x0 + x) >>> 3)] |= 0x80 >>> ((x0 + x) & 7);
    } else {
      for (let x = 0; x < w; x++) if (src[s + x] < t) dst[d + ((x0 + x) >>> 3)] |= 0x80 >>> ((x0 + x) & 7);
    }
  }
}

/** Bayer 8×8 thresholds 2..254, built by the recursion M(2n) = [[4M, 4M+2], [4M+3, 4M+1]]. */
const BAYER8 = (() => {
  let m = [[0]];
  while (m.length < 8) {
    const n = m.length;
    const next: number[][] = Array.from({ length: 2 * n }, () => new Array<number>(2 * n));
    for (let y = 0; y < n; y++)
      for (let x = 0; x < n; x++) {
        const v = 4 * m[y][x];
        next[y][x] = v;
        next[y][x + n] = v + 2;
        next[y + n][x] = v + 3;
        next[y + n][x + n] = v + 1;
      }
    m = next;
  }
  return Uint8Array.from(m.flat(), (v) => Math.round(((v + 0.5) * 256) / 64));
})();

function ordered(img: GreyImage, page: BilevelPage, x0: number, y0: number, w: number, h: number): void {
  const { data: src, stride: ss } = img;
  const { data: dst, stride: ds } = page;
  for (let y = 0; y < h; y++) {
    const row = BAYER8.subarray((y & 7) * 8, (y & 7) * 8 + 8);
    const s = y * ss;
    const d = (y0 + y) * ds;
    for (let x = 0; x < w; x++) {
      if (src[s + x] < row[(x0 + x) & 7]) dst[d + ((x0 + x) >>> 3)] |= 0x80 >>> ((x0 + x) & 7);
    }
  }
}

function floydSteinberg(
  img: GreyImage,
  page: BilevelPage,
  x0: number,
  y0: number,
  w: number,
  h: number,
  t: number,
): void {
  const { data: src, stride: ss } = img;
  const { data: dst, stride: ds } = page;
  // Two rows of error, 16× scaled, with one pixel of margin each side.
  let cur = new Int32Array(w + 2);
  let next = new Int32Array(w + 2);
  for (let y = 0; y < h; y++) {
    const s = y * ss;
    const d = (y0 + y) * ds;
    for (let x = 0; x < w; x++) {
      const v = src[s + x] + (cur[x + 1] >> 4);
      const black = v < t;
      const err = black ? v : v - 255;
      if (black) dst[d + ((x0 + x) >>> 3)] |= 0x80 >>> ((x0 + x) & 7);
      cur[x + 2] += err * 7;
      next[x] += err * 3;
      next[x + 1] += err * 5;
      next[x + 2] += err;
    }
    const tmp = cur;
    cur = next;
    next = tmp;
    next.fill(0);
  }
}
