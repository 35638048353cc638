// Test support for the conformance tests: the CCITT golden vectors of the third-party corpus
// (corpus.ts finds them) — PBM pages and libtiff single-strip TIFFs.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type BilevelPage, pageFromData, type VerticalResolution } from '../page.js';

export { ccittDir } from './corpus.js';
export { readTiffStrip, type TiffStrip } from './tiff-strip.js';

/** Reads a binary PBM (P4). */
export function readPbm(file: string, resolution: VerticalResolution = 'fine'): BilevelPage {
  const buf = new Uint8Array(readFileSync(file));
  let pos = 0;
  const tokens: string[] = [];
  while (tokens.length < 3) {
    while (pos < buf.length && /\s/.test(String.fromCharCode(buf[pos]))) pos++;
    if (buf[pos] === 0x23) {
      while (pos < buf.length && buf[pos] !== 0x0a) pos++;
      continue;
    }
    let t = '';
    while (pos < buf.length && !/\s/.test(String.fromCharCode(buf[pos])))
      t += String.fromCharCode(buf[pos++]);
    tokens.push(t);
  }
  pos++; // the single whitespace after the height
  if (tokens[0] !== 'P4') throw new Error(`${file}: not a P4 PBM`);
  const width = Number(tokens[1]);
  const height = Number(tokens[2]);
  return pageFromData(width, height, buf.slice(pos), resolution);
}

export type GoldenMode = 'mh' | 'mr_k2' | 'mr_k4' | 'mmr';
export const GOLDEN_MODES: readonly GoldenMode[] = ['mh', 'mr_k2', 'mr_k4', 'mmr'];

export function goldenTiff(dir: string, page: number, mode: GoldenMode): string {
  return path.join(dir, 'derived/libtiff', `ccitt${page}_${mode}.tif`);
}

export function goldenPbm(dir: string, page: number): string {
  return path.join(dir, `ccitt${page}.pbm`);
}

export function goldenSff(dir: string): string {
  return path.join(dir, 'derived/sff/ccitt_8p.sff');
}

/** CCITT page n (1..8) as a page, read from its PBM (fine unless told). */
export function ccittPage(dir: string, n: number, resolution: VerticalResolution = 'fine'): BilevelPage {
  return readPbm(goldenPbm(dir, n), resolution);
}
