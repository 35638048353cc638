// TIFF Class F (RFC 2306 / TIFF-FX profile F) reader and writer, plus a reader for any bilevel
// TIFF a user uploads (strips, rows per strip, MinIsWhite, MinIsBlack or a 2-colour palette;
// uncompressed, PackBits, CCITT RLE, G3 1-D/2-D, G4; FillOrder 1 or 2; little- or big-endian).
//
// The writer emits one IFD per page (NewSubfileType 2, PageNumber n/total), one strip per page,
// Compression 3 (T4Options: bit 0 = 2-D, bit 2 = fill bits, EOL before every row, no RTC — the
// libtiff Class F framing) or 4 (T6Options 0, EOFB), MinIsWhite, XResolution 204 /
// YResolution 98|196|391 dpi (or the metric equivalents), and the fax quality tags BadFaxLines,
// CleanFaxData and ConsecutiveBadFaxLines.
//
// Over 600 lines on purpose: reader and writer share the tag tables and the IFD walk; the
// scanner that only counts pages (scan.ts) is apart already.
import { type Coding, type DecodeOptions, decodePage, encodePage } from '../codec/index.js';
import {
  type BilevelPage,
  FAX_WIDTHS,
  LINES_PER_INCH,
  PELS_PER_INCH,
  pageFromData,
  strideFor,
  type VerticalResolution,
} from '../page.js';
import {
  BIT_REVERSE,
  Budget,
  ContainerError,
  type ContainerLimits,
  clearPadding,
  concatBytes,
  type PageInput,
  type PageQuality,
  resolutionFromLpi,
  resolveLimits,
  reverseBits,
  spanBadRows,
  unwrapPage,
} from './common.js';
import { buildIfd, type Ifd, type IfdField, Tag, TiffFile, TiffType } from './tiff-structure.js';

export { isTiff } from './tiff-structure.js';

/** TIFF Compression values this module knows by name. */
export const TiffCompression = {
  None: 1,
  CcittRle: 2,
  Group3: 3,
  Group4: 4,
  Lzw: 5,
  Deflate: 8,
  PackBits: 32773,
  AdobeDeflate: 32946,
} as const;

export type TiffCoding = Coding | 'none' | 'packbits';

export interface TiffPageInfo {
  /** 0-based index among the pages (thumbnails and other non-page IFDs are not counted). */
  index: number;
  /** File offset of this page's IFD. */
  ifdOffset: number;
  width: number;
  height: number;
  compression: number;
  coding: TiffCoding;
  /** T4Options (Compression 3) or T6Options (Compression 4) as stored, 0 when absent. */
  t4Options: number;
  t6Options: number;
  fillOrder: 1 | 2;
  /** 0 = MinIsWhite, 1 = MinIsBlack, 3 = palette. */
  photometric: number;
  bitsPerSample: number;
  samplesPerPixel: number;
  newSubfileType: number;
  /** PageNumber [page (0-based), total] when present. */
  pageNumber?: [number, number];
  xResolution?: number;
  yResolution?: number;
  /** 1 none, 2 inch, 3 centimetre. */
  resolutionUnit: number;
  /** Vertical resolution in lines per inch (after unit conversion), when known. */
  yLpi?: number;
  /** Horizontal resolution in pixels per inch, when known. */
  xDpi?: number;
  /** Nearest fax resolution (fine when the file does not say). */
  resolution: VerticalResolution;
  rowsPerStrip: number;
  strips: number;
  /** The fax quality tags as stored (absent when the file has none). */
  badFaxLines?: number;
  cleanFaxData?: number;
  consecutiveBadFaxLines?: number;
  software?: string;
}

export interface TiffPage {
  page: BilevelPage;
  info: TiffPageInfo;
  /** What the decoder found: rows it could not decode (replaced), and the longest run of them. */
  quality: PageQuality;
  /**
   * A page in one strip of MH, MR or MMR: the strip as stored (a view into the file, in the
   * page's FillOrder), for callers that keep or transcode the coded data instead of the pixels.
   */
  strip?: Uint8Array;
}

export interface TiffDocument {
  byteOrder: 'II' | 'MM';
  pages: TiffPage[];
}

export interface TiffReadOptions {
  limits?: Partial<ContainerLimits>;
}

const err = (code: ConstructorParameters<typeof ContainerError>[1], msg: string) =>
  new ContainerError('tiff', code, msg);

/** Reads the page descriptions without decoding any image data. */
export function inspectTiff(
  data: Uint8Array,
  options: TiffReadOptions = {},
): { byteOrder: 'II' | 'MM'; pages: TiffPageInfo[] } {
  const limits = resolveLimits(options.limits);
  const file = new TiffFile(data);
  const pages: TiffPageInfo[] = [];
  // a few IFDs more than pages: thumbnails and the like are skipped
  for (const off of file.ifdChain(limits.maxPages * 2 + 8)) {
    const ifd = file.readIfd(off);
    const info = pageInfo(file, ifd, pages.length, limits);
    if (!info) continue;
    if (pages.length >= limits.maxPages) throw err('limit', `more than ${limits.maxPages} pages`);
    pages.push(info);
  }
  if (pages.length === 0) throw err('invalid', 'the file holds no page');
  return { byteOrder: file.byteOrder, pages };
}

/** Reads and decodes every page. */
export function readTiff(data: Uint8Array, options: TiffReadOptions = {}): TiffDocument {
  const limits = resolveLimits(options.limits);
  const budget = new Budget('tiff', limits);
  const file = new TiffFile(data);
  const { pages: infos } = inspectTiff(data, options);
  const pages: TiffPage[] = [];
  for (const info of infos) {
    budget.addPage();
    budget.reserve(strideFor(info.width) * info.height);
    const ifd = file.readIfd(info.ifdOffset);
    pages.push(decodeTiffPage(file, ifd, info));
  }
  return { byteOrder: file.byteOrder, pages };
}

/** Reads and decodes one page (0-based), e.g. to stream a long document page by page. */
export function readTiffPage(data: Uint8Array, index: number, options: TiffReadOptions = {}): TiffPage {
  const file = new TiffFile(data);
  const { pages } = inspectTiff(data, options);
  const info = pages[index];
  if (!info) throw err('invalid', `page ${index + 1} does not exist (the file has ${pages.length})`);
  return decodeTiffPage(file, file.readIfd(info.ifdOffset), info);
}

function pageInfo(
  file: TiffFile,
  ifd: Ifd,
  index: number,
  limits: ContainerLimits,
): TiffPageInfo | undefined {
  const num = (tag: number, fallback?: number) => file.number(ifd, tag, fallback);
  const newSubfileType = num(Tag.NewSubfileType, 0)!;
  const subfileType = num(Tag.SubfileType, 1)!;
  // reduced-resolution images (thumbnails) and transparency masks are not pages
  if (newSubfileType & 0b101 || subfileType === 2) return undefined;
  const where = `page ${index + 1}`;
  const width = num(Tag.ImageWidth);
  const height = num(Tag.ImageLength);
  if (width === undefined) throw err('invalid', `${where}: ImageWidth is missing`);
  if (height === undefined) throw err('invalid', `${where}: ImageLength is missing`);
  if (!Number.isInteger(width) || width < 1) throw err('invalid', `${where}: ImageWidth ${width} is invalid`);
  if (!Number.isInteger(height) || height < 1)
    throw err('invalid', `${where}: ImageLength ${height} is invalid`);
  if (width > limits.maxWidth) throw err('limit', `${where}: width ${width} exceeds ${limits.maxWidth}`);
  if (height > limits.maxHeight) throw err('limit', `${where}: height ${height} exceeds ${limits.maxHeight}`);
  const bpsEntry = ifd.entries.get(Tag.BitsPerSample);
  const bitsPerSample = bpsEntry ? Math.max(...file.values(bpsEntry, 16)) : 1;
  const samplesPerPixel = num(Tag.SamplesPerPixel, 1)!;
  const compression = num(Tag.Compression, 1)!;
  const photometric = num(Tag.Photometric, 0)!;
  const fillOrderRaw = num(Tag.FillOrder, 1)!;
  if (fillOrderRaw !== 1 && fillOrderRaw !== 2)
    throw err('invalid', `${where}: FillOrder ${fillOrderRaw} is invalid`);
  const t4Options = num(Tag.T4Options, 0)!;
  const t6Options = num(Tag.T6Options, 0)!;
  let coding: TiffCoding;
  switch (compression) {
    case TiffCompression.None:
      coding = 'none';
      break;
    case TiffCompression.PackBits:
      coding = 'packbits';
      break;
    case TiffCompression.Group3:
      coding = t4Options & 1 ? 'mr' : 'mh';
      break;
    case TiffCompression.Group4:
      coding = 'mmr';
      break;
    case TiffCompression.CcittRle:
      coding = 'mh'; // MH rows without EOLs, each starting on a byte boundary
      break;
    case TiffCompression.Lzw:
    case TiffCompression.Deflate:
    case TiffCompression.AdobeDeflate:
      throw err(
        'unsupported',
        `${where}: Compression ${compression} (LZW/Deflate) is not supported for bilevel pages; use G3, G4, PackBits or none`,
      );
    default:
      throw err('unsupported', `${where}: Compression ${compression} is not supported`);
  }
  if (bitsPerSample !== 1 || samplesPerPixel !== 1) {
    throw err(
      'unsupported',
      `${where} is not bilevel (BitsPerSample ${bitsPerSample}, SamplesPerPixel ${samplesPerPixel}); convert it to 1 bit per pixel first`,
    );
  }
  if (photometric !== 0 && photometric !== 1 && photometric !== 3) {
    throw err(
      'unsupported',
      `${where}: PhotometricInterpretation ${photometric} is not a bilevel interpretation`,
    );
  }
  if (compression === TiffCompression.Group3 && t4Options & 2) {
    throw err('unsupported', `${where}: T4Options bit 1 (uncompressed mode) is not supported`);
  }
  if (compression === TiffCompression.Group4 && t6Options & 2) {
    throw err('unsupported', `${where}: T6Options bit 1 (uncompressed mode) is not supported`);
  }
  if (ifd.entries.has(Tag.TileWidth) || ifd.entries.has(Tag.TileOffsets)) {
    throw err('unsupported', `${where}: tiled images are not supported`);
  }
  if (!ifd.entries.has(Tag.StripOffsets)) throw err('invalid', `${where}: StripOffsets is missing`);
  let rowsPerStrip = num(Tag.RowsPerStrip, 0xffffffff)!;
  if (!(rowsPerStrip >= 1)) throw err('invalid', `${where}: RowsPerStrip ${rowsPerStrip} is invalid`);
  if (rowsPerStrip > height) rowsPerStrip = height;
  const strips = Math.ceil(height / rowsPerStrip);
  const unit = num(Tag.ResolutionUnit, 2)!;
  const xRes = num(Tag.XResolution);
  const yRes = num(Tag.YResolution);
  const perInch = unit === 3 ? 2.54 : 1;
  let yLpi: number | undefined;
  let xDpi: number | undefined;
  if (unit === 1) {
    // no absolute unit: only the aspect ratio is known; fax pages are 204 pels/inch wide
    if (xRes && yRes && Number.isFinite(xRes) && Number.isFinite(yRes)) yLpi = (PELS_PER_INCH * yRes) / xRes;
  } else {
    if (yRes !== undefined && Number.isFinite(yRes) && yRes > 0) yLpi = yRes * perInch;
    if (xRes !== undefined && Number.isFinite(xRes) && xRes > 0) xDpi = xRes * perInch;
  }
  const pn = ifd.entries.get(Tag.PageNumber);
  let pageNumber: [number, number] | undefined;
  if (pn && pn.count >= 2) {
    const v = file.values(pn, 2);
    pageNumber = [v[0], v[1]];
  }
  const info: TiffPageInfo = {
    index,
    ifdOffset: ifd.offset,
    width,
    height,
    compression,
    coding,
    t4Options,
    t6Options,
    fillOrder: fillOrderRaw as 1 | 2,
    photometric,
    bitsPerSample,
    samplesPerPixel,
    newSubfileType,
    resolutionUnit: unit,
    resolution: yLpi === undefined ? 'fine' : resolutionFromLpi(yLpi),
    rowsPerStrip,
    strips,
  };
  if (pageNumber) info.pageNumber = pageNumber;
  if (xRes !== undefined) info.xResolution = xRes;
  if (yRes !== undefined) info.yResolution = yRes;
  if (yLpi !== undefined) info.yLpi = round3(yLpi);
  if (xDpi !== undefined) info.xDpi = round3(xDpi);
  const bad = num(Tag.BadFaxLines);
  const clean = num(Tag.CleanFaxData);
  const cons = num(Tag.ConsecutiveBadFaxLines);
  if (bad !== undefined) info.badFaxLines = bad;
  if (clean !== undefined) info.cleanFaxData = clean;
  if (cons !== undefined) info.consecutiveBadFaxLines = cons;
  const sw = file.ascii(ifd, Tag.Software);
  if (sw !== undefined) info.software = sw;
  return info;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** Where each strip of a page lies in the file, checked to be inside it. */
export function stripRanges(
  file: TiffFile,
  ifd: Ifd,
  info: TiffPageInfo,
): { offset: number; count: number }[] {
  const where = `page ${info.index + 1}`;
  const { height, rowsPerStrip, strips } = info;
  const offEntry = ifd.entries.get(Tag.StripOffsets)!;
  const offsets = file.values(offEntry, strips + 1024);
  if (offsets.length < strips) {
    throw err('invalid', `${where}: ${offsets.length} StripOffsets for ${strips} strips`);
  }
  const cntEntry = ifd.entries.get(Tag.StripByteCounts);
  let counts: number[];
  if (cntEntry) {
    counts = file.values(cntEntry, strips + 1024);
    if (counts.length < strips)
      throw err('invalid', `${where}: ${counts.length} StripByteCounts for ${strips} strips`);
  } else if (info.coding === 'none') {
    const stride = strideFor(info.width);
    counts = offsets.map((_, i) => stride * Math.min(rowsPerStrip, height - i * rowsPerStrip));
  } else if (strips === 1) {
    counts = [file.data.length - offsets[0]];
  } else {
    throw err('invalid', `${where}: StripByteCounts is missing`);
  }
  const ranges: { offset: number; count: number }[] = [];
  for (let s = 0; s < strips; s++) {
    const off = offsets[s];
    const cnt = counts[s];
    if (
      !Number.isInteger(off) ||
      !Number.isInteger(cnt) ||
      off < 0 ||
      cnt < 0 ||
      off + cnt > file.data.length
    ) {
      throw err(
        'truncated',
        `${where}: strip ${s + 1} (offset ${off}, ${cnt} bytes) lies beyond the end of the file`,
      );
    }
    ranges.push({ offset: off, count: cnt });
  }
  return ranges;
}

/** How a CCITT strip of `rows` rows is decoded (framing and bit order from the tags). */
export function stripDecodeOptions(info: TiffPageInfo, rows: number): DecodeOptions {
  if (info.coding !== 'mh' && info.coding !== 'mr' && info.coding !== 'mmr')
    throw err('invalid', `page ${info.index + 1} is not CCITT coded (${info.coding})`);
  return {
    coding: info.coding,
    width: info.width,
    height: rows,
    // Compression 2: no EOLs, byte-aligned rows; Compression 3: EOLs (detected for MH)
    eol: info.compression === TiffCompression.CcittRle ? false : info.coding === 'mr' ? true : undefined,
    fillBits: info.compression === TiffCompression.CcittRle,
    bitOrder: info.fillOrder === 2 ? 'lsb' : 'msb',
    resolution: info.resolution,
  };
}

/** Decodes one page given its IFD (readTiff, and the pixel path of the transcoders). */
export function decodeTiffPage(file: TiffFile, ifd: Ifd, info: TiffPageInfo): TiffPage {
  const where = `page ${info.index + 1}`;
  const { width, height, rowsPerStrip, strips } = info;
  const stride = strideFor(width);
  const ranges = stripRanges(file, ifd, info);
  // one CCITT strip: the decoder's page becomes the page, without a second buffer and a copy
  const single = strips === 1 && info.coding !== 'none' && info.coding !== 'packbits';
  let out: Uint8Array = new Uint8Array(single ? 0 : stride * height);
  const quality: PageQuality = { badLines: 0, consecutiveBadLines: 0 };
  let badLines = 0;
  let consecutiveBadLines = 0;
  let run = 0; // bad run continuing across strips
  for (let s = 0; s < strips; s++) {
    const { offset: off, count: cnt } = ranges[s];
    const y0 = s * rowsPerStrip;
    const rows = Math.min(rowsPerStrip, height - y0);
    const strip = file.data.subarray(off, off + cnt);
    if (info.coding === 'none' || info.coding === 'packbits') {
      const target = out.subarray(y0 * stride, (y0 + rows) * stride);
      const got = info.coding === 'none' ? copyRaw(strip, target) : unpackBits(strip, target);
      if (info.fillOrder === 2) for (let i = 0; i < got; i++) target[i] = BIT_REVERSE[target[i]];
      const missing = rows - Math.floor(got / stride);
      if (missing > 0) {
        throw err('truncated', `${where}: strip ${s + 1} holds ${Math.floor(got / stride)} of ${rows} rows`);
      }
      run = 0;
      continue;
    }
    let r: ReturnType<typeof decodePage>;
    try {
      r = decodePage(strip, stripDecodeOptions(info, rows));
    } catch (e) {
      if (e instanceof ContainerError) throw e;
      throw err(
        'invalid',
        `${where}: strip ${s + 1} cannot be decoded: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    const decodedRows = Math.min(r.rows, rows, r.page.height);
    // with `height` the decoder's page has all rows, those it did not deliver white
    if (single && r.page.data.length === stride * height) out = r.page.data;
    else {
      if (out.length === 0) out = new Uint8Array(stride * height);
      out.set(r.page.data.subarray(0, decodedRows * stride), y0 * stride);
    }
    // rows the code stream does not deliver are bad rows (left white)
    const missing = rows - decodedRows;
    if (r.firstBadRow >= 0) spanBadRows(quality, y0 + r.firstBadRow, y0 + r.lastBadRow);
    if (missing > 0) spanBadRows(quality, y0 + decodedRows, y0 + rows - 1);
    badLines += r.badLines + missing;
    consecutiveBadLines = Math.max(consecutiveBadLines, r.consecutiveBadLines, missing);
    if (missing > 0) {
      run = (decodedRows === 0 ? run : 0) + missing;
      consecutiveBadLines = Math.max(consecutiveBadLines, run);
    } else run = 0;
  }
  if (info.photometric === 1) for (let i = 0; i < out.length; i++) out[i] = ~out[i] & 0xff;
  else if (info.photometric === 3 && paletteIndexOneIsLight(file, ifd)) {
    for (let i = 0; i < out.length; i++) out[i] = ~out[i] & 0xff;
  }
  clearPadding(out, width, height);
  const result: TiffPage = {
    page: pageFromData(width, height, out, info.resolution),
    info,
    quality: { ...quality, badLines, consecutiveBadLines },
  };
  if (strips === 1 && info.coding !== 'none' && info.coding !== 'packbits') {
    const { offset, count } = ranges[0];
    result.strip = file.data.subarray(offset, offset + count);
  }
  return result;
}

function copyRaw(src: Uint8Array, dst: Uint8Array): number {
  const n = Math.min(src.length, dst.length);
  dst.set(src.subarray(0, n));
  return n;
}

/** PackBits (TIFF 6.0 §9) into dst; returns bytes written. */
function unpackBits(src: Uint8Array, dst: Uint8Array): number {
  let i = 0;
  let o = 0;
  while (i < src.length && o < dst.length) {
    const n = (src[i++] << 24) >> 24;
    if (n >= 0) {
      const len = Math.min(n + 1, src.length - i, dst.length - o);
      dst.set(src.subarray(i, i + len), o);
      i += n + 1;
      o += len;
    } else if (n !== -128) {
      if (i >= src.length) break;
      const b = src[i++];
      const len = Math.min(1 - n, dst.length - o);
      dst.fill(b, o, o + len);
      o += len;
    }
  }
  return o;
}

/** For palette images: true when colour index 1 is lighter than index 0 (so 1 means white). */
function paletteIndexOneIsLight(file: TiffFile, ifd: Ifd): boolean {
  const cm = ifd.entries.get(320);
  if (!cm || cm.count < 6) return false;
  const v = file.values(cm, 6);
  // ColorMap for 1 bit: R0 R1 G0 G1 B0 B1
  const lum = (i: number) => 0.299 * v[i] + 0.587 * v[2 + i] + 0.114 * v[4 + i];
  return lum(1) > lum(0);
}

// ---------------------------------------------------------------------------------------------
// Class F conformance

/**
 * Differences from TIFF Class F (RFC 2306) for one page; an empty list means the page conforms.
 * `pageCount` is the number of pages in the file (for the PageNumber check).
 */
export function validateTiffF(info: TiffPageInfo, pageCount: number): string[] {
  const issues: string[] = [];
  if (info.compression !== 3 && info.compression !== 4)
    issues.push(`Compression ${info.compression} (3 or 4 required)`);
  if (info.newSubfileType !== 2) issues.push(`NewSubfileType ${info.newSubfileType} (2 required)`);
  if (!info.pageNumber) issues.push('PageNumber missing');
  else if (
    info.pageNumber[0] !== info.index ||
    (info.pageNumber[1] !== 0 && info.pageNumber[1] !== pageCount)
  ) {
    issues.push(
      `PageNumber ${info.pageNumber[0]}/${info.pageNumber[1]} (expected ${info.index}/${pageCount})`,
    );
  }
  if (info.photometric !== 0)
    issues.push(`PhotometricInterpretation ${info.photometric} (0 MinIsWhite required)`);
  if (!(FAX_WIDTHS as readonly number[]).includes(info.width)) {
    issues.push(`ImageWidth ${info.width} (${FAX_WIDTHS.join('/')} expected)`);
  }
  if (info.xDpi === undefined || Math.abs(info.xDpi - PELS_PER_INCH) > 2) {
    issues.push(`XResolution ${info.xResolution ?? 'missing'} (204 dpi or 8 pels/mm expected)`);
  }
  const lpis = Object.values(LINES_PER_INCH);
  if (info.yLpi === undefined || !lpis.some((l) => Math.abs(l - (info.yLpi as number)) <= 2)) {
    issues.push(
      `YResolution ${info.yResolution ?? 'missing'} (98/196/391 lpi or 3.85/7.7/15.4 lines/mm expected)`,
    );
  }
  if (info.strips !== 1) issues.push(`${info.strips} strips (one strip per page expected)`);
  return issues;
}

// ---------------------------------------------------------------------------------------------
// Writing

export interface TiffWriteOptions {
  /** Default 'mh' (the Class F baseline every reader knows). */
  coding?: Coding | 'none';
  /** MR: a 1-D row every k rows. Default by resolution: standard 2, fine 4, superfine 8. */
  k?: number;
  /** 1 = MSB first (default), 2 = LSB first. */
  fillOrder?: 1 | 2;
  /** G3: byte-align every EOL (T4Options bit 2). Default false. */
  fillBits?: boolean;
  /** Default 'inch'. */
  resolutionUnit?: 'inch' | 'cm';
  /** Software tag (default 'faxgate'); '' leaves it out. */
  software?: string;
}

/** Default MR K factor per vertical resolution (T.4 §4.2.1.3.4, as spandsp uses). */
export function defaultK(resolution: VerticalResolution): number {
  return resolution === 'standard' ? 2 : resolution === 'fine' ? 4 : 8;
}

const Y_RATIONAL_INCH: Record<VerticalResolution, [number, number]> = {
  standard: [98, 1],
  fine: [196, 1],
  superfine: [391, 1],
};
// lines per centimetre: 3.85, 7.7, 15.4 lines/mm
const Y_RATIONAL_CM: Record<VerticalResolution, [number, number]> = {
  standard: [385, 10],
  fine: [77, 1],
  superfine: [154, 1],
};

/** Encodes one page's strip with the given options. */
function encodeStrip(page: BilevelPage, coding: Coding | 'none', options: TiffWriteOptions): Uint8Array {
  const bitOrder = options.fillOrder === 2 ? 'lsb' : 'msb';
  if (coding === 'none') {
    const raw = page.data.slice(0, page.stride * page.height);
    clearPadding(raw, page.width, page.height);
    return bitOrder === 'lsb' ? reverseBits(raw) : raw;
  }
  return encodePage(page, {
    coding,
    k: coding === 'mr' ? (options.k ?? defaultK(page.resolution)) : undefined,
    eol: coding !== 'mmr',
    fillBits: coding !== 'mmr' && options.fillBits === true,
    rtc: false,
    eofb: coding === 'mmr',
    bitOrder,
  });
}

/** Writes a TIFF Class F file (little-endian), one IFD and one strip per page. */
export function writeTiff(pages: readonly PageInput[], options: TiffWriteOptions = {}): Uint8Array {
  const coding = checkWriteOptions(pages.length, options);
  return assembleTiff(
    pages.map((input, index) => {
      const { page, quality } = unwrapPage(input);
      checkPageSize(page, index);
      return { page, quality, strip: encodeStrip(page, coding, options) };
    }),
    coding,
    options,
  );
}

/** A page whose strip is coded already: the fields its IFD needs and the strip. */
export interface CodedTiffPage {
  page: Pick<BilevelPage, 'width' | 'height' | 'resolution'>;
  /** Coded as the options say: `coding`, `fillOrder`, `fillBits` (and MMR with EOFB or not). */
  strip: Uint8Array;
  quality?: PageQuality;
}

/**
 * writeTiff for strips that are coded already (e.g. kept from the file a page came from):
 * the same file writeTiff makes when it codes the pages to these strips. The strips are not
 * checked against the options.
 */
export function writeTiffStrips(pages: readonly CodedTiffPage[], options: TiffWriteOptions = {}): Uint8Array {
  const coding = checkWriteOptions(pages.length, options);
  for (const [index, p] of pages.entries()) checkPageSize(p.page, index);
  return assembleTiff(pages, coding, options);
}

function checkWriteOptions(pageCount: number, options: TiffWriteOptions): Coding | 'none' {
  if (pageCount === 0) throw err('invalid', 'no pages to write');
  if (pageCount > 0xffff) throw err('limit', `${pageCount} pages do not fit into PageNumber`);
  const fillOrder = options.fillOrder ?? 1;
  if (fillOrder !== 1 && fillOrder !== 2) throw err('invalid', `FillOrder ${fillOrder} (1 or 2)`);
  if (options.k !== undefined && !(Number.isInteger(options.k) && options.k >= 1)) {
    throw err('invalid', `K ${options.k} must be a positive integer`);
  }
  return options.coding ?? 'mh';
}

function checkPageSize(page: CodedTiffPage['page'], index: number): void {
  if (page.height < 1) throw err('invalid', `page ${index + 1} has no rows`);
  if (page.width < 1 || page.width > 0xffff) throw err('invalid', `page ${index + 1}: width ${page.width}`);
}

/** The file: header, then per page its strip and IFD. */
function assembleTiff(
  pages: readonly CodedTiffPage[],
  coding: Coding | 'none',
  options: TiffWriteOptions,
): Uint8Array {
  const fillOrder = options.fillOrder ?? 1;
  const cm = options.resolutionUnit === 'cm';
  const software = options.software ?? 'faxgate';
  const chunks: Uint8Array[] = [];
  const header = new Uint8Array(8);
  header.set([0x49, 0x49, 0x2a, 0x00]);
  chunks.push(header);
  let pos = 8;
  // where the pointer to the next IFD sits: [chunk, byte offset within it]
  let pointer: [Uint8Array, number] = [header, 4];
  pages.forEach(({ page, quality, strip }, index) => {
    chunks.push(strip);
    const stripOffset = pos;
    pos += strip.length;
    if (pos & 1) {
      chunks.push(new Uint8Array(1));
      pos++;
    }
    const yr = (cm ? Y_RATIONAL_CM : Y_RATIONAL_INCH)[page.resolution];
    const fields: IfdField[] = [
      { tag: Tag.NewSubfileType, type: TiffType.LONG, values: [2] },
      { tag: Tag.ImageWidth, type: TiffType.LONG, values: [page.width] },
      { tag: Tag.ImageLength, type: TiffType.LONG, values: [page.height] },
      { tag: Tag.BitsPerSample, type: TiffType.SHORT, values: [1] },
      {
        tag: Tag.Compression,
        type: TiffType.SHORT,
        values: [coding === 'none' ? 1 : coding === 'mmr' ? 4 : 3],
      },
      { tag: Tag.Photometric, type: TiffType.SHORT, values: [0] },
      { tag: Tag.FillOrder, type: TiffType.SHORT, values: [fillOrder] },
      { tag: Tag.StripOffsets, type: TiffType.LONG, values: [stripOffset] },
      { tag: Tag.Orientation, type: TiffType.SHORT, values: [1] },
      { tag: Tag.SamplesPerPixel, type: TiffType.SHORT, values: [1] },
      { tag: Tag.RowsPerStrip, type: TiffType.LONG, values: [page.height] },
      { tag: Tag.StripByteCounts, type: TiffType.LONG, values: [strip.length] },
      { tag: Tag.XResolution, type: TiffType.RATIONAL, values: cm ? [80, 1] : [PELS_PER_INCH, 1] },
      { tag: Tag.YResolution, type: TiffType.RATIONAL, values: yr },
      { tag: Tag.PlanarConfiguration, type: TiffType.SHORT, values: [1] },
      { tag: Tag.ResolutionUnit, type: TiffType.SHORT, values: [cm ? 3 : 2] },
      { tag: Tag.PageNumber, type: TiffType.SHORT, values: [index, pages.length] },
    ];
    if (coding === 'mh' || coding === 'mr') {
      const t4 = (coding === 'mr' ? 1 : 0) | (options.fillBits ? 4 : 0);
      fields.push({ tag: Tag.T4Options, type: TiffType.LONG, values: [t4] });
    } else if (coding === 'mmr') {
      fields.push({ tag: Tag.T6Options, type: TiffType.LONG, values: [0] });
    }
    if (software) fields.push({ tag: Tag.Software, type: TiffType.ASCII, values: software });
    if (coding !== 'none') {
      // libtiff knows the fax quality tags only for CCITT compressions
      const bad = quality?.badLines ?? 0;
      fields.push(
        { tag: Tag.BadFaxLines, type: TiffType.LONG, values: [bad] },
        { tag: Tag.CleanFaxData, type: TiffType.SHORT, values: [bad > 0 ? 1 : 0] },
        { tag: Tag.ConsecutiveBadFaxLines, type: TiffType.LONG, values: [quality?.consecutiveBadLines ?? 0] },
      );
    }
    const { bytes, nextPointer } = buildIfd(fields, pos);
    new DataView(pointer[0].buffer, pointer[0].byteOffset).setUint32(pointer[1], pos, true);
    pointer = [bytes, nextPointer];
    chunks.push(bytes);
    pos += bytes.length;
  });
  return concatBytes(chunks);
}
