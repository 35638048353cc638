// Test support: pages generated here (no third-party data) that stress the codecs.

import { fillBlack } from '../codec/runs.js';
import { type BilevelPage, createPage, setPixel, type VerticalResolution } from '../page.js';

/** Small deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function whitePage(width: number, height: number, res: VerticalResolution = 'fine'): BilevelPage {
  return createPage(width, height, res);
}

export function blackPage(width: number, height: number, res: VerticalResolution = 'fine'): BilevelPage {
  const p = createPage(width, height, res);
  for (let y = 0; y < height; y++) fillBlack(p.data, y * p.stride, 0, width);
  return p;
}

/** Random pixels, each black with probability `density`. */
export function noisePage(width: number, height: number, seed: number, density = 0.5): BilevelPage {
  const p = createPage(width, height);
  const r = rng(seed);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) if (r() < density) setPixel(p, x, y, true);
  return p;
}

/** 0101… in every row, shifted by one on odd rows (a checkerboard: the worst case for 2-D coding). */
export function checkerPage(width: number, height: number): BilevelPage {
  const p = createPage(width, height);
  for (let y = 0; y < height; y++) for (let x = (y & 1) ^ 1; x < width; x += 2) setPixel(p, x, y, true);
  return p;
}

/** 0101… in every row, the same on every row (vertical stripes one pixel wide). */
export function stripesPage(width: number, height: number): BilevelPage {
  const p = createPage(width, height);
  for (let y = 0; y < height; y++) for (let x = 1; x < width; x += 2) setPixel(p, x, y, true);
  return p;
}

/** Single black pixels at the left and right edges, alone or together, and one-pixel white gaps. */
export function edgesPage(width: number): BilevelPage {
  const rows: ((p: BilevelPage, y: number) => void)[] = [
    () => {},
    (p, y) => setPixel(p, 0, y, true),
    (p, y) => setPixel(p, width - 1, y, true),
    (p, y) => {
      setPixel(p, 0, y, true);
      setPixel(p, width - 1, y, true);
    },
    (p, y) => {
      fillBlack(p.data, y * p.stride, 0, width);
      setPixel(p, 0, y, false);
    },
    (p, y) => {
      fillBlack(p.data, y * p.stride, 0, width);
      setPixel(p, width - 1, y, false);
    },
    (p, y) => fillBlack(p.data, y * p.stride, 1, width - 1),
    (p, y) => fillBlack(p.data, y * p.stride, 0, width),
    () => {},
    (p, y) => setPixel(p, width >>> 1, y, true),
  ];
  const p = createPage(width, rows.length * 3);
  for (let y = 0; y < p.height; y++) rows[(y * 7) % rows.length](p, y);
  return p;
}

/**
 * Something like typed text: lines of "glyphs" made of random strokes, with margins, so that
 * runs and vertical correlation look like a real letter.
 */
export function textPage(
  width: number,
  height: number,
  seed: number,
  res: VerticalResolution = 'fine',
): BilevelPage {
  const p = createPage(width, height, res);
  const r = rng(seed);
  const margin = Math.min(100, width >>> 3);
  const lineH = 40;
  for (let top = margin; top + lineH < height - margin; top += lineH + 12) {
    let x = margin;
    while (x < width - margin - 30) {
      const w = 8 + Math.floor(r() * 20);
      if (r() < 0.15) {
        x += w; // word gap
        continue;
      }
      // a glyph: vertical stems and horizontal bars
      const stems = 1 + Math.floor(r() * 3);
      for (let s = 0; s < stems; s++) {
        const sx = x + Math.floor(r() * w);
        const sw = 2 + Math.floor(r() * 3);
        const y0 = top + Math.floor(r() * 10);
        const y1 = top + lineH - Math.floor(r() * 10);
        for (let y = y0; y < y1; y++) fillBlack(p.data, y * p.stride, sx, Math.min(sx + sw, width));
      }
      const bars = Math.floor(r() * 3);
      for (let b = 0; b < bars; b++) {
        const by = top + Math.floor(r() * lineH);
        for (let y = by; y < by + 3; y++) fillBlack(p.data, y * p.stride, x, Math.min(x + w, width));
      }
      x += w + 3;
    }
  }
  // a large black block with white holes (like ccitt8), wider than 2623 pixels on wide pages
  const by = height - margin - 60;
  if (by > 0) {
    for (let y = by; y < by + 40; y++) fillBlack(p.data, y * p.stride, 0, width);
    for (let y = by + 10; y < by + 20; y++) setPixel(p, width >>> 1, y, false);
  }
  return p;
}

/**
 * A halftone: a horizontal grey ramp (with a vertical wave) through a 4×4 Bayer ordered dither,
 * the pattern scanners send for photos — short runs that change on every row.
 */
export function halftonePage(width: number, height: number, res: VerticalResolution = 'fine'): BilevelPage {
  const bayer = [0, 8, 2, 10, 12, 4, 14, 6, 3, 11, 1, 9, 15, 7, 13, 5];
  const p = createPage(width, height, res);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const grey = (x / width) * 0.8 + 0.1 + 0.1 * Math.sin(y / 23);
      if (grey * 16 > bayer[(y & 3) * 4 + (x & 3)] + 0.5) setPixel(p, x, y, true);
    }
  }
  return p;
}

/** Random black and white runs, lengths 1 to `maxRun` (biased short), carried across rows. */
export function runsPage(width: number, height: number, seed: number, maxRun = 400): BilevelPage {
  const p = createPage(width, height);
  const r = rng(seed);
  let black = false;
  for (let y = 0; y < height; y++) {
    let x = 0;
    while (x < width) {
      const len = r() < 0.7 ? 1 + Math.floor(r() * 12) : 1 + Math.floor(r() * maxRun);
      if (black) fillBlack(p.data, y * p.stride, x, Math.min(x + len, width));
      x += len;
      black = !black;
    }
  }
  return p;
}

/** Bands of all-white and all-black rows, and the edge rows of edgesPage between them. */
export function bandsPage(width: number, height: number): BilevelPage {
  const p = createPage(width, height);
  const edges = edgesPage(width);
  for (let y = 0; y < height; y++) {
    const band = Math.floor(y / 40) % 4;
    if (band === 1) fillBlack(p.data, y * p.stride, 0, width);
    else if (band === 3) p.data.set(row0(edges, y % edges.height), y * p.stride);
  }
  return p;
}

function row0(p: BilevelPage, y: number): Uint8Array {
  return p.data.subarray(y * p.stride, (y + 1) * p.stride);
}
