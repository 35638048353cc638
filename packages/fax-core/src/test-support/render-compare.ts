// Pixel comparison helpers for the render quality tests and the benchmark.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readTiff } from '../containers/tiff.js';
import { type BilevelPage, getPixel } from '../page.js';

/** Ghostscript's own fax rendering (external program, tests and benchmarks only). */
export function ghostscriptPages(pdf: Uint8Array, resolution = '204x196'): BilevelPage[] {
  // The TIFF writer seeks, so gs needs a real file.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-gs-'));
  try {
    const out = path.join(dir, 'out.tif');
    execFileSync(
      'gs',
      [
        '-q',
        '-dNOPAUSE',
        '-dBATCH',
        '-dSAFER',
        '-sDEVICE=tiffg4',
        `-r${resolution}`,
        `-sOutputFile=${out}`,
        '-',
      ],
      { input: pdf },
    );
    return readTiff(new Uint8Array(fs.readFileSync(out))).pages.map((p) => p.page);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function blackPixels(p: BilevelPage): number {
  let n = 0;
  for (let y = 0; y < p.height; y++) for (let x = 0; x < p.width; x++) n += getPixel(p, x, y);
  return n;
}

/** Differing pixels of `a` and `b` shifted by (dx, dy), over the overlap. */
export function xorCount(a: BilevelPage, b: BilevelPage, dx: number, dy: number): number {
  let n = 0;
  const h = Math.min(a.height, b.height);
  const w = Math.min(a.width, b.width);
  for (let y = 0; y < h; y++) {
    const by = y + dy;
    for (let x = 0; x < w; x++) {
      const bx = x + dx;
      const pb = by >= 0 && by < b.height && bx >= 0 && bx < b.width ? getPixel(b, bx, by) : 0;
      if (getPixel(a, x, y) !== pb) n++;
    }
  }
  return n;
}

function near(p: BilevelPage, x: number, y: number): boolean {
  for (let yy = y - 1; yy <= y + 1; yy++)
    for (let xx = x - 1; xx <= x + 1; xx++)
      if (yy >= 0 && yy < p.height && xx >= 0 && xx < p.width && getPixel(p, xx, yy)) return true;
  return false;
}

/**
 * Black pixels of either page with no black pixel of the other within one pixel (8-neighbourhood):
 * what differs beyond the ±1-pixel edge placement two rasterisers are free to choose.
 */
export function tolerantDiff(a: BilevelPage, b: BilevelPage, dx: number, dy: number): number {
  let n = 0;
  for (let y = 0; y < a.height; y++)
    for (let x = 0; x < a.width; x++) {
      if (getPixel(a, x, y) && !near(b, x + dx, y + dy)) n++;
      const bx = x + dx;
      const by = y + dy;
      if (bx >= 0 && by >= 0 && bx < b.width && by < b.height && getPixel(b, bx, by) && !near(a, x, y)) n++;
    }
  return n;
}

function inkBox(p: BilevelPage): { x: number; y: number } {
  let x = p.width;
  let y = -1;
  for (let yy = 0; yy < p.height; yy++)
    for (let xx = 0; xx < p.width; xx++)
      if (getPixel(p, xx, yy)) {
        if (y < 0) y = yy;
        if (xx < x) x = xx;
      }
  return { x, y: Math.max(0, y) };
}

/** The shift of `b` against `a` with the fewest differing pixels: ink boxes aligned, then ±range. */
export function bestAlignment(
  a: BilevelPage,
  b: BilevelPage,
  range: number,
): { dx: number; dy: number; diff: number } {
  const ia = inkBox(a);
  const ib = inkBox(b);
  let best = { dx: 0, dy: 0, diff: Number.POSITIVE_INFINITY };
  for (let dy = ib.y - ia.y - range; dy <= ib.y - ia.y + range; dy++)
    for (let dx = ib.x - ia.x - range; dx <= ib.x - ia.x + range; dx++) {
      const d = xorCount(a, b, dx, dy);
      if (d < best.diff) best = { dx, dy, diff: d };
    }
  return best;
}

/** 8-connected components of black pixels (run-based union-find). */
export function connectedComponents(p: BilevelPage): number {
  const parent: number[] = [];
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  };
  let prev: Array<[number, number, number]> = [];
  for (let y = 0; y < p.height; y++) {
    const runs: Array<[number, number, number]> = [];
    let x = 0;
    while (x < p.width) {
      if (!getPixel(p, x, y)) {
        x++;
        continue;
      }
      const s = x;
      while (x < p.width && getPixel(p, x, y)) x++;
      const id = parent.length;
      parent.push(id);
      runs.push([s, x - 1, id]);
    }
    for (const r of runs)
      for (const q of prev)
        if (q[0] <= r[1] + 1 && q[1] >= r[0] - 1) {
          const a = find(r[2]);
          const b = find(q[2]);
          if (a !== b) parent[a] = b;
        }
    prev = runs;
  }
  let roots = 0;
  for (let i = 0; i < parent.length; i++) if (find(i) === i) roots++;
  return roots;
}
