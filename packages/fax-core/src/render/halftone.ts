// The default grey → bilevel conversion ('halftone'): what a fax machine or Ghostscript
// does with a page of mixed text and tints, so light colours keep showing instead of
// vanishing under a fixed threshold.
//  - paper stays white: the page's paper tone is measured (the median of its light pixels:
//    255 for a drawn PDF page, ~240 for a scan on grey paper) and tones near it are white —
//    no tint or dust from paper; JPEG noise is averaged away (sigma filter) before screening;
//  - dark (< BLACK_CUT) stays solid black;
//  - thin strokes (text, rules: darker than something within 3 px on both sides, across,
//    down or diagonally) darker than `strokeCut` are solid black, so grey and coloured text
//    stays as the threshold drew it; lighter thin strokes (light grid lines, hairlines) become
//    every other pixel along the stroke — a clustered screen would miss them on whole rows;
//  - everything else (fills, bars, shading, photos) goes through a clustered-dot screen at
//    45°, 6×6 cells holding two dots (≈ 48 lpi at 204 dpi, like Ghostscript's default for
//    fax): dots survive the fax and its MMR coding far better than dispersed (Bayer) dots.
// White runs of 8 are skipped a word at a time as in threshold mode, and runs of 8 that are
// only black and white (aliased text) are packed from two words without analysis.
import type { BilevelPage } from '../page.js';
import type { GreyImage } from './bilevel.js';

export const BLACK_CUT = 64;
/** Tones this far below the paper's are paper (scanner noise, JPEG ringing). */
export const PAPER_MARGIN = 8;
/**
 * Paper on a drawn page: tones from 247 (0.97 grey) up. Measured on the corpus: the
 * gradients of tracemonkey p. 11 that Ghostscript inks up to ~253 keep ink within a block
 * at 248 as at 255, while 255 turned JPEG ringing on white into dots (scan-bad.pdf: 432
 * 8×8 blocks with a speck against 29 at 252 and 11 with the threshold).
 */
export const DRAWN_WHITE = 247;
/** A neighbour at least this much lighter bounds a stroke. */
const EDGE = 40;

/**
 * Rank (0..35) of each pixel of a 6×6 tile of a 45° clustered-dot screen: dot centres at
 * (1,1) and (4,4), pixels ranked by distance to the nearer centre (then angle, so a dot grows
 * round), the two dots growing in turn.
 */
export const SCREEN_RANK = (() => {
  const centres: Array<[number, number]> = [];
  for (let cy = -6; cy <= 12; cy += 3)
    for (let cx = -6; cx <= 12; cx += 3) if ((((cx + cy) / 3) & 1) === 0) centres.push([cx + 1, cy + 1]);
  const cells: Array<{ i: number; dot: number; d: number; a: number }> = [];
  for (let y = 0; y < 6; y++)
    for (let x = 0; x < 6; x++) {
      let best = { d: Number.POSITIVE_INFINITY, c: [0, 0] as [number, number] };
      for (const c of centres) {
        const d = (x - c[0]) ** 2 + (y - c[1]) ** 2;
        if (d < best.d) best = { d, c };
      }
      const dot = (((best.c[0] - 1 + 60) / 3) & 1) === 0 ? 0 : 1;
      cells.push({ i: y * 6 + x, dot, d: best.d, a: Math.atan2(y - best.c[1], x - best.c[0]) });
    }
  const order = [0, 1].map((k) => cells.filter((c) => c.dot === k).sort((p, q) => p.d - q.d || p.a - q.a));
  const rank = new Uint8Array(36);
  let r = 0;
  for (let j = 0; j < 18; j++)
    for (const o of order) {
      const c = o[j];
      if (c) rank[c.i] = r++;
    }
  return rank;
})();

/** Screen thresholds for paper at `lightest`: rank r inks tones below (r + 1)·lightest/36. */
export function screenFor(lightest: number): Uint8Array {
  return Uint8Array.from(SCREEN_RANK, (r) => Math.round(((r + 1) * lightest) / 36));
}

/**
 * The tone from which up a pixel is paper: DRAWN_WHITE when the median of the light pixels
 * (≥ 192, every 8th row) is 250 or more, as on a drawn page; else that median less
 * PAPER_MARGIN (a scan).
 */
export function paperWhite(img: GreyImage, w: number, h: number): number {
  const hist = new Uint32Array(256);
  const { data: src, stride: ss } = img;
  // White runs a word at a time where rows sit on 4-byte boundaries (one view for the image,
  // not one per row: this runs on every page).
  const words =
    ((src.byteOffset | ss) & 3) === 0 ? new Int32Array(src.buffer, src.byteOffset, src.length >>> 2) : null;
  const whole = words ? w & ~3 : 0;
  for (let y = 0; y < h; y += 8) {
    const s = y * ss;
    let x = 0;
    if (words) {
      for (let k = s >>> 2; x < whole; x += 4, k++) {
        if (words[k] === -1) hist[255] += 4;
        else {
          hist[src[s + x]]++;
          hist[src[s + x + 1]]++;
          hist[src[s + x + 2]]++;
          hist[src[s + x + 3]]++;
        }
      }
    }
    for (; x < w; x++) hist[src[s + x]]++;
  }
  let light = 0;
  for (let v = 192; v < 256; v++) light += hist[v];
  if (light === 0) return 255;
  let v = 255;
  for (let seen = hist[255]; seen * 2 < light; ) seen += hist[--v];
  return v >= 250 ? DRAWN_WHITE : v - PAPER_MARGIN;
}

const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/**
 * True when each of the 4 bytes of `w` (an int32, as Int32Array reads it: small integers stay
 * unboxed, where a Uint32Array's words above 2³¹ become doubles) is 0 or 255: every byte
 * equals its top bit spread.
 */
export function bw(w: number): boolean {
  return w === (Math.imul((w & 0x80808080) >>> 7, 255) | 0);
}

/**
 * The 4 pixels of a little-endian word of 0/255 bytes as 4 bits, first pixel highest, 1 = 0
 * (black): the top bits of the inverted bytes gathered by one multiply (no carries).
 */
export function inked(w: number): number {
  return (Math.imul((~w & 0x80808080) >>> 7, 0x08040201) >>> 24) & 0xf;
}

/**
 * Packs runs of 8 pixels from word `wi` on into `dst` from byte `di` while each run is only 0
 * and 255, at most `groups` runs; returns how many it packed (0: the first has other tones).
 */
function packBlackWhite(words: Int32Array, wi: number, dst: Uint8Array, di: number, groups: number): number {
  let g = 0;
  for (; g < groups; g++, wi += 2, di++) {
    const w0 = words[wi];
    const w1 = words[wi + 1];
    if ((w0 & w1) === -1) continue; // paper
    if (!bw(w0) || !bw(w1)) break;
    const byte = (inked(w0) << 4) | inked(w1);
    if (byte) dst[di] = byte;
  }
  return g;
}

/** Reach of the stroke test: strokes up to 2·REACH − 1 px wide (text to ~14 pt, rules) count as thin. */
const REACH = 3;

/**
 * Ink of a pixel of tone v with BLACK_CUT ≤ v < white; (x, y) in the image, (px, py) on the
 * page, `row` = (py % 6) · 6. One function with its loops written out: this runs for every
 * pixel of a fill.
 */
function midInk(
  src: Uint8Array,
  ss: number,
  w: number,
  h: number,
  x: number,
  y: number,
  v: number,
  px: number,
  py: number,
  strokeCut: number,
  white: number,
  screen: Uint8Array,
): number {
  const p = y * ss + x;
  // A stroke: a lighter pixel (by EDGE, or paper) close on both sides across (t = 1, a
  // stroke going down), above and below (t = 2, going across) or, for dark strokes, along a
  // diagonal (the joints of glyphs such as k, m, x are wide both ways).
  const lim = Math.min(v + EDGE, white);
  let t = 0;
  if (v < strokeCut) {
    // Text and dark rules: up to 2·REACH − 1 px wide, diagonals too.
    if (x >= REACH && y >= REACH && x + REACH < w && y + REACH < h) {
      // Inside (nearly every pixel; a scan's grey text edges are a third of its mid-tones):
      // the same reads as `lighter` below, written out.
      const s2 = 2 * ss;
      const s3 = 3 * ss;
      if (
        (src[p - 1] >= lim || src[p - 2] >= lim || src[p - 3] >= lim) &&
        (src[p + 1] >= lim || src[p + 2] >= lim || src[p + 3] >= lim)
      )
        return 1;
      if (
        (src[p - ss] >= lim || src[p - s2] >= lim || src[p - s3] >= lim) &&
        (src[p + ss] >= lim || src[p + s2] >= lim || src[p + s3] >= lim)
      )
        return 1;
      if (
        (src[p - ss - 1] >= lim || src[p - s2 - 2] >= lim || src[p - s3 - 3] >= lim) &&
        (src[p + ss + 1] >= lim || src[p + s2 + 2] >= lim || src[p + s3 + 3] >= lim)
      )
        return 1;
      if (
        (src[p - ss + 1] >= lim || src[p - s2 + 2] >= lim || src[p - s3 + 3] >= lim) &&
        (src[p + ss - 1] >= lim || src[p + s2 - 2] >= lim || src[p + s3 - 3] >= lim)
      )
        return 1;
    } else {
      const l = Math.min(x, REACH);
      const r = Math.min(w - 1 - x, REACH);
      const u = Math.min(y, REACH);
      const d = Math.min(h - 1 - y, REACH);
      if (lighter(src, p, -1, l, lim) && lighter(src, p, 1, r, lim)) return 1;
      if (lighter(src, p, -ss, u, lim) && lighter(src, p, ss, d, lim)) return 1;
      if (lighter(src, p, -ss - 1, Math.min(l, u), lim) && lighter(src, p, ss + 1, Math.min(r, d), lim))
        return 1;
      if (lighter(src, p, -ss + 1, Math.min(r, u), lim) && lighter(src, p, ss - 1, Math.min(l, d), lim))
        return 1;
    }
  } else {
    // Light hairlines: up to 3 px wide, across or down (half the reads: fills are mostly light).
    if (x >= 2 && y >= 2 && x + 2 < w && y + 2 < h) {
      // Inside (nearly every pixel; a scan's noise is most of them): the reads written out.
      if ((src[p - 1] >= lim || src[p - 2] >= lim) && (src[p + 1] >= lim || src[p + 2] >= lim)) t = 1;
      else if (
        (src[p - ss] >= lim || src[p - 2 * ss] >= lim) &&
        (src[p + ss] >= lim || src[p + 2 * ss] >= lim)
      )
        t = 2;
    } else {
      const l = Math.min(x, 2);
      const r = Math.min(w - 1 - x, 2);
      const u = Math.min(y, 2);
      const d = Math.min(h - 1 - y, 2);
      if (lighter(src, p, -1, l, lim) && lighter(src, p, 1, r, lim)) t = 1;
      else if (lighter(src, p, -ss, u, lim) && lighter(src, p, ss, d, lim)) t = 2;
    }
  }
  if (t !== 0) {
    // A light stroke (a hairline, not a speck of noise: it goes on to both sides) is every
    // other pixel along it.
    const goesOn =
      t === 2
        ? x > 0 && x + 1 < w && src[p - 1] < lim && src[p + 1] < lim
        : y > 0 && y + 1 < h && src[p - ss] < lim && src[p + ss] < lim;
    if (goesOn) return ((t === 1 ? py : px) & 1) ^ 1;
  }
  // The tone the screen sees: the mean of the 3×3 neighbours within ±EDGE of v (a sigma
  // filter). A lone noise pixel on paper takes the paper's tone and stays white; a fill
  // beside black text keeps its own tone (the text is left out), so no dark halo grows
  // around glyphs. Inside a flat fill (the common case) that is v itself.
  // tone < screen ⇔ sum < screen · n (n ≥ 1: v itself counts), no division.
  const cut = screen[(py % 6) * 6 + (px % 6)];
  // The filtered tone is a mean of tones within ±EDGE of v, so it lies in [v − EDGE, v + EDGE]:
  // a cut outside that range decides the pixel without reading a neighbour. A scan's paper
  // noise (tones just below paper) meets only the screen's top 8 of 36 cuts inside it.
  if (cut <= v - EDGE) return 0;
  if (cut > v + EDGE) return 1;
  if (x > 0 && y > 0 && x + 1 < w && y + 1 < h) {
    if (src[p - 1] === v && src[p + 1] === v && src[p - ss] === v && src[p + ss] === v)
      return v < cut ? 1 : 0;
    // Inside the image (nearly every pixel), the eight neighbours written out: a tone within
    // ±EDGE of v is c − (v − EDGE) in 0..2·EDGE, one unsigned compare.
    const lo = v - EDGE;
    let sum = v;
    let n = 1;
    let c: number;
    c = src[p - ss - 1];
    if ((c - lo) >>> 0 <= 2 * EDGE) {
      sum += c;
      n++;
    }
    c = src[p - ss];
    if ((c - lo) >>> 0 <= 2 * EDGE) {
      sum += c;
      n++;
    }
    c = src[p - ss + 1];
    if ((c - lo) >>> 0 <= 2 * EDGE) {
      sum += c;
      n++;
    }
    c = src[p - 1];
    if ((c - lo) >>> 0 <= 2 * EDGE) {
      sum += c;
      n++;
    }
    c = src[p + 1];
    if ((c - lo) >>> 0 <= 2 * EDGE) {
      sum += c;
      n++;
    }
    c = src[p + ss - 1];
    if ((c - lo) >>> 0 <= 2 * EDGE) {
      sum += c;
      n++;
    }
    c = src[p + ss];
    if ((c - lo) >>> 0 <= 2 * EDGE) {
      sum += c;
      n++;
    }
    c = src[p + ss + 1];
    if ((c - lo) >>> 0 <= 2 * EDGE) {
      sum += c;
      n++;
    }
    return sum < cut * n ? 1 : 0;
  }
  let sum = 0;
  let n = 0;
  const y1 = y + 1 < h ? y + 1 : y;
  const x1 = x + 1 < w ? x + 1 : x;
  for (let yy = y > 0 ? y - 1 : y; yy <= y1; yy++)
    for (let xx = x > 0 ? x - 1 : x, q = yy * ss + xx; xx <= x1; xx++, q++) {
      const c = src[q];
      if (c >= v - EDGE && c <= v + EDGE) {
        sum += c;
        n++;
      }
    }
  return sum < cut * n ? 1 : 0;
}

/** True when one of the `n` pixels from `p` in steps of `step` is at least `lim`. */
function lighter(src: Uint8Array, p: number, step: number, n: number, lim: number): boolean {
  for (let k = 1, q = p + step; k <= n; k++, q += step) if (src[q] >= lim) return true;
  return false;
}

/**
 * Draws `img` into the (white) `page` at (x0, y0), `w`×`h` pixels of it. The screen is tied
 * to page coordinates, so images placed side by side meet without a seam.
 */
export function halftoneRows(
  img: GreyImage,
  page: BilevelPage,
  x0: number,
  y0: number,
  w: number,
  h: number,
  strokeCut: number,
): void {
  const { data: src, stride: ss } = img;
  const { data: dst, stride: ds } = page;
  const white = paperWhite(img, w, h);
  const screen = screenFor(white);
  const aligned = (x0 & 7) === 0;
  const words =
    aligned && (src.byteOffset & 3) === 0 && (ss & 3) === 0
      ? new Int32Array(src.buffer, src.byteOffset, (src.length >>> 2) | 0)
      : null;
  for (let y = 0; y < h; y++) {
    const s = y * ss;
    const d = (y0 + y) * ds;
    const py = y0 + y;
    let x = 0;
    if (aligned) {
      let di = d + (x0 >>> 3);
      for (; x + 8 <= w; x += 8, di++) {
        const p = s + x;
        if (words) {
          // Runs of 8 that are paper or only 0 and 255 (an aliased text page, all but its
          // tints) in a loop of their own: black and paper, no analysis — as the per-pixel
          // path below decides them (0 < BLACK_CUT, 255 ≥ white).
          const n = LITTLE_ENDIAN ? packBlackWhite(words, p >>> 2, dst, di, (w - x) >>> 3) : 0;
          if (n > 0) {
            x += 8 * (n - 1);
            di += n - 1;
            continue;
          }
        }
        // Black and paper first, as the threshold does; the tones between, pixel by pixel.
        let byte =
          (src[p] < BLACK_CUT ? 0x80 : 0) |
          (src[p + 1] < BLACK_CUT ? 0x40 : 0) |
          (src[p + 2] < BLACK_CUT ? 0x20 : 0) |
          (src[p + 3] < BLACK_CUT ? 0x10 : 0) |
          (src[p + 4] < BLACK_CUT ? 0x08 : 0) |
          (src[p + 5] < BLACK_CUT ? 0x04 : 0) |
          (src[p + 6] < BLACK_CUT ? 0x02 : 0) |
          (src[p + 7] < BLACK_CUT ? 0x01 : 0);
        const mid =
          ((src[p] < white ? 0x80 : 0) |
            (src[p + 1] < white ? 0x40 : 0) |
            (src[p + 2] < white ? 0x20 : 0) |
            (src[p + 3] < white ? 0x10 : 0) |
            (src[p + 4] < white ? 0x08 : 0) |
            (src[p + 5] < white ? 0x04 : 0) |
            (src[p + 6] < white ? 0x02 : 0) |
            (src[p + 7] < white ? 0x01 : 0)) &
          ~byte;
        if (mid !== 0)
          for (let b = 0; b < 8; b++)
            if (
              mid & (0x80 >>> b) &&
              midInk(src, ss, w, h, x + b, y, src[p + b], x0 + x + b, py, strokeCut, white, screen)
            )
              byte |= 0x80 >>> b;
        if (byte) dst[di] = byte;
      }
    }
    for (; x < w; x++) {
      const px = x0 + x;
      const v = src[s + x];
      if (v < BLACK_CUT || (v < white && midInk(src, ss, w, h, x, y, v, px, py, strokeCut, white, screen)))
        dst[d + (px >>> 3)] |= 0x80 >>> (px & 7);
    }
  }
}
