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
