// Test support: the shared CCITT golden vectors (/work/shared/testdata/ccitt) — PBM pages and
// libtiff single-strip TIFFs. A minimal TIFF reader that finds the strip is enough here.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BilevelPage, pageFromData, type VerticalResolution } from '../page.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Where the shared test data lives: FAXGATE_SHARED, or `shared/` beside the repository. */
export function ccittDir(): string | null {
  const candidates = [
    process.env.FAXGATE_SHARED ? path.join(process.env.FAXGATE_SHARED, 'testdata/ccitt') : '',
    path.resolve(here, '../../../../../../shared/testdata/ccitt'),
    path.resolve(here, '../../../../../shared/testdata/ccitt'),
    '/work/shared/testdata/ccitt',
  ];
  for (const c of candidates) if (c && existsSync(path.join(c, 'ccitt1.pbm'))) return c;
  return null;
}

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

export interface TiffStrip {
  width: number;
  height: number;
  compression: number;
  fillOrder: number;
  t4Options: number;
  yResolution: number;
  strip: Uint8Array;
}

/** Reads the first IFD of a TIFF and returns its (single) strip and the fax tags. */
export function readTiffStrip(file: string): TiffStrip {
  const b = new Uint8Array(readFileSync(file));
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const le = b[0] === 0x49;
  const u16 = (o: number) => dv.getUint16(o, le);
  const u32 = (o: number) => dv.getUint32(o, le);
  const ifd = u32(4);
  const count = u16(ifd);
  const tags = new Map<number, number[]>();
  for (let i = 0; i < count; i++) {
    const e = ifd + 2 + i * 12;
    const tag = u16(e);
    const type = u16(e + 2);
    const n = u32(e + 4);
    const size = type === 3 ? 2 : type === 4 ? 4 : type === 5 ? 8 : 1;
    const at = n * size > 4 ? u32(e + 8) : e + 8;
    const vals: number[] = [];
    for (let k = 0; k < n; k++) {
      if (type === 3) vals.push(u16(at + k * 2));
      else if (type === 4) vals.push(u32(at + k * 4));
      else if (type === 5) vals.push(u32(at + k * 8) / u32(at + k * 8 + 4));
      else vals.push(b[at + k]);
    }
    tags.set(tag, vals);
  }
  const offsets = tags.get(273) ?? [];
  const counts = tags.get(279) ?? [];
  if (offsets.length !== 1) throw new Error(`${file}: expected one strip, found ${offsets.length}`);
  return {
    width: tags.get(256)?.[0] ?? 0,
    height: tags.get(257)?.[0] ?? 0,
    compression: tags.get(259)?.[0] ?? 1,
    fillOrder: tags.get(266)?.[0] ?? 1,
    t4Options: tags.get(292)?.[0] ?? 0,
    yResolution: tags.get(283)?.[0] ?? 0,
    strip: b.slice(offsets[0], offsets[0] + counts[0]),
  };
}

export type GoldenMode = 'mh' | 'mr_k2' | 'mr_k4' | 'mmr';
export const GOLDEN_MODES: readonly GoldenMode[] = ['mh', 'mr_k2', 'mr_k4', 'mmr'];

export function goldenTiff(dir: string, page: number, mode: GoldenMode): string {
  return path.join(dir, 'derived/libtiff', `ccitt${page}_${mode}.tif`);
}

export function goldenPbm(dir: string, page: number): string {
  return path.join(dir, `ccitt${page}.pbm`);
}
