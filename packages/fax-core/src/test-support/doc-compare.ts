// Test support: "is the content there?" between two renderings of one document page, on
// coarse blocks. Two rasterisers place edges, fit pages and halftone differently, so pixel
// comparison says little; what a reader misses is a region the reference inks and we leave
// white. A reference block with ink counts as present when ours has ink in that block or a
// neighbour within `slack` blocks (pages fitted a few pixels apart, dots of a halftone).
import type { BilevelPage } from '../page.js';

/** A block of the reference page with ink and no ink near it in ours. */
export interface InkBlock {
  /** Block column and row (pixel x = bx * block, y = by * block). */
  bx: number;
  by: number;
  /** Black pixels of the reference in this block. */
  ink: number;
}

/** Black pixels per block, row-major, ceil(width/block) × ceil(height/block) blocks. */
export function blockInk(page: BilevelPage, block: number): { cols: number; rows: number; ink: Uint32Array } {
  const cols = Math.ceil(page.width / block);
  const rows = Math.ceil(page.height / block);
  const ink = new Uint32Array(cols * rows);
  const { data, stride, width } = page;
  for (let y = 0; y < page.height; y++) {
    const base = ((y / block) | 0) * cols;
    const r = y * stride;
    for (let i = 0; i < stride; i++) {
      const byte = data[r + i];
      if (byte === 0) continue;
      for (let b = 0; b < 8; b++) {
        const x = i * 8 + b;
        if (x < width && byte & (0x80 >>> b)) ink[base + ((x / block) | 0)]++;
      }
    }
  }
  return { cols, rows, ink };
}

/** Blocks of `page` holding at least `minInk` black pixels. */
export function inkedBlocks(page: BilevelPage, block = 24, minInk = 1): number {
  let n = 0;
  for (const v of blockInk(page, block).ink) if (v >= minInk) n++;
  return n;
}

/**
 * Blocks where `ref` has at least `minInk` black pixels and `ours` has none in that block or
 * within `slack` blocks of it. Pages of different sizes are compared from their top-left
 * corners; what lies outside `ours` counts as white.
 */
export function missingInkBlocks(
  ours: BilevelPage,
  ref: BilevelPage,
  block = 24,
  slack = 1,
  minInk = 1,
): InkBlock[] {
  if (!Number.isInteger(block) || block < 1)
    throw new Error(`block must be a positive integer, got ${block}`);
  const r = blockInk(ref, block);
  const o = blockInk(ours, block);
  const missing: InkBlock[] = [];
  for (let by = 0; by < r.rows; by++)
    for (let bx = 0; bx < r.cols; bx++) {
      const ink = r.ink[by * r.cols + bx];
      if (ink < minInk) continue;
      let found = false;
      for (let y = by - slack; y <= by + slack && !found; y++)
        for (let x = bx - slack; x <= bx + slack && !found; x++)
          if (y >= 0 && y < o.rows && x >= 0 && x < o.cols && o.ink[y * o.cols + x] > 0) found = true;
      if (!found) missing.push({ bx, by, ink });
    }
  return missing;
}

/** The bounding box of a page's ink, or null for a blank page. */
export function inkBox(page: BilevelPage): { x0: number; y0: number; x1: number; y1: number } | null {
  let x0 = page.width;
  let y0 = -1;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < page.height; y++) {
    const r = y * page.stride;
    for (let i = 0; i < page.stride; i++) {
      const byte = page.data[r + i];
      if (byte === 0) continue;
      if (y0 < 0) y0 = y;
      y1 = y;
      const first = i * 8 + Math.clz32(byte) - 24;
      const last = i * 8 + 7 - (31 - Math.clz32(byte & -byte));
      if (first < x0) x0 = first;
      if (last > x1) x1 = last;
    }
  }
  return y0 < 0 ? null : { x0, y0, x1: Math.min(x1, page.width - 1), y1 };
}

/**
 * `ours` drawn into `ref`'s frame: scaled and shifted so its ink box lands on `ref`'s (two
 * renderers fit a page to the paper differently — Ghostscript's -dPDFFitPage on A4 against
 * our fit to the fax line). Nearest pixel, ink ORed where pixels merge. Blank pages as they are.
 */
export function fitToReference(ours: BilevelPage, ref: BilevelPage): BilevelPage {
  const a = inkBox(ours);
  const b = inkBox(ref);
  const out = {
    width: ref.width,
    height: ref.height,
    stride: ref.stride,
    data: new Uint8Array(ref.stride * ref.height),
    resolution: ref.resolution,
  };
  if (!a || !b) return out;
  const sx = (b.x1 - b.x0 + 1) / (a.x1 - a.x0 + 1);
  const sy = (b.y1 - b.y0 + 1) / (a.y1 - a.y0 + 1);
  for (let y = a.y0; y <= a.y1; y++) {
    const ty0 = Math.floor(b.y0 + (y - a.y0) * sy);
    const ty1 = Math.max(ty0, Math.floor(b.y0 + (y + 1 - a.y0) * sy) - 1);
    for (let x = a.x0; x <= a.x1; x++) {
      if (!(ours.data[y * ours.stride + (x >>> 3)] & (0x80 >>> (x & 7)))) continue;
      const tx0 = Math.floor(b.x0 + (x - a.x0) * sx);
      const tx1 = Math.max(tx0, Math.floor(b.x0 + (x + 1 - a.x0) * sx) - 1);
      for (let ty = ty0; ty <= ty1 && ty < ref.height; ty++)
        for (let tx = tx0; tx <= tx1 && tx < ref.width; tx++)
          out.data[ty * ref.stride + (tx >>> 3)] |= 0x80 >>> (tx & 7);
    }
  }
  return out;
}
