// SFF, the CAPI 2.0 Structured Fax File: the DATA_B3 payload of a fax connection (B3 protocol
// 4/5, format 0). Read incrementally — DATA_B3 blocks cut the file at any byte — and written
// page by page.
//
// Over 600 lines on purpose: the incremental reader's record state machine and the writer
// share the record grammar below; split, the two would drift.
//
// Layout (all little-endian):
//   document header, 20 bytes: "Sfff", version 1, reserved, user-info length u16, page count u16,
//     offset of the first page header u16 (0x14), offset of the last page header u32,
//     offset of the document end u32 (ghostscript writes 0 for the count and both u32 offsets);
//   page header: FE, length (16), vertical resolution (0 = 98, 1 = 196, 2 = 391 lpi),
//     horizontal resolution (0 = 203 dpi), coding (0 = MH), reserved, line length u16 (pels),
//     page length u16 (rows), offset of the previous page header u32 (1 = first page),
//     offset of the next page header u32 (1 = last page);
//   records: 1..216 = a line of that many bytes follows; 0 + u16 = a longer line;
//     217..253 = (n − 216) white lines; 254 = next page header, FE 00 = end of document;
//     255 00 = one corrupt line; 255 n = n bytes of user information (skipped).
//   A line is one MH-coded row without EOL, packed LSB first, padded to a byte.
import { decodeMhRow, MhRowEncoder } from '../codec/index.js';
import { type BilevelPage, pageFromData, strideFor, type VerticalResolution } from '../page.js';
import {
  Budget,
  ContainerError,
  type ContainerLimits,
  concatBytes,
  isWhiteRow,
  lastByteMask,
  type PageInput,
  type PageQuality,
  resolveLimits,
  unwrapPage,
} from './common.js';
import { SffRecordBuilder } from './sff-records.js';

export const SFF_MAGIC = [0x53, 0x66, 0x66, 0x66] as const; // "Sfff"
export const SFF_DOCUMENT_HEADER_SIZE = 20;
export const SFF_PAGE_HEADER_LENGTH = 16;

/** True when the bytes start with the SFF magic. */
export function isSff(data: Uint8Array): boolean {
  return data.length >= 4 && data[0] === 0x53 && data[1] === 0x66 && data[2] === 0x66 && data[3] === 0x66;
}

export interface SffDocumentHeader {
  version: number;
  userInfoLength: number;
  /** As stored; 0 when the writer did not fill it in (ghostscript, streamed writers). */
  pageCount: number;
  firstPageOffset: number;
  lastPageOffset: number;
  documentEndOffset: number;
}

export interface SffPageInfo {
  index: number;
  /** Raw header bytes: vertical/horizontal resolution codes and coding. */
  verticalResolutionCode: number;
  horizontalResolutionCode: number;
  coding: number;
  resolution: VerticalResolution;
  width: number;
  /** Page length as the page header states it (may be 0 or wrong; the records count). */
  declaredHeight: number;
  /** Rows actually delivered. */
  height: number;
  previousPageOffset: number;
  nextPageOffset: number;
  /** Bytes of user information records skipped in this page. */
  userInfoBytes: number;
  /** Records (lines and white skips) in this page. */
  records: number;
}

export interface SffPage {
  page: BilevelPage;
  info: SffPageInfo;
  /** Corrupt lines (255 00 records and lines that do not decode), replaced by the previous row. */
  quality: PageQuality;
}

/**
 * What SffReader does with line records: `decode` them into each page's pixels (the default),
 * or `skip` them — for a receiver that reacts per page and decodes later, if at all.
 */
export type SffRows = 'decode' | 'skip';

/**
 * What SffReader returns per page: with rows `skip`, the page's SffPageInfo alone — the same
 * info as in decode mode (a line that would not decode is still a row: decode mode repairs it),
 * found under the same limits and errors, without a page buffer or a decoded row.
 */
export type SffReaderPage<R extends SffRows = 'decode'> = R extends 'skip' ? SffPageInfo : SffPage;

/** SffReaderOptions.onRow: a view of the row, copy to keep. */
export type SffRowCallback = (row: Uint8Array, y: number, pageIndex: number) => void;

export interface SffReaderOptions<R extends SffRows = 'decode'> {
  limits?: Partial<ContainerLimits>;
  /** `decode` (default) or `skip` the line records; see SffRows and SffReaderPage. */
  rows?: R;
  /**
   * Called for every row as soon as its record is complete (row is a view, copy to keep).
   * Decode mode only: skipped rows have no pixels.
   */
  onRow?: R extends 'skip' ? never : SffRowCallback;
  /**
   * When false, end() accepts a stream that stops at a record boundary without the FE 00
   * end-of-document record (a connection that dropped) and returns the page in progress.
   * Default true: such a stream is a `truncated` error.
   */
  requireEnd?: boolean;
}

const err = (code: ConstructorParameters<typeof ContainerError>[1], msg: string) =>
  new ContainerError('sff', code, msg);

const VRES: Record<number, VerticalResolution> = {
  0: 'standard',
  1: 'fine',
  2: 'superfine',
  254: 'superfine',
  255: 'superfine',
};

type State =
  | 'header' // 20 bytes of document header
  | 'skip' // bytes up to the first page header
  | 'type' // a record type byte
  | 'pageLen' // FE: length byte
  | 'pageBody' // FE: header body
  | 'lineLen16' // 00: u16 length
  | 'line' // line bytes, collected to decode
  | 'lineSkip' // line bytes, skipped (rows 'skip')
  | 'ffLen' // FF: length byte
  | 'userInfo' // FF n: n bytes (skipped)
  | 'done'; // after FE 00

interface PageState {
  info: SffPageInfo;
  stride: number;
  /** The decoded rows so far; undefined when rows are skipped. */
  rows: Uint8Array | undefined;
  height: number;
  badLines: number;
  consecutiveBadLines: number;
  /** The first and the last substituted row, -1 while there is none. */
  firstBad: number;
  lastBad: number;
  run: number;
}

/**
 * Incremental SFF reader. push() takes chunks of any size (1 byte up) and returns the pages
 * completed by them; end() checks the stream ended cleanly and returns what is left.
 *
 * ```ts
 * const r = new SffReader();
 * for await (const block of dataB3) for (const p of r.push(block)) store(p);
 * for (const p of r.end()) store(p);
 * ```
 *
 * `new SffReader({ rows: 'skip' })` follows the same records without decoding them and returns
 * each page's SffPageInfo (SffReaderPage<'skip'>); its memory is one page header.
 */
export class SffReader<R extends SffRows = 'decode'> {
  private state: State = 'header';
  /** bytes still needed in the current state */
  private need = SFF_DOCUMENT_HEADER_SIZE;
  private acc = new Uint8Array(SFF_DOCUMENT_HEADER_SIZE);
  private accLen = 0;
  private offset = 0; // bytes consumed so far
  private current: PageState | undefined;
  private pageCount = 0;
  private finished = false;
  private readonly limits: ContainerLimits;
  private readonly budget: Budget;
  private readonly onRow: SffRowCallback | undefined;
  private readonly requireEnd: boolean;
  private readonly skipRows: boolean;
  private out: (SffPage | SffPageInfo)[] = [];
  private _header: SffDocumentHeader | undefined;
  private _trailing = 0;

  constructor(options: SffReaderOptions<R> = {}) {
    this.limits = resolveLimits(options.limits);
    this.budget = new Budget('sff', this.limits);
    this.skipRows = options.rows === 'skip';
    if (this.skipRows && options.onRow) throw new TypeError("SffReader: onRow needs rows 'decode'");
    this.onRow = options.onRow as SffRowCallback | undefined;
    this.requireEnd = options.requireEnd ?? true;
  }

  /** The document header, once its 20 bytes have arrived. */
  get header(): SffDocumentHeader | undefined {
    return this._header;
  }
  /** True once the FE 00 end-of-document record has been read. */
  get complete(): boolean {
    return this.state === 'done';
  }
  /** Bytes consumed so far. */
  get bytesRead(): number {
    return this.offset;
  }
  /** Bytes after the end-of-document record (ignored). */
  get trailingBytes(): number {
    return this._trailing;
  }
  /** Pages completed so far (including those already returned). */
  get pagesRead(): number {
    return this.pageCount - (this.current ? 1 : 0);
  }

  /** Feeds the next chunk; returns the pages it completed. */
  push(chunk: Uint8Array): SffReaderPage<R>[] {
    if (this.finished) throw err('state', 'push() after end()');
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      const state = this.state;
      if (state === 'type') {
        // fast path: one byte, no copying
        const b = chunk[i++];
        this.offset++;
        this.onType(b);
        continue;
      }
      if (state === 'done') {
        this._trailing += n - i;
        this.offset += n - i;
        break;
      }
      if (state === 'skip' || state === 'lineSkip' || state === 'userInfo') {
        // bytes nobody reads: count them, copy nothing
        const take = Math.min(this.need, n - i);
        i += take;
        this.offset += take;
        this.need -= take;
        if (state === 'userInfo') this.current!.info.userInfoBytes += take;
        if (this.need === 0) this.onSkipped(state);
        continue;
      }
      // collect `need` bytes, without copying when the chunk holds them all
      let data: Uint8Array;
      if (this.accLen === 0 && n - i >= this.need) {
        data = chunk.subarray(i, i + this.need);
        i += this.need;
        this.offset += this.need;
      } else {
        // the first piece of a field: make room for all of it
        if (this.need > this.acc.length) this.acc = new Uint8Array(Math.max(this.need, this.acc.length * 2));
        const take = Math.min(this.need - this.accLen, n - i);
        this.acc.set(chunk.subarray(i, i + take), this.accLen);
        this.accLen += take;
        i += take;
        this.offset += take;
        if (this.accLen < this.need) break;
        data = this.acc.subarray(0, this.need);
      }
      this.accLen = 0;
      this.onData(data);
    }
    return this.takeOut();
  }

  /** Ends the stream: returns the remaining page(s), or throws if the stream is cut short. */
  end(): SffReaderPage<R>[] {
    if (this.finished) return [];
    this.finished = true;
    if (this.state !== 'done') {
      if (this.state === 'header') {
        throw err('truncated', `stream ends after ${this.offset} bytes, inside the 20-byte document header`);
      }
      if (this.state !== 'type' || this.requireEnd) {
        const where =
          this.state === 'type' ? 'without the end-of-document record (FE 00)' : 'in the middle of a record';
        throw err('truncated', `stream ends ${where} after ${this.offset} bytes`);
      }
      this.finishPage();
    }
    return this.takeOut();
  }

  private takeOut(): SffReaderPage<R>[] {
    // finishPage pushes SffPageInfo exactly when rows are skipped, i.e. R is 'skip'
    const out = this.out as SffReaderPage<R>[];
    this.out = [];
    return out;
  }

  private enter(state: State, need: number): void {
    this.state = state;
    this.need = need;
    this.accLen = 0;
  }

  private onType(b: number): void {
    if (b === 0xfe) {
      // a page header or the end record follows: either way the page so far is complete
      this.finishPage();
      this.enter('pageLen', 1);
      return;
    }
    if (!this.current) {
      throw err(
        'garbage',
        `record 0x${b.toString(16)} at offset ${this.offset - 1} comes before the first page header`,
      );
    }
    if (b >= 1 && b <= 216) {
      this.enterLine(b);
      return;
    }
    if (b === 0) {
      this.enter('lineLen16', 2);
      return;
    }
    if (b === 0xff) {
      this.enter('ffLen', 1);
      return;
    }
    // 217..253: white lines
    this.current.info.records++;
    this.addRows(b - 216);
  }

  private enterLine(length: number): void {
    this.enter(this.skipRows ? 'lineSkip' : 'line', length);
  }

  /** The last byte of a stretch that push() skipped has gone by. */
  private onSkipped(state: 'skip' | 'lineSkip' | 'userInfo'): void {
    if (state === 'lineSkip') {
      // a row, whether or not it would decode (decode mode repairs the ones that do not)
      this.current!.info.records++;
      this.addRows(1);
    }
    this.enter('type', 1);
  }

  private onData(d: Uint8Array): void {
    switch (this.state) {
      case 'header':
        this.onHeader(d);
        return;
      case 'pageLen': {
        const len = d[0];
        if (len === 0) {
          this.finishPage();
          this.state = 'done';
          return;
        }
        this.enter('pageBody', len);
        return;
      }
      case 'pageBody':
        this.onPageHeader(d);
        this.enter('type', 1);
        return;
      case 'lineLen16': {
        const len = d[0] | (d[1] << 8);
        if (len === 0) {
          // a line without code bytes cannot be decoded
          this.current!.info.records++;
          this.addBad();
          this.enter('type', 1);
          return;
        }
        this.enterLine(len);
        return;
      }
      case 'line':
        this.current!.info.records++;
        this.addLine(d);
        this.enter('type', 1);
        return;
      case 'ffLen': {
        const len = d[0];
        if (len === 0) {
          this.current!.info.records++;
          this.addBad();
          this.enter('type', 1);
          return;
        }
        this.enter('userInfo', len);
        return;
      }
      default:
        throw err('state', `internal: unexpected state ${this.state}`);
    }
  }

  private onHeader(d: Uint8Array): void {
    if (!(d[0] === 0x53 && d[1] === 0x66 && d[2] === 0x66 && d[3] === 0x66)) {
      throw err('garbage', 'not an SFF file (no "Sfff" magic)');
    }
    const version = d[4];
    if (version > 1) throw err('unsupported', `SFF version ${version} (1 expected)`);
    const u16 = (o: number) => d[o] | (d[o + 1] << 8);
    const u32 = (o: number) => (d[o] | (d[o + 1] << 8) | (d[o + 2] << 16) | (d[o + 3] << 24)) >>> 0;
    const h: SffDocumentHeader = {
      version,
      userInfoLength: u16(6),
      pageCount: u16(8),
      firstPageOffset: u16(10),
      lastPageOffset: u32(12),
      documentEndOffset: u32(16),
    };
    this._header = h;
    // 0 = not filled in: the first page header follows the document header
    const first = h.firstPageOffset === 0 ? SFF_DOCUMENT_HEADER_SIZE : h.firstPageOffset;
    if (first < SFF_DOCUMENT_HEADER_SIZE) {
      throw err('invalid', `first page header offset ${first} lies inside the document header`);
    }
    if (first > SFF_DOCUMENT_HEADER_SIZE) this.enter('skip', first - SFF_DOCUMENT_HEADER_SIZE);
    else this.enter('type', 1);
  }

  private onPageHeader(d: Uint8Array): void {
    const at = this.offset - d.length - 2;
    if (d.length < 6)
      throw err('invalid', `page header at offset ${at} is ${d.length} bytes long (at least 6 needed)`);
    const vres = d[0];
    const hres = d[1];
    const coding = d[2];
    const width = d[4] | (d[5] << 8);
    const declaredHeight = d.length >= 8 ? d[6] | (d[7] << 8) : 0;
    const u32 = (o: number) =>
      d.length >= o + 4 ? (d[o] | (d[o + 1] << 8) | (d[o + 2] << 16) | (d[o + 3] << 24)) >>> 0 : 0;
    const resolution = VRES[vres];
    if (!resolution) throw err('invalid', `page header at offset ${at}: vertical resolution code ${vres}`);
    if (coding !== 0) throw err('unsupported', `page header at offset ${at}: coding ${coding} (only 0 = MH)`);
    if (width === 0) throw err('invalid', `page header at offset ${at}: line length 0`);
    if (width > this.limits.maxWidth) {
      throw err('limit', `page header at offset ${at}: line length ${width} exceeds ${this.limits.maxWidth}`);
    }
    this.finishPage();
    this.budget.addPage();
    const stride = strideFor(width);
    // the declared length may be 0 or wrong: start small, grow by doubling
    const capacity = Math.max(1, Math.min(Math.max(declaredHeight, 64), 4096, this.limits.maxHeight));
    this.current = {
      info: {
        index: this.pageCount,
        verticalResolutionCode: vres,
        horizontalResolutionCode: hres,
        coding,
        resolution,
        width,
        declaredHeight,
        height: 0,
        previousPageOffset: u32(8),
        nextPageOffset: u32(12),
        userInfoBytes: 0,
        records: 0,
      },
      stride,
      rows: this.skipRows ? undefined : new Uint8Array(stride * capacity),
      height: 0,
      badLines: 0,
      consecutiveBadLines: 0,
      firstBad: -1,
      lastBad: -1,
      run: 0,
    };
    this.pageCount++;
  }

  /** Room for one more row, counted against the limits (also when rows are skipped); returns its offset. */
  private nextRow(): number {
    const p = this.current!;
    if (p.height >= this.limits.maxHeight) {
      throw err('limit', `page ${p.info.index + 1} has more than ${this.limits.maxHeight} rows`);
    }
    this.budget.reserve(p.stride);
    const o = p.height * p.stride;
    if (p.rows && o + p.stride > p.rows.length) {
      const grown = new Uint8Array(Math.min(p.rows.length * 2, this.limits.maxHeight * p.stride));
      grown.set(p.rows);
      p.rows = grown;
    }
    return o;
  }

  private emitRow(o: number): void {
    const p = this.current!;
    const y = p.height++;
    if (this.onRow) this.onRow(p.rows!.subarray(o, o + p.stride), y, p.info.index);
  }

  /** Rows without code to decode: white lines, and any line when rows are skipped. */
  private addRows(count: number): void {
    const p = this.current!;
    p.run = 0;
    for (let k = 0; k < count; k++) this.emitRow(this.nextRow()); // rows are zero already
  }

  private addLine(code: Uint8Array): void {
    const p = this.current!;
    const o = this.nextRow();
    const row = p.rows!.subarray(o, o + p.stride);
    let ok = false;
    try {
      ok = decodeMhRow(code, p.info.width, row, 'lsb');
    } catch {
      ok = false;
    }
    if (!ok) {
      this.substitute(o);
      return;
    }
    const rest = p.info.width & 7;
    if (rest) row[p.stride - 1] &= lastByteMask(p.info.width);
    p.run = 0;
    this.emitRow(o);
  }

  private addBad(): void {
    this.substitute(this.nextRow());
  }

  /** A corrupt line: repeat the previous row (white on the first row), count it. */
  private substitute(o: number): void {
    const p = this.current!;
    if (p.rows) {
      if (p.height > 0) p.rows.copyWithin(o, o - p.stride, o);
      else p.rows.fill(0, o, o + p.stride);
    }
    p.badLines++;
    if (p.firstBad < 0) p.firstBad = p.height;
    p.lastBad = p.height;
    p.run++;
    if (p.run > p.consecutiveBadLines) p.consecutiveBadLines = p.run;
    this.emitRow(o);
  }

  private finishPage(): void {
    const p = this.current;
    if (!p) return;
    this.current = undefined;
    p.info.height = p.height;
    if (!p.rows) {
      this.out.push(p.info);
      return;
    }
    const data = p.rows.length === p.height * p.stride ? p.rows : p.rows.slice(0, p.height * p.stride);
    this.out.push({
      page: pageFromData(p.info.width, p.height, data, p.info.resolution),
      info: p.info,
      quality:
        p.badLines > 0
          ? {
              badLines: p.badLines,
              consecutiveBadLines: p.consecutiveBadLines,
              firstBadRow: p.firstBad,
              lastBadRow: p.lastBad,
            }
          : { badLines: 0, consecutiveBadLines: 0 },
    });
  }
}

export interface SffDocument {
  header: SffDocumentHeader;
  pages: SffPage[];
  /** Bytes after the end-of-document record. */
  trailingBytes: number;
}

/** Reads a whole SFF document from memory. */
export function readSff(data: Uint8Array, options: Omit<SffReaderOptions, 'onRow'> = {}): SffDocument {
  const r = new SffReader(options);
  const pages = r.push(data);
  pages.push(...r.end());
  return { header: r.header!, pages, trailingBytes: r.trailingBytes };
}

// ---------------------------------------------------------------------------------------------
// Writing

export interface SffWriterOptions {
  /** Code runs of white rows as skip records 217..253 (default true; ghostscript does not). */
  whiteSkip?: boolean;
  /** Page count for the streamed document header, when known in advance (else 0). */
  pageCount?: number;
}

const VRES_CODE: Record<VerticalResolution, number> = { standard: 0, fine: 1, superfine: 2 };

/** The records of one page (without its page header). */
export function encodeSffPageRecords(page: BilevelPage, whiteSkip = true): Uint8Array {
  const { width, stride, data } = page;
  const encoder = new MhRowEncoder(width, 'lsb');
  const records = new SffRecordBuilder((stride * page.height) >>> 3);
  for (let y = 0; y < page.height; y++) {
    const off = y * stride;
    // both read `width` pixels only: the padding bits of the last byte never count
    if (whiteSkip && isWhiteRow(data, off, width)) records.whiteRow();
    else records.line(encoder.encode(data, off));
  }
  return records.finish();
}

function pageHeader(page: SffPageRecords['page'], prev: number, next: number): Uint8Array {
  if (page.width < 1 || page.width > 0xffff) throw err('invalid', `line length ${page.width}`);
  if (page.height > 0xffff) throw err('invalid', `page length ${page.height}`);
  const h = new Uint8Array(2 + SFF_PAGE_HEADER_LENGTH);
  const v = new DataView(h.buffer);
  h[0] = 0xfe;
  h[1] = SFF_PAGE_HEADER_LENGTH;
  h[2] = VRES_CODE[page.resolution];
  h[3] = 0; // 203 dpi
  h[4] = 0; // MH
  h[5] = 0;
  v.setUint16(6, page.width, true);
  v.setUint16(8, page.height, true);
  v.setUint32(10, prev >>> 0, true);
  v.setUint32(14, next >>> 0, true);
  return h;
}

function documentHeader(pageCount: number, lastPage: number, docEnd: number): Uint8Array {
  const h = new Uint8Array(SFF_DOCUMENT_HEADER_SIZE);
  const v = new DataView(h.buffer);
  h.set(SFF_MAGIC);
  h[4] = 1;
  h[5] = 0;
  v.setUint16(6, 0, true);
  v.setUint16(8, pageCount, true);
  v.setUint16(10, SFF_DOCUMENT_HEADER_SIZE, true);
  v.setUint32(12, lastPage >>> 0, true);
  v.setUint32(16, docEnd >>> 0, true);
  return h;
}

/** The end-of-document record. */
export const SFF_END = Uint8Array.of(0xfe, 0x00);

/**
 * Streamed SFF writer: header(), then page() per page, then end() — each returns the bytes to
 * send next (e.g. cut into DATA_B3 blocks). A stream cannot know the future, so:
 * - the document header has page count `pageCount` (0 when not given) and last-page and
 *   document-end offsets 0, as ghostscript writes them (readers rely on the record stream);
 * - a page header's previous-page offset is exact (1 on the first page); its next-page offset is
 *   exact when page() is told whether the page is the last (`last: true` → 1, `last: false` →
 *   the offset the next page header will have), and 0 (unknown) otherwise.
 * writeSff() / sffChunks() write a whole document with every count and offset filled in.
 */
export class SffWriter {
  private pos = 0;
  private lastHeader = 0;
  private pages = 0;
  private stage: 'start' | 'pages' | 'ended' = 'start';
  private readonly whiteSkip: boolean;
  private readonly pageCount: number;

  constructor(options: SffWriterOptions = {}) {
    this.whiteSkip = options.whiteSkip ?? true;
    this.pageCount = options.pageCount ?? 0;
    if (!Number.isInteger(this.pageCount) || this.pageCount < 0 || this.pageCount > 0xffff) {
      throw err('invalid', `page count ${this.pageCount}`);
    }
  }

  /** Bytes produced so far. */
  get bytesWritten(): number {
    return this.pos;
  }

  header(): Uint8Array {
    if (this.stage !== 'start') throw err('state', 'header() must come first, once');
    this.stage = 'pages';
    const h = documentHeader(this.pageCount, 0, 0);
    this.pos += h.length;
    return h;
  }

  page(input: PageInput, options: { last?: boolean } = {}): Uint8Array {
    if (this.stage === 'start') throw err('state', 'page() before header()');
    if (this.stage === 'ended') throw err('state', 'page() after end()');
    const { page } = unwrapPage(input);
    const body = encodeSffPageRecords(page, this.whiteSkip);
    const at = this.pos;
    const prev = this.pages === 0 ? 1 : this.lastHeader;
    const total = 2 + SFF_PAGE_HEADER_LENGTH + body.length;
    const next = options.last === true ? 1 : options.last === false ? at + total : 0;
    const out = concatBytes([pageHeader(page, prev, next), body]);
    this.lastHeader = at;
    this.pages++;
    this.pos += out.length;
    return out;
  }

  end(): Uint8Array {
    if (this.stage !== 'pages')
      throw err('state', this.stage === 'start' ? 'end() before header()' : 'end() twice');
    this.stage = 'ended';
    this.pos += SFF_END.length;
    return SFF_END.slice();
  }
}

export interface SffWriteOptions {
  whiteSkip?: boolean;
}

/**
 * A whole document as chunks (document header, one chunk per page, end record) with the page
 * count and all offsets filled in. The pages are encoded before the first chunk is returned.
 */
export function sffChunks(pages: readonly PageInput[], options: SffWriteOptions = {}): Uint8Array[] {
  if (pages.length > 0xffff) throw err('limit', `${pages.length} pages do not fit into the page count`);
  return sffChunksOfRecords(
    pages.map((p) => {
      const { page } = unwrapPage(p);
      return { page, records: encodeSffPageRecords(page, options.whiteSkip ?? true) };
    }),
  );
}

/** The page header fields and the records (encodeSffPageRecords or a transcoder) of one page. */
export interface SffPageRecords {
  page: Pick<BilevelPage, 'width' | 'height' | 'resolution'>;
  records: Uint8Array;
}

/** sffChunks for pages whose records are made already. */
export function sffChunksOfRecords(pages: readonly SffPageRecords[]): Uint8Array[] {
  if (pages.length > 0xffff) throw err('limit', `${pages.length} pages do not fit into the page count`);
  const headerAt: number[] = [];
  let pos = SFF_DOCUMENT_HEADER_SIZE;
  for (const p of pages) {
    headerAt.push(pos);
    pos += 2 + SFF_PAGE_HEADER_LENGTH + p.records.length;
  }
  const docEnd = pos + SFF_END.length;
  const chunks: Uint8Array[] = [documentHeader(pages.length, headerAt[headerAt.length - 1] ?? 0, docEnd)];
  pages.forEach((p, i) => {
    const prev = i === 0 ? 1 : headerAt[i - 1];
    const next = i === pages.length - 1 ? 1 : headerAt[i + 1];
    chunks.push(concatBytes([pageHeader(p.page, prev, next), p.records]));
  });
  chunks.push(SFF_END.slice());
  return chunks;
}

/** A whole SFF document in one buffer (see sffChunks). */
export function writeSff(pages: readonly PageInput[], options: SffWriteOptions = {}): Uint8Array {
  return concatBytes(sffChunks(pages, options));
}
