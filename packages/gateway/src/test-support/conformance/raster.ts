// Pages as the references give them (libtiff, Ghostscript, sfftobmp), read here with code of
// their own — not fax-core's readers, which are what the conformance run checks. A raster is
// packed 8 pixels per byte, MSB = leftmost, 1 = black, rows padded to whole bytes.
import { readFileSync } from 'node:fs';

export interface Raster {
  width: number;
  height: number;
  /** height × ceil(width / 8) bytes. */
  data: Uint8Array;
}

export const strideOf = (width: number) => (width + 7) >>> 3;

/** The tags of one TIFF directory (values as numbers) and where the next one is. */
export interface TiffIfd {
  tags: Map<number, number[]>;
}

/** Every IFD of a TIFF file (II or MM), following the chain; throws on a loop or a bad offset. */
export function readTiffIfds(b: Uint8Array): TiffIfd[] {
  if (b.length < 8) throw new Error('not a TIFF: too short');
  const le = b[0] === 0x49 && b[1] === 0x49;
  if (!le && !(b[0] === 0x4d && b[1] === 0x4d)) throw new Error('not a TIFF: no II/MM byte order');
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const u16 = (o: number) => dv.getUint16(o, le);
  const u32 = (o: number) => dv.getUint32(o, le);
  const ifds: TiffIfd[] = [];
  const seen = new Set<number>();
  let off = u32(4);
  while (off !== 0) {
    if (seen.has(off) || off + 2 > b.length) throw new Error(`bad IFD offset ${off}`);
    seen.add(off);
    const count = u16(off);
    const tags = new Map<number, number[]>();
    for (let i = 0; i < count; i++) {
      const e = off + 2 + i * 12;
      const type = u16(e + 2);
      const n = u32(e + 4);
      const size = type === 3 || type === 8 ? 2 : type === 4 || type === 9 ? 4 : type === 5 ? 8 : 1;
      const at = n * size > 4 ? u32(e + 8) : e + 8;
      if (at + n * size > b.length) continue; // a tag pointing outside the file: not needed here
      const vals: number[] = [];
      for (let k = 0; k < n; k++) {
        if (type === 3 || type === 8) vals.push(u16(at + k * 2));
        else if (type === 4 || type === 9) vals.push(u32(at + k * 4));
        else if (type === 5) vals.push(u32(at + k * 8) / (u32(at + k * 8 + 4) || 1));
        else vals.push(b[at + k]);
      }
      tags.set(u16(e), vals);
    }
    ifds.push({ tags });
    off = u32(off + 2 + count * 12);
  }
  return ifds;
}

export const tag = (ifd: TiffIfd, t: number, dflt = 0): number => ifd.tags.get(t)?.[0] ?? dflt;

/** The strips of an IFD (StripOffsets 273, StripByteCounts 279) as byte ranges of the file. */
export function stripsOf(b: Uint8Array, ifd: TiffIfd): Uint8Array[] {
  const offsets = ifd.tags.get(273) ?? [];
  const counts = ifd.tags.get(279) ?? [];
  return offsets.map((o, i) => b.subarray(o, o + (counts[i] ?? 0)));
}

/** Which sample value is black: photometric 0 → 1, 1 → 0, palette → the darker colour map entry. */
export function blackSample(ifd: TiffIfd): 0 | 1 {
  const photometric = tag(ifd, 262);
  if (photometric === 0) return 1;
  if (photometric === 1) return 0;
  if (photometric === 3) {
    const map = ifd.tags.get(320) ?? [];
    if (map.length !== 6) throw new Error(`1-bit palette with ${map.length / 3} colours`);
    const lum = (i: number) => map[i] + map[2 + i] + map[4 + i];
    return lum(1) < lum(0) ? 1 : 0;
  }
  throw new Error(`photometric ${photometric} is not bilevel`);
}

/** Inverts every pixel in place (padding bits too; comparisons mask them). */
export function invert(r: Raster): Raster {
  for (let i = 0; i < r.data.length; i++) r.data[i] ^= 0xff;
  return r;
}

/** Pages of an uncompressed (Compression 1) bilevel TIFF, FillOrder 1, 1 = black. */
export function readUncompressedTiff(file: string): Raster[] {
  const b = new Uint8Array(readFileSync(file));
  return readTiffIfds(b).map((ifd, page) => {
    const width = tag(ifd, 256);
    const height = tag(ifd, 257);
    if (tag(ifd, 259, 1) !== 1) throw new Error(`${file} page ${page + 1}: compressed`);
    if (tag(ifd, 258, 1) !== 1 || tag(ifd, 277, 1) !== 1) throw new Error(`${file}: not bilevel`);
    if (tag(ifd, 266, 1) !== 1) throw new Error(`${file}: FillOrder ${tag(ifd, 266)}`);
    const stride = strideOf(width);
    const data = new Uint8Array(stride * height);
    let at = 0;
    for (const s of stripsOf(b, ifd)) {
      const n = Math.min(s.length, data.length - at);
      data.set(s.subarray(0, n), at);
      at += n;
    }
    if (at < data.length) throw new Error(`${file} page ${page + 1}: ${at} of ${data.length} bytes`);
    const r = { width, height, data };
    return blackSample(ifd) === 1 ? r : invert(r);
  });
}

/** The pages of binary PBMs (P4), comments allowed in the header. */
export function readPbmFile(file: string): Raster {
  const buf = new Uint8Array(readFileSync(file));
  let pos = 0;
  const tokens: string[] = [];
  const space = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
  while (tokens.length < 3 && pos < buf.length) {
    while (pos < buf.length && space(buf[pos])) pos++;
    if (buf[pos] === 0x23) {
      while (pos < buf.length && buf[pos] !== 0x0a) pos++;
      continue;
    }
    let t = '';
    while (pos < buf.length && !space(buf[pos])) t += String.fromCharCode(buf[pos++]);
    tokens.push(t);
  }
  pos++; // the single whitespace after the height
  if (tokens[0] !== 'P4') throw new Error(`${file}: not a binary PBM`);
  const width = Number(tokens[1]);
  const height = Number(tokens[2]);
  const data = buf.slice(pos, pos + strideOf(width) * height);
  if (data.length < strideOf(width) * height) throw new Error(`${file}: truncated PBM`);
  return { width, height, data };
}

/**
 * How two pages differ, or undefined when they are identical: size, else the first differing
 * row and the number of differing rows. Only the first `rows` rows when given.
 */
export function diffRasters(ours: Raster, ref: Raster, rows?: number): string | undefined {
  if (ours.width !== ref.width) return `width ${ours.width}, reference ${ref.width}`;
  if (rows === undefined && ours.height !== ref.height)
    return `height ${ours.height}, reference ${ref.height}`;
  const n = rows ?? ours.height;
  if (ours.height < n || ref.height < n)
    return `fewer than ${n} rows (${ours.height}, reference ${ref.height})`;
  const stride = strideOf(ours.width);
  const tail = ours.width % 8 === 0 ? 0xff : (0xff << (8 - (ours.width % 8))) & 0xff;
  let first = -1;
  let differing = 0;
  for (let y = 0; y < n; y++) {
    const o = y * stride;
    let same = true;
    for (let i = 0; i < stride && same; i++) {
      const mask = i === stride - 1 ? tail : 0xff;
      if ((ours.data[o + i] & mask) !== (ref.data[o + i] & mask)) same = false;
    }
    if (!same) {
      differing++;
      if (first < 0) first = y;
    }
  }
  return differing === 0 ? undefined : `${differing} of ${n} rows differ, the first is row ${first}`;
}
