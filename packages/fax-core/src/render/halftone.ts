// The default grey → bilevel conversion ('halftone'): what a fax machine or Ghostscript
// does with a page of mixed text and tints, so light colours keep showing instead of
// vanishing under a fixed threshold.
//  - near-white (≥ WHITE_CUT) stays white: no dust from paper tone or JPEG noise;
//  - dark (< BLACK_CUT) stays solid black;
//  - thin strokes (text, rules: darker than something within 3 px on both sides, across,
//    down or diagonally) darker than `strokeCut` are solid black, so grey and coloured text stays as
//    legible as with the threshold; lighter thin strokes (light grid lines, hairlines) become
//    every other pixel along the stroke — a clustered screen would miss them on whole rows;
//  - everything else (fills, bars, shading, photos) goes through a clustered-dot screen at
//    45°, 6×6 cells holding two dots (≈ 48 lpi at 204 dpi, like Ghostscript's default for
//    fax): dots survive the fax and its MMR coding far better than dispersed (Bayer) dots.
// White runs of 8 are skipped a word at a time as in threshold mode.
import type { BilevelPage } from '../page.js';
import type { GreyImage } from './bilevel.js';

export const WHITE_CUT = 240;
export const BLACK_CUT = 64;
/** A neighbour at least this much lighter bounds a stroke. */
const EDGE = 40;

/**
 * 6×6 thresholds of a 45° clustered-dot screen: dot centres at (1,1) and (4,4), pixels
 * ranked by distance to the nearer centre, the two dots growing in turn; rank r → threshold
 * (r + 0.5) · 256 / 36, so a tone v inks ≈ (255 − v) / 255 of the cell.
 */
export const SCREEN6 = (() => {
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
  // Per dot by distance (then angle, so a dot grows round), then the two dots interleaved.
  const order = [0, 1].map((k) => cells.filter((c) => c.dot === k).sort((p, q) => p.d - q.d || p.a - q.a));
  const t = new Uint8Array(36);
  let r = 0;
  for (let j = 0; j < 18; j++)
    for (const o of order) {
      const c = o[j];
      if (c) t[c.i] = Math.round(((r++ + 0.5) * 256) / 36);
    }
  return t;
})();

/** Reach of the stroke test: strokes up to 2·REACH − 1 px wide (text to ~14 pt, rules) count as thin. */
const REACH = 3;

/**
 * 1 when (x, y) of `src` has a pixel lighter by EDGE within REACH on both sides across (a
 * stroke going down) or along a diagonal, 2 when above and below (a stroke going across),
 * else 0. Diagonals catch the joints of glyphs (k, m, x) that are wide both ways.
 */
function thin(src: Uint8Array, ss: number, w: number, h: number, x: number, y: number, v: number): number {
  const lim = v + EDGE;
  const p = y * ss + x;
  const side = (dx: number, dy: number): boolean => {
    for (let k = 1; k <= REACH; k++) {
      const xx = x + k * dx;
      const yy = y + k * dy;
      if (xx < 0 || yy < 0 || xx >= w || yy >= h) return false;
      if (src[p + k * (dy * ss + dx)] >= lim) return true;
    }
    return false;
  };
  if (side(-1, 0) && side(1, 0)) return 1;
  if (side(0, -1) && side(0, 1)) return 2;
  if ((side(-1, -1) && side(1, 1)) || (side(1, -1) && side(-1, 1))) return 1;
  return 0;
}

/** One pixel's ink (1 black, 0 white); (x, y) in the image, (px, py) on the page. */
function ink(
  src: Uint8Array,
  ss: number,
  w: number,
  h: number,
  x: number,
  y: number,
  px: number,
  py: number,
  strokeCut: number,
): number {
  const v = src[y * ss + x];
  if (v >= WHITE_CUT) return 0;
  if (v < BLACK_CUT) return 1;
  const t = thin(src, ss, w, h, x, y, v);
  // A light stroke: every other pixel along it (by row going down, by column going across).
  if (t !== 0) return v < strokeCut ? 1 : ((t === 1 ? py : px) & 1) ^ 1;
  return v < SCREEN6[(py % 6) * 6 + (px % 6)] ? 1 : 0;
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
  const aligned = (x0 & 7) === 0;
  const words =
    aligned && (src.byteOffset & 3) === 0 && (ss & 3) === 0
      ? new Uint32Array(src.buffer, src.byteOffset, (src.length >>> 2) | 0)
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
        if (words && words[p >>> 2] === 0xffffffff && words[(p >>> 2) + 1] === 0xffffffff) continue;
        let byte = 0;
        for (let b = 0; b < 8; b++) {
          const v = src[p + b];
          if (v >= WHITE_CUT) continue;
          if (v < BLACK_CUT || ink(src, ss, w, h, x + b, y, x0 + x + b, py, strokeCut) !== 0)
            byte |= 0x80 >>> b;
        }
        if (byte) dst[di] = byte;
      }
    }
    for (; x < w; x++) {
      const px = x0 + x;
      if (ink(src, ss, w, h, x, y, px, py, strokeCut)) dst[d + (px >>> 3)] |= 0x80 >>> (px & 7);
    }
  }
}
