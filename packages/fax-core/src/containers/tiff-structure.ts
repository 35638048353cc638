// TIFF 6.0 file structure: header, IFD chain, entries, typed values; and an IFD writer.
// Knows nothing about images: tiff.ts builds TIFF Class F on top of it.
import { ContainerError } from './common.js';

export type ByteOrder = 'II' | 'MM';

/** TIFF field types (TIFF 6.0 §2, plus IFD from the TIFF technical notes). */
export const TiffType = {
  BYTE: 1,
  ASCII: 2,
  SHORT: 3,
  LONG: 4,
  RATIONAL: 5,
  SBYTE: 6,
  UNDEFINED: 7,
  SSHORT: 8,
  SLONG: 9,
  SRATIONAL: 10,
  FLOAT: 11,
  DOUBLE: 12,
  IFD: 13,
} as const;

const TYPE_SIZE: Record<number, number> = {
  1: 1,
  2: 1,
  3: 2,
  4: 4,
  5: 8,
  6: 1,
  7: 1,
  8: 2,
  9: 4,
  10: 8,
  11: 4,
  12: 8,
  13: 4,
};

/** Tags faxgate reads or writes. */
export const Tag = {
  NewSubfileType: 254,
  SubfileType: 255,
  ImageWidth: 256,
  ImageLength: 257,
  BitsPerSample: 258,
  Compression: 259,
  Photometric: 262,
  FillOrder: 266,
  ImageDescription: 270,
  StripOffsets: 273,
  Orientation: 274,
  SamplesPerPixel: 277,
  RowsPerStrip: 278,
  StripByteCounts: 279,
  XResolution: 282,
  YResolution: 283,
  PlanarConfiguration: 284,
  T4Options: 292,
  T6Options: 293,
  ResolutionUnit: 296,
  PageNumber: 297,
  Software: 305,
  DateTime: 306,
  TileWidth: 322,
  TileLength: 323,
  TileOffsets: 324,
  BadFaxLines: 326,
  CleanFaxData: 327,
  ConsecutiveBadFaxLines: 328,
} as const;

export interface IfdEntry {
  tag: number;
  type: number;
  count: number;
  /** Absolute file offset of the value bytes (inline values point into the entry itself). */
  valueOffset: number;
}

export interface Ifd {
  offset: number;
  entries: Map<number, IfdEntry>;
  /** Offset of the next IFD, 0 = last. */
  next: number;
}

/** Most values a single entry may hold before we refuse it (strip tables of huge images). */
const MAX_VALUES = 1 << 20;

const tiffErr = (code: ConstructorParameters<typeof ContainerError>[1], msg: string) =>
  new ContainerError('tiff', code, msg);

/** True when the bytes start with a classic TIFF header (II*\0 or MM\0*). */
export function isTiff(data: Uint8Array): boolean {
  return (
    data.length >= 4 &&
    ((data[0] === 0x49 && data[1] === 0x49 && data[2] === 0x2a && data[3] === 0x00) ||
      (data[0] === 0x4d && data[1] === 0x4d && data[2] === 0x00 && data[3] === 0x2a))
  );
}

/** A parsed TIFF file: byte order, IFD access and typed value reads, all bounds-checked. */
export class TiffFile {
  readonly byteOrder: ByteOrder;
  readonly firstIfd: number;
  private readonly view: DataView;
  private readonly le: boolean;

  constructor(readonly data: Uint8Array) {
    if (data.length < 8) throw tiffErr('truncated', 'file too short for a TIFF header');
    const b0 = data[0];
    const b1 = data[1];
    if (b0 === 0x49 && b1 === 0x49) this.byteOrder = 'II';
    else if (b0 === 0x4d && b1 === 0x4d) this.byteOrder = 'MM';
    else throw tiffErr('garbage', 'not a TIFF file (no II/MM byte order mark)');
    this.le = this.byteOrder === 'II';
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const magic = this.u16(2);
    if (magic === 43) throw tiffErr('unsupported', 'BigTIFF is not supported');
    if (magic !== 42) throw tiffErr('garbage', `not a TIFF file (magic ${magic}, 42 expected)`);
    this.firstIfd = this.u32(4);
    if (this.firstIfd === 0) throw tiffErr('invalid', 'the file has no image directory');
  }

  private need(offset: number, length: number, what: string): void {
    if (offset < 0 || length < 0 || offset + length > this.data.length) {
      throw tiffErr(
        'truncated',
        `${what} at offset ${offset} (+${length}) lies beyond the end of the file (${this.data.length} bytes)`,
      );
    }
  }
  u8(o: number): number {
    this.need(o, 1, 'value');
    return this.data[o];
  }
  u16(o: number): number {
    this.need(o, 2, 'value');
    return this.view.getUint16(o, this.le);
  }
  u32(o: number): number {
    this.need(o, 4, 'value');
    return this.view.getUint32(o, this.le);
  }

  /** Reads the IFD at `offset`. */
  readIfd(offset: number): Ifd {
    // TIFF 6.0 wants word-aligned IFDs; libtiff accepts odd offsets, and so do we.
    this.need(offset, 2, 'image directory');
    const n = this.u16(offset);
    if (n === 0) throw tiffErr('invalid', `image directory at ${offset} has no entries`);
    this.need(offset + 2, n * 12 + 4, 'image directory');
    const entries = new Map<number, IfdEntry>();
    for (let i = 0; i < n; i++) {
      const e = offset + 2 + i * 12;
      const tag = this.u16(e);
      const type = this.u16(e + 2);
      const count = this.u32(e + 4);
      const size = TYPE_SIZE[type];
      if (size === undefined) continue; // unknown types are ignored (TIFF 6.0 §2)
      const bytes = size * count;
      const valueOffset = bytes <= 4 ? e + 8 : this.u32(e + 8);
      if (!entries.has(tag)) entries.set(tag, { tag, type, count, valueOffset });
    }
    const next = this.u32(offset + 2 + n * 12);
    return { offset, entries, next };
  }

  /** Offsets of all IFDs in the chain, with loop detection and a cap. */
  ifdChain(maxIfds: number): number[] {
    const out: number[] = [];
    const seen = new Set<number>();
    let o = this.firstIfd;
    while (o !== 0) {
      if (seen.has(o)) throw tiffErr('invalid', `image directory chain loops back to offset ${o}`);
      if (out.length >= maxIfds)
        throw new ContainerError('tiff', 'limit', `more than ${maxIfds} image directories`);
      seen.add(o);
      out.push(o);
      this.need(o, 2, 'image directory');
      const n = this.u16(o);
      this.need(o + 2, n * 12 + 4, 'image directory');
      o = this.u32(o + 2 + n * 12);
    }
    return out;
  }

  /** All values of an integer (or rational, as quotient) entry. */
  values(entry: IfdEntry, max = MAX_VALUES): number[] {
    if (entry.count > max) {
      throw tiffErr('limit', `tag ${entry.tag} holds ${entry.count} values (at most ${max} accepted)`);
    }
    const size = TYPE_SIZE[entry.type];
    this.need(entry.valueOffset, size * entry.count, `value of tag ${entry.tag}`);
    const out = new Array<number>(entry.count);
    const v = this.view;
    const le = this.le;
    let o = entry.valueOffset;
    for (let i = 0; i < entry.count; i++, o += size) {
      switch (entry.type) {
        case TiffType.BYTE:
        case TiffType.UNDEFINED:
        case TiffType.ASCII:
          out[i] = v.getUint8(o);
          break;
        case TiffType.SBYTE:
          out[i] = v.getInt8(o);
          break;
        case TiffType.SHORT:
          out[i] = v.getUint16(o, le);
          break;
        case TiffType.SSHORT:
          out[i] = v.getInt16(o, le);
          break;
        case TiffType.LONG:
        case TiffType.IFD:
          out[i] = v.getUint32(o, le);
          break;
        case TiffType.SLONG:
          out[i] = v.getInt32(o, le);
          break;
        case TiffType.RATIONAL: {
          const den = v.getUint32(o + 4, le);
          out[i] = den === 0 ? Number.NaN : v.getUint32(o, le) / den;
          break;
        }
        case TiffType.SRATIONAL: {
          const den = v.getInt32(o + 4, le);
          out[i] = den === 0 ? Number.NaN : v.getInt32(o, le) / den;
          break;
        }
        case TiffType.FLOAT:
          out[i] = v.getFloat32(o, le);
          break;
        case TiffType.DOUBLE:
          out[i] = v.getFloat64(o, le);
          break;
        default:
          out[i] = Number.NaN;
      }
    }
    return out;
  }

  /** First value of a tag, or `fallback` when the tag is absent. */
  number(ifd: Ifd, tag: number, fallback?: number): number | undefined {
    const e = ifd.entries.get(tag);
    if (!e || e.count === 0) return fallback;
    return this.values({ ...e, count: 1 })[0];
  }

  /** An ASCII value without its NUL terminator (at most 1024 characters). */
  ascii(ifd: Ifd, tag: number): string | undefined {
    const e = ifd.entries.get(tag);
    if (!e || e.type !== TiffType.ASCII) return undefined;
    const n = Math.min(e.count, 1024);
    this.need(e.valueOffset, n, `value of tag ${tag}`);
    let s = '';
    for (let i = 0; i < n; i++) {
      const c = this.data[e.valueOffset + i];
      if (c === 0) break;
      s += String.fromCharCode(c);
    }
    return s;
  }
}

// ---------------------------------------------------------------------------------------------
// Writing (little-endian only).

export interface IfdField {
  tag: number;
  type: number;
  /** Numbers (rationals as [numerator, denominator] pairs flattened) or an ASCII string. */
  values: readonly number[] | string;
}

/**
 * Serialises one IFD placed at file offset `at`, with its out-of-line values right after it.
 * Returns the bytes and the position (within them) of the next-IFD pointer, to patch later.
 */
export function buildIfd(
  fields: readonly IfdField[],
  at: number,
): { bytes: Uint8Array; nextPointer: number } {
  const sorted = [...fields].sort((a, b) => a.tag - b.tag);
  const n = sorted.length;
  const fixed = 2 + n * 12 + 4;
  // values that do not fit into 4 bytes go after the IFD, each word-aligned
  const extras: { index: number; bytes: Uint8Array }[] = [];
  const enc: Uint8Array[] = [];
  for (const f of sorted) {
    const raw = encodeValues(f);
    enc.push(raw);
  }
  let extraSize = 0;
  for (let i = 0; i < n; i++) {
    if (enc[i].length > 4) {
      extras.push({ index: i, bytes: enc[i] });
      extraSize += enc[i].length + (enc[i].length & 1);
    }
  }
  const out = new Uint8Array(fixed + extraSize);
  const v = new DataView(out.buffer);
  v.setUint16(0, n, true);
  let extraPos = fixed;
  const extraAt = new Map<number, number>();
  for (const x of extras) {
    extraAt.set(x.index, extraPos);
    out.set(x.bytes, extraPos);
    extraPos += x.bytes.length + (x.bytes.length & 1);
  }
  for (let i = 0; i < n; i++) {
    const f = sorted[i];
    const e = 2 + i * 12;
    const count =
      typeof f.values === 'string'
        ? f.values.length + 1
        : f.type === TiffType.RATIONAL
          ? f.values.length / 2
          : f.values.length;
    v.setUint16(e, f.tag, true);
    v.setUint16(e + 2, f.type, true);
    v.setUint32(e + 4, count, true);
    const p = extraAt.get(i);
    if (p !== undefined) v.setUint32(e + 8, at + p, true);
    else out.set(enc[i], e + 8);
  }
  v.setUint32(2 + n * 12, 0, true);
  return { bytes: out, nextPointer: 2 + n * 12 };
}

function encodeValues(f: IfdField): Uint8Array {
  if (typeof f.values === 'string') {
    const out = new Uint8Array(f.values.length + 1);
    for (let i = 0; i < f.values.length; i++) out[i] = f.values.charCodeAt(i) & 0x7f;
    return out;
  }
  const size = TYPE_SIZE[f.type];
  const perValue = f.type === TiffType.RATIONAL ? 4 : size;
  const out = new Uint8Array(f.values.length * perValue);
  const v = new DataView(out.buffer);
  f.values.forEach((x, i) => {
    switch (perValue) {
      case 1:
        v.setUint8(i, x);
        break;
      case 2:
        v.setUint16(i * 2, x, true);
        break;
      default:
        v.setUint32(i * 4, x, true);
    }
  });
  return out;
}
