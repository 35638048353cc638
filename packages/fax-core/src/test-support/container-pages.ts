// Generated test pages for container round trips (no third-party data): text-like, noise,
// all white, all black, alternating pixels, runs touching the edges. Deterministic (seeded).

import { type BilevelPage, createPage, setPixel, type VerticalResolution } from '../page.js';
import { rng as prng } from './codec-pages.js';

/** The codec tests' seeded PRNG (mulberry32): one generator for both suites. */
export { prng };

function fillRect(p: BilevelPage, x0: number, y0: number, w: number, h: number): void {
  for (let y = Math.max(0, y0); y < Math.min(p.height, y0 + h); y++) {
    for (let x = Math.max(0, x0); x < Math.min(p.width, x0 + w); x++) setPixel(p, x, y, true);
  }
}

/** Lines of "glyphs" (small strokes and blocks) with margins, like a typed letter. */
export function textPage(
  width = 1728,
  height = 600,
  resolution: VerticalResolution = 'fine',
  seed = 1,
): BilevelPage {
  const p = createPage(width, height, resolution);
  const r = prng(seed);
  const margin = Math.floor(width / 12);
  for (let line = Math.floor(height / 20); line + 24 < height - 10; line += 34) {
    let x = margin;
    const end = width - margin - Math.floor(r() * width * 0.2);
    while (x < end) {
      const w = 6 + Math.floor(r() * 14);
      if (r() < 0.15) {
        x += w; // word gap
        continue;
      }
      // a glyph: a vertical stem, a bar and a dot at random
      fillRect(p, x, line + Math.floor(r() * 6), 2 + Math.floor(r() * 2), 14 + Math.floor(r() * 8));
      if (r() < 0.6) fillRect(p, x, line + 8 + Math.floor(r() * 8), w - 2, 2);
      if (r() < 0.3) fillRect(p, x + Math.floor(w / 2), line, 2, 2);
      x += w + 2;
    }
  }
  return p;
}

/** Random pixels with the given black density. */
export function noisePage(
  width = 1728,
  height = 200,
  density = 0.5,
  seed = 2,
  resolution: VerticalResolution = 'fine',
): BilevelPage {
  const p = createPage(width, height, resolution);
  const r = prng(seed);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) if (r() < density) setPixel(p, x, y, true);
  return p;
}

export function whitePage(width = 1728, height = 300, resolution: VerticalResolution = 'fine'): BilevelPage {
  return createPage(width, height, resolution);
}

export function blackPage(width = 1728, height = 300, resolution: VerticalResolution = 'fine'): BilevelPage {
  const p = createPage(width, height, resolution);
  fillRect(p, 0, 0, width, height);
  return p;
}

/** A 1-pixel checkerboard: the most transitions per row there can be. */
export function alternatingPage(
  width = 1728,
  height = 64,
  resolution: VerticalResolution = 'fine',
): BilevelPage {
  const p = createPage(width, height, resolution);
  for (let y = 0; y < height; y++) for (let x = y & 1; x < width; x += 2) setPixel(p, x, y, true);
  return p;
}

/** Runs that start or end at the page edges, single pixels at both ends, near-full rows. */
export function edgeRunsPage(width = 1728, resolution: VerticalResolution = 'fine'): BilevelPage {
  const rows = 16;
  const p = createPage(width, rows * 3, resolution);
  let y = 0;
  const row = (f: (x: number) => boolean) => {
    for (let x = 0; x < width; x++) if (f(x)) setPixel(p, x, y, true);
    y++;
  };
  row((x) => x === 0);
  row((x) => x === width - 1);
  row((x) => x === 0 || x === width - 1);
  row((x) => x < 64);
  row((x) => x >= width - 64);
  row((x) => x !== 0);
  row((x) => x !== width - 1);
  row((x) => x !== Math.floor(width / 2));
  row(() => true);
  row((x) => x < 2560 && x % 2560 < 2560 && x < width); // full or long run
  row((x) => x === 63 || x === 64 || x === 1727 % width);
  row((x) => x >= 1 && x < width - 1);
  for (let k = 0; k < rows; k++) y++; // white block
  row((x) => x % 3 === 0);
  row((x) => Math.floor(x / 100) % 2 === 0);
  return p;
}

/** A mixed set of pages for round trips, all at the given width. */
export function samplePages(width = 1728): { name: string; page: BilevelPage }[] {
  return [
    { name: 'text', page: textPage(width, 500, 'fine', width) },
    { name: 'noise', page: noisePage(width, 40, 0.5, width + 1) },
    { name: 'sparse-noise', page: noisePage(width, 80, 0.02, width + 2, 'standard') },
    { name: 'white', page: whitePage(width, 120, 'standard') },
    { name: 'black', page: blackPage(width, 50, 'superfine') },
    { name: 'alternating', page: alternatingPage(width, 32) },
    { name: 'edge-runs', page: edgeRunsPage(width) },
  ];
}
