// A cheap pre-scan of a fax file (TIFF, SFF, PBM): how many pages it holds and how many pixels
// decoding them would produce, read from the structure alone — TIFF image directories, SFF page
// headers and records (rows 'skip'), PBM headers — without decoding or allocating a page. The
// gateway checks a whole submission's budget from these figures before it decodes anything.
import { ContainerError, type ContainerFormat, DEFAULT_LIMITS, resolveLimits } from './common.js';
import { detectFormat } from './document.js';
import { type SffPageInfo, SffReader } from './sff.js';
import { Tag, TiffFile } from './tiff-structure.js';

/** One page as its file declares it. */
export interface ScannedPage {
  width: number;
  height: number;
  /** TIFF Compression value; SFF coding code (0 = MH); 'raw' or 'plain' for PBM P4/P1. */
  compression: number | 'raw' | 'plain';
}

export interface FaxFileScan {
  format: ContainerFormat;
  pages: number;
  /** Sum of width × height over the pages: what decoding them all would produce. */
  pixels: number;
  /**
   * False for a TIFF that is not a bilevel fax document (more bits per pixel, a compression
   * the fax reader does not know): the renderer reads it as an image.
   */
  bilevel: boolean;
  pageInfo: ScannedPage[];
}

export interface ScanFaxFileOptions {
  /** Pages accepted before the scan stops with a `limit` error (default 1000). */
  maxPages?: number;
  /**
   * Pixels (width × height summed) accepted before the scan stops with a `limit` error, so a
   * hostile file is not walked to its end (default: no limit).
   */
  maxPixels?: number;
}

/** Compressions the bilevel TIFF reader decodes (none, CCITT RLE, G3, G4, PackBits). */
const BILEVEL_COMPRESSIONS = new Set([1, 2, 3, 4, 32773]);

/** Counts pages and pixels of a PBM, TIFF or SFF file without decoding; ContainerError for bad input. */
export function scanFaxFile(data: Uint8Array, options: ScanFaxFileOptions = {}): FaxFileScan {
  const maxPages = options.maxPages ?? DEFAULT_LIMITS.maxPages;
  if (!(Number.isInteger(maxPages) && maxPages >= 1))
    throw new RangeError('scanFaxFile: maxPages must be ≥ 1');
  // detectFormat knows classic TIFF only: say what a BigTIFF is instead of "unknown format".
  if (
    data.length >= 4 &&
    ((data[0] === 0x49 && data[1] === 0x49 && data[2] === 43 && data[3] === 0) ||
      (data[0] === 0x4d && data[1] === 0x4d && data[2] === 0 && data[3] === 43))
  )
    throw new ContainerError(
      'tiff',
      'unsupported',
      'BigTIFF is not supported; save the fax as a classic TIFF',
    );
  const maxPixels = options.maxPixels ?? Number.MAX_SAFE_INTEGER;
  switch (detectFormat(data)) {
    case 'tiff':
      return within(scanTiff(data, maxPages, maxPixels), maxPixels);
    case 'sff':
      return within(scanSff(data, maxPages, maxPixels), maxPixels);
    case 'pbm':
      return within(scanPbm(data, maxPages, maxPixels), maxPixels);
    default:
      throw new ContainerError(
        'unknown',
        data.length === 0 ? 'truncated' : 'garbage',
        data.length === 0 ? 'the file is empty' : 'unknown file format (not PBM, TIFF or SFF)',
      );
  }
}

const pixelLimit = (format: ContainerFormat, maxPixels: number) =>
  new ContainerError(format, 'limit', `more than ${maxPixels} pixels`);

function within(scan: FaxFileScan, maxPixels: number): FaxFileScan {
  if (scan.pixels > maxPixels) throw pixelLimit(scan.format, maxPixels);
  return scan;
}

function summary(format: ContainerFormat, pageInfo: ScannedPage[], bilevel: boolean): FaxFileScan {
  let pixels = 0;
  for (const p of pageInfo) pixels += p.width * p.height;
  return { format, pages: pageInfo.length, pixels, bilevel, pageInfo };
}

/** Bytes per value of the integer types a page's size and coding tags may have. */
const INT_SIZE: Record<number, number> = { 1: 1, 3: 2, 4: 4, 6: 1, 8: 2, 9: 4 };

function scanTiff(data: Uint8Array, maxPages: number, maxPixels: number): FaxFileScan {
  const limits = resolveLimits({});
  const err = (code: ConstructorParameters<typeof ContainerError>[1], msg: string) =>
    new ContainerError('tiff', code, msg);
  // TiffFile checks the header (and refuses BigTIFF); the walk below reads the few tags it needs
  // straight from each directory — no entry maps, no value arrays — as this runs on the
  // gateway's main thread for every uploaded TIFF.
  const file = new TiffFile(data);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const le = file.byteOrder === 'II';
  const need = (at: number, n: number, what: string) => {
    if (at + n > data.length)
      throw err(
        'truncated',
        `${what} at offset ${at} (+${n}) lies beyond the end of the file (${data.length} bytes)`,
      );
  };
  /** Value i of an integer entry (inline or at its offset), or NaN for a non-integer type. */
  const value = (e: number, type: number, count: number, i: number): number => {
    const size = INT_SIZE[type];
    if (size === undefined) return Number.NaN;
    let at = e + 8;
    if (size * count > 4) {
      at = view.getUint32(e + 8, le);
      need(at, size * count, 'a tag value');
    }
    at += i * size;
    switch (type) {
      case 1:
        return view.getUint8(at);
      case 6:
        return view.getInt8(at);
      case 3:
        return view.getUint16(at, le);
      case 8:
        return view.getInt16(at, le);
      case 4:
        return view.getUint32(at, le);
      default:
        return view.getInt32(at, le);
    }
  };
  const pageInfo: ScannedPage[] = [];
  let bilevel = true;
  let pixels = 0;
  // A few directories more than pages (thumbnails are not pages, as in readTiff); loops refused.
  const maxIfds = maxPages * 2 + 8;
  const seen = new Set<number>();
  for (let off = file.firstIfd; off !== 0; ) {
    if (seen.has(off)) throw err('invalid', `image directory chain loops back to offset ${off}`);
    if (seen.size >= maxIfds) throw err('limit', `more than ${maxIfds} image directories`);
    seen.add(off);
    need(off, 2, 'image directory');
    const n = view.getUint16(off, le);
    if (n === 0) throw err('invalid', `image directory at ${off} has no entries`);
    need(off + 2, n * 12 + 4, 'image directory');
    let width: number | undefined;
    let height: number | undefined;
    let compression: number | undefined;
    let bitsPerSample: number | undefined;
    let samplesPerPixel: number | undefined;
    let newSubfileType: number | undefined;
    let subfileType: number | undefined;
    for (let i = 0; i < n; i++) {
      const e = off + 2 + i * 12;
      const tag = view.getUint16(e, le);
      if (tag < Tag.NewSubfileType || tag > Tag.SamplesPerPixel) continue;
      const type = view.getUint16(e + 2, le);
      const count = view.getUint32(e + 4, le);
      if (count === 0) continue;
      // the first entry of a tag counts, as in TiffFile.readIfd
      switch (tag) {
        case Tag.NewSubfileType:
          newSubfileType ??= value(e, type, count, 0);
          break;
        case Tag.SubfileType:
          subfileType ??= value(e, type, count, 0);
          break;
        case Tag.ImageWidth:
          width ??= value(e, type, count, 0);
          break;
        case Tag.ImageLength:
          height ??= value(e, type, count, 0);
          break;
        case Tag.Compression:
          compression ??= value(e, type, count, 0);
          break;
        case Tag.SamplesPerPixel:
          samplesPerPixel ??= value(e, type, count, 0);
          break;
        case Tag.BitsPerSample:
          if (bitsPerSample === undefined) {
            if (count > 16) throw err('limit', `tag ${tag} holds ${count} values (at most 16 accepted)`);
            bitsPerSample = 0;
            for (let k = 0; k < count; k++) bitsPerSample = Math.max(bitsPerSample, value(e, type, count, k));
          }
          break;
      }
    }
    off = view.getUint32(off + 2 + n * 12, le);
    // reduced-resolution images (thumbnails) and transparency masks are not pages
    if (((newSubfileType ?? 0) & 0b101) !== 0 || subfileType === 2) continue;
    const where = `page ${pageInfo.length + 1}`;
    if (pageInfo.length >= maxPages) throw err('limit', `more than ${maxPages} pages`);
    if (width === undefined || !Number.isInteger(width) || width < 1)
      throw err('invalid', `${where}: ImageWidth ${width ?? 'is missing'}`);
    if (height === undefined || !Number.isInteger(height) || height < 1)
      throw err('invalid', `${where}: ImageLength ${height ?? 'is missing'}`);
    const c = compression ?? 1;
    const pageBilevel =
      (bitsPerSample ?? 1) === 1 && (samplesPerPixel ?? 1) === 1 && BILEVEL_COMPRESSIONS.has(c);
    if (pageBilevel) {
      if (width > limits.maxWidth) throw err('limit', `${where}: width ${width} exceeds ${limits.maxWidth}`);
      if (height > limits.maxHeight)
        throw err('limit', `${where}: height ${height} exceeds ${limits.maxHeight}`);
    }
    bilevel &&= pageBilevel;
    pixels += width * height;
    if (pixels > maxPixels) throw pixelLimit('tiff', maxPixels);
    pageInfo.push({ width, height, compression: c });
  }
  if (pageInfo.length === 0) throw err('invalid', 'the file holds no page');
  return summary('tiff', pageInfo, bilevel);
}

function scanSff(data: Uint8Array, maxPages: number, maxPixels: number): FaxFileScan {
  // The reader's own state machine with rows skipped: the same pages, rows and errors as the
  // decoder, without a page buffer (its memory is one page header). Its byte budget (rows ×
  // bytes per row, counted as rows go by) stops the walk soon after the pixels run out.
  const maxTotalBytes =
    maxPixels >= Number.MAX_SAFE_INTEGER ? maxPixels : Math.ceil(maxPixels / 8) + maxPages;
  const reader = new SffReader({ rows: 'skip', limits: { maxPages, maxTotalBytes } });
  let infos: SffPageInfo[];
  try {
    infos = reader.push(data);
    infos.push(...reader.end());
  } catch (e) {
    if (e instanceof ContainerError && e.code === 'limit' && /would exceed/.test(e.message))
      throw pixelLimit('sff', maxPixels);
    throw e;
  }
  if (infos.length === 0) throw new ContainerError('sff', 'invalid', 'the file holds no page');
  return summary(
    'sff',
    infos.map((p) => ({ width: p.width, height: p.height, compression: p.coding })),
    true,
  );
}

const isSpace = (c: number) =>
  c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0b || c === 0x0c;

function scanPbm(data: Uint8Array, maxPages: number, maxPixels: number): FaxFileScan {
  const limits = resolveLimits({});
  const err = (code: ConstructorParameters<typeof ContainerError>[1], msg: string) =>
    new ContainerError('pbm', code, msg);
  let pos = 0;
  const skip = () => {
    while (pos < data.length) {
      if (isSpace(data[pos])) pos++;
      else if (data[pos] === 0x23)
        while (pos < data.length && data[pos] !== 0x0a && data[pos] !== 0x0d) pos++;
      else break;
    }
  };
  const number = (what: string) => {
    skip();
    let v = 0;
    let digits = 0;
    while (pos < data.length && data[pos] >= 0x30 && data[pos] <= 0x39) {
      v = v * 10 + (data[pos++] - 0x30);
      if (++digits > 9) throw err('limit', `${what} has too many digits`);
    }
    if (digits === 0) throw err(pos >= data.length ? 'truncated' : 'garbage', `expected the ${what}`);
    return v;
  };
  const pageInfo: ScannedPage[] = [];
  let pixels = 0;
  // Image after image, as readPbm reads them; trailing bytes after the last one are ignored.
  while (data.length - pos >= 2 && data[pos] === 0x50) {
    const kind = data[pos + 1];
    if (kind !== 0x34 && kind !== 0x31) {
      if (pageInfo.length > 0 && (kind < 0x30 || kind > 0x39)) break;
      throw err('unsupported', `P${String.fromCharCode(kind)} is not a bilevel PBM`);
    }
    if (pageInfo.length >= maxPages) throw err('limit', `more than ${maxPages} pages`);
    pos += 2;
    const width = number('width');
    const height = number('height');
    if (width < 1 || width > limits.maxWidth)
      throw err(
        width > limits.maxWidth ? 'limit' : 'invalid',
        `width ${width} is outside 1..${limits.maxWidth}`,
      );
    if (height > limits.maxHeight) throw err('limit', `height ${height} exceeds ${limits.maxHeight}`);
    pixels += width * height;
    if (pixels > maxPixels) throw pixelLimit('pbm', maxPixels);
    if (kind === 0x34) {
      const need = Math.ceil(width / 8) * height;
      pos += 1; // the one whitespace byte before the raster
      if (data.length - pos < need)
        throw err('truncated', `raster has ${Math.max(0, data.length - pos)} bytes, ${need} needed`);
      pos += need;
    } else {
      // Plain: count the 0/1 digits without keeping them.
      let left = width * height;
      while (left > 0) {
        if (pos >= data.length) throw err('truncated', `plain raster ends ${left} pixels early`);
        const c = data[pos++];
        if (c === 0x30 || c === 0x31) left--;
        else if (c === 0x23) while (pos < data.length && data[pos] !== 0x0a && data[pos] !== 0x0d) pos++;
        else if (!isSpace(c)) throw err('garbage', `unexpected byte 0x${c.toString(16)} in the plain raster`);
      }
    }
    pageInfo.push({ width, height, compression: kind === 0x34 ? 'raw' : 'plain' });
    while (pos < data.length && isSpace(data[pos])) pos++;
  }
  if (pageInfo.length === 0) throw err('garbage', 'not a PBM file (no P1/P4 magic)');
  return summary('pbm', pageInfo, true);
}
