// T.4 / T.6 page decoder that behaves like a fax receiver: a corrupt row is counted, replaced by
// the previous row, and decoding resynchronises at the next EOL. Works one-shot (decodePage) or
// incrementally (PageDecoder.push), resuming at row boundaries.

import { type BilevelPage, MAX_PAGE_HEIGHT, MAX_PAGE_WIDTH, pageFromData, strideFor } from '../page.js';
import {
  decode1D,
  decode2D,
  ERR_CODE,
  Reader,
  RUNS_SLACK,
  SYNC_FOUND,
  SYNC_GARBAGE,
  SYNC_NONE,
} from './reader.js';
import { paintRow, paintRowWords, wordPaintable } from './runs.js';
import { REVERSE_BITS, reverseBits } from './tables.js';
import { type BitOrder, CodecError, type DecodeEnd, type DecodeOptions, type DecodeResult } from './types.js';

const MODE_DETECT = 0;
const MODE_EOL = 1;
const MODE_NOEOL = 2;
const MODE_MMR = 3;

/** A row that is not decoded at all (MR 2-D row whose reference row was bad). */
const ERR_SKIP = -10;

/** PageDecoder refuses to buffer more than this for one page (a page is at most a few MB). */
const MAX_STREAM_BYTES = 64 << 20;

/** Return value of a unit that needs more data (streaming only). */
const NEED = false;

function checkBitOrder(b: unknown): BitOrder {
  if (b === undefined || b === 'msb') return 'msb';
  if (b === 'lsb') return 'lsb';
  throw new CodecError('bad-option', `bitOrder must be 'msb' or 'lsb', not ${String(b)}`);
}

/**
 * The decoder state machine. Each "unit" decodes one row (or the page end) and either completes
 * or, when the data so far is not enough, reports NEED so the caller rewinds to the unit start.
 */
class Decoder {
  readonly width: number;
  readonly stride: number;
  readonly coding: 'mh' | 'mr' | 'mmr';
  readonly strict: boolean;
  readonly fillRows: boolean;
  readonly height: number | undefined;
  readonly maxRows: number;
  readonly resolution: NonNullable<DecodeOptions['resolution']>;
  mode: number;
  readonly r: Reader;
  final = false;
  data: Uint8Array;
  /** The page as 32-bit words when rows are word aligned (faster painting), else null. */
  words: Int32Array | null;
  capacity: number;
  rows = 0;
  badLines = 0;
  consecutive = 0;
  maxConsecutive = 0;
  firstBad = -1;
  lastBad = -1;
  endedBy: DecodeEnd | null = null;
  endPos = 0;
  started = false;
  refBad = false;
  ref: Int32Array;
  cur: Int32Array;
  /** Runs mode (decodePageRuns): good rows go here instead of being painted. */
  readonly sink: RowSink | null;
  /** Runs mode: the row as the sink sees it when it had zero-length runs. */
  readonly sinkRow: Int32Array;

  constructor(
    opts: DecodeOptions,
    buf: Uint8Array,
    len: number,
    final: boolean,
    sink: RowSink | null = null,
  ) {
    const coding = opts?.coding;
    if (coding !== 'mh' && coding !== 'mr' && coding !== 'mmr')
      throw new CodecError('bad-option', `coding must be 'mh', 'mr' or 'mmr', not ${String(coding)}`);
    const width = opts.width;
    if (!Number.isInteger(width) || width < 1)
      throw new CodecError('bad-option', `width must be a positive integer, not ${String(width)}`);
    if (width > MAX_PAGE_WIDTH)
      throw new CodecError('too-large', `width ${width} is larger than ${MAX_PAGE_WIDTH}`);
    const height = opts.height;
    if (height !== undefined) {
      if (!Number.isInteger(height) || height < 0)
        throw new CodecError('bad-option', `height must be a non-negative integer, not ${String(height)}`);
      if (height > MAX_PAGE_HEIGHT)
        throw new CodecError('too-large', `height ${height} is larger than ${MAX_PAGE_HEIGHT}`);
    }
    let maxRows = MAX_PAGE_HEIGHT;
    if (opts.maxHeight !== undefined) {
      if (!Number.isInteger(opts.maxHeight) || opts.maxHeight < 0)
        throw new CodecError('bad-option', `maxHeight must be a non-negative integer, not ${opts.maxHeight}`);
      maxRows = Math.min(opts.maxHeight, MAX_PAGE_HEIGHT);
    }
    checkBitOrder(opts.bitOrder);
    const res = opts.resolution ?? 'fine';
    if (res !== 'standard' && res !== 'fine' && res !== 'superfine')
      throw new CodecError(
        'bad-option',
        `resolution must be standard, fine or superfine, not ${String(res)}`,
      );
    this.resolution = res;
    this.coding = coding;
    this.width = width;
    this.stride = strideFor(width);
    this.height = height;
    this.maxRows = height ?? maxRows;
    this.strict = opts.strict === true;
    this.fillRows = opts.fillBits === true;
    if (coding === 'mmr') this.mode = MODE_MMR;
    else if (coding === 'mr') {
      if (opts.eol === false)
        throw new CodecError('bad-option', 'MR needs EOLs: they carry the 1-D/2-D tag bit');
      this.mode = MODE_EOL;
    } else if (opts.eol === true) this.mode = MODE_EOL;
    else if (opts.eol === false) this.mode = MODE_NOEOL;
    else this.mode = MODE_DETECT;
    this.r = new Reader(buf, len);
    this.final = final;
    this.ref = new Int32Array(width + RUNS_SLACK);
    this.cur = new Int32Array(width + RUNS_SLACK);
    this.ref[0] = width;
    this.ref[1] = width;
    this.ref[2] = width;
    this.sink = sink;
    this.sinkRow = new Int32Array(sink === null ? 0 : width + RUNS_SLACK);
    // runs mode has no pixels
    if (sink !== null) this.capacity = 0;
    else if (height !== undefined) this.capacity = height;
    else {
      // rows cost at least 12 bits with EOLs, 4 bits in MH without, 1 bit in MMR
      const bits = final ? len * 8 : Number.POSITIVE_INFINITY;
      const perRow = this.mode === MODE_MMR ? 1 : this.mode === MODE_EOL ? 12 : 4;
      this.capacity = Math.min(this.maxRows, Math.floor(bits / perRow) + 2, 2400);
    }
    this.data = new Uint8Array(this.capacity * this.stride);
    this.words = this.wordsOf(this.data);
  }

  private wordsOf(data: Uint8Array): Int32Array | null {
    return wordPaintable(data, this.stride)
      ? new Int32Array(data.buffer, data.byteOffset, data.length >>> 2)
      : null;
  }

  /** Decodes as far as the data goes. */
  run(): void {
    const r = this.r;
    while (this.endedBy === null) {
      const start = r.pos;
      if (!this.unit()) {
        r.seek(start);
        return;
      }
    }
  }

  private end(how: DecodeEnd): boolean {
    if (this.endedBy !== null) return true; // runs mode: a corrupt row already ended the page
    this.endedBy = how;
    this.endPos = Math.min(this.r.pos, this.r.end);
    return true;
  }

  private unit(): boolean {
    if (this.height !== undefined && this.rows >= this.height) return this.end('height');
    switch (this.mode) {
      case MODE_EOL:
        return this.started ? this.unitEol() : this.unitStart();
      case MODE_MMR:
        return this.unitMmr();
      case MODE_NOEOL:
        return this.unitNoEol();
      default:
        return this.unitDetect();
    }
  }

  /** Auto-detects EOL framing for MH: EOL = the first one bit comes after 11 or more zeros. */
  private unitDetect(): boolean {
    const r = this.r;
    const buf = r.buf;
    const pos = r.pos;
    let i = pos >>> 3;
    let first = -1;
    if (i < r.len) {
      const b = buf[i] & (0xff >>> (pos & 7));
      if (b) first = i * 8 + Math.clz32(b) - 24;
      else
        for (i++; i < r.len; i++)
          if (buf[i]) {
            first = i * 8 + Math.clz32(buf[i]) - 24;
            break;
          }
    }
    if (first < 0) {
      if (!this.final) return NEED;
      return this.end('end-of-data');
    }
    this.mode = first - pos >= 11 ? MODE_EOL : MODE_NOEOL;
    return true;
  }

  /** Finds the first EOL of the page; anything before it is line noise and is skipped. */
  private unitStart(): boolean {
    const s = this.r.syncEol();
    if (s & SYNC_NONE) {
      if (!this.final) return NEED;
      return this.end('end-of-data');
    }
    this.started = true;
    return true;
  }

  /** After an EOL that was followed directly by another EOL: RTC. Consumes the rest of it. */
  private endRtc(): boolean {
    const r = this.r;
    const mr = this.coding === 'mr';
    if (mr && r.pos < r.end && r.peek(1) === 1) r.skip(1);
    for (let i = 0; i < 8; i++) {
      const save = r.pos;
      if (r.pos + 12 > r.end || r.peek(11) !== 0 || r.syncEol() !== SYNC_FOUND) {
        r.seek(save);
        break;
      }
      if (mr && r.pos < r.end && r.peek(1) === 1) r.skip(1);
    }
    return this.end('rtc');
  }

  private tooManyRows(): never {
    throw new CodecError(
      'too-large',
      `the page has more than ${this.maxRows} rows (maxHeight); refusing to decode further`,
    );
  }

  /** One row of a T.4 stream with EOLs; positioned just after the row's EOL. */
  private unitEol(): boolean {
    const r = this.r;
    let tag = 1;
    if (this.coding === 'mr') {
      tag = r.peek(1);
      r.skip(1);
      if (r.pos > r.end) {
        if (!this.final) return NEED;
        return this.end('end-of-data');
      }
    }
    if (r.peek(11) === 0) {
      // no row starts with 11 zeros: fill and another EOL (RTC), or the end of the data
      const s = r.syncEol();
      if (s & SYNC_NONE) {
        if (!this.final) return NEED;
        return this.end('end-of-data');
      }
      // EOL EOL. RTC has six; two can also be a damaged row (an MR row that was one V0 bit),
      // so the page ends only if a third EOL or nothing but zeros follows.
      const afterSecond = r.pos;
      if (this.coding === 'mr') r.skip(1);
      if (r.peek(11) === 0) {
        const s3 = r.syncEol();
        if (s3 & SYNC_NONE && !this.final) return NEED;
        r.seek(afterSecond);
        return this.endRtc();
      }
      if (r.pos > r.end && !this.final) return NEED;
      r.seek(afterSecond);
      if (this.rows >= this.maxRows) this.tooManyRows();
      this.commit(true, ERR_CODE, tag, false);
      return true;
    }
    if (this.rows >= this.maxRows) this.tooManyRows();
    const rowStart = r.pos;
    let n: number;
    if (tag === 0) n = this.refBad ? ERR_SKIP : decode2D(r, this.ref, this.cur, this.width);
    else n = decode1D(r, this.cur, this.width);
    const over = r.pos > r.end;
    if (over && !this.final) return NEED;
    let s = r.syncEol();
    const bad = n < 0 || over || (s & SYNC_GARBAGE) !== 0;
    if (bad) {
      // A corrupt row may have been decoded into the zeros of the next EOL; coded data never
      // holds 11 zeros in a row, so the next EOL after the row start is the one to sync on.
      r.seek(rowStart);
      s = r.syncEol();
    }
    if (s & SYNC_NONE && !this.final) return NEED;
    this.commit(bad, n, tag, over);
    if (s & SYNC_NONE) return this.end('end-of-data');
    return true;
  }

  /** One row of an MH stream without EOLs. */
  private unitNoEol(): boolean {
    const r = this.r;
    if (this.fillRows) r.align();
    if (r.peek(11) === 0) {
      const s = r.syncEol();
      if (s & SYNC_NONE) {
        if (!this.final) return NEED;
        return this.end('end-of-data');
      }
      // An EOL: RTC when more EOLs follow; otherwise the stream has EOLs after all and only
      // the first one was missing (some writers omit it), so go on in EOL mode.
      const afterEol = r.pos;
      if (r.peek(11) === 0) {
        const s2 = r.syncEol();
        if (s2 & SYNC_NONE && !this.final) return NEED;
        r.seek(afterEol);
        return this.endRtc();
      }
      if (r.pos + 11 > r.end && !this.final) return NEED;
      this.mode = MODE_EOL;
      this.started = true;
      return true;
    }
    if (this.rows >= this.maxRows) this.tooManyRows();
    const n = decode1D(r, this.cur, this.width);
    const over = r.pos > r.end;
    if (!this.final && (over || (n < 0 && r.pos + 13 > r.end))) return NEED;
    if (n < 0 || over) {
      this.commit(true, n, 1, over);
      return this.end(over ? 'end-of-data' : 'error');
    }
    this.commit(false, n, 1, false);
    return true;
  }

  /** One row of a T.6 stream. */
  private unitMmr(): boolean {
    const r = this.r;
    if (r.peek(11) === 0) {
      const s = r.syncEol();
      if (s & SYNC_NONE) {
        if (!this.final) return NEED;
        return this.end('end-of-data');
      }
      // EOFB = EOL EOL
      if (!this.final && r.pos + 12 > r.end) return NEED;
      if (r.pos + 12 <= r.end && r.peek(12) === 1) r.skip(12);
      return this.end('eofb');
    }
    if (this.rows >= this.maxRows) this.tooManyRows();
    const n = decode2D(r, this.ref, this.cur, this.width);
    const over = r.pos > r.end;
    if (!this.final && (over || (n < 0 && r.pos + 13 > r.end))) return NEED;
    if (n < 0 || over) {
      this.commit(true, n, 0, over);
      return this.end(over ? 'end-of-data' : 'error');
    }
    this.commit(false, n, 0, false);
    return true;
  }

  private grow(): void {
    let cap = Math.min(this.maxRows, this.capacity * 2);
    if (cap <= this.rows) cap = this.rows + 1;
    const next = new Uint8Array(cap * this.stride);
    next.set(this.data.subarray(0, this.rows * this.stride));
    this.data = next;
    this.words = this.wordsOf(next);
    this.capacity = cap;
  }

  /**
   * Stores row number `rows`: painted from `cur`, or (bad) a copy of the previous row. In runs
   * mode a good row goes to the sink and a bad one ends the page (there is nothing to copy).
   */
  private commit(bad: boolean, n: number, tag: number, truncated: boolean): void {
    const sink = this.sink;
    if (sink === null && this.rows >= this.capacity) this.grow();
    const stride = this.stride;
    const off = this.rows * stride;
    if (!bad) {
      if (sink !== null) this.toSink(sink, n);
      else if (this.words !== null) paintRowWords(this.words, off >>> 2, this.width, this.cur, n);
      else paintRow(this.data, off, this.width, this.cur, n);
      const t = this.ref;
      this.ref = this.cur;
      this.cur = t;
      if (tag === 1) this.refBad = false;
      this.consecutive = 0;
    } else {
      if (this.strict) {
        if (truncated) throw new CodecError('truncated', `the data ends inside row ${this.rows}`);
        const what = n === ERR_CODE ? 'an invalid code or a run past the row end' : 'a bad row';
        throw new CodecError('bad-code', `row ${this.rows}: ${what}`);
      }
      if (sink !== null) this.end('error');
      else if (this.rows > 0) this.data.copyWithin(off, off - stride, off);
      this.badLines++;
      if (this.firstBad < 0) this.firstBad = this.rows;
      this.lastBad = this.rows;
      this.consecutive++;
      if (this.consecutive > this.maxConsecutive) this.maxConsecutive = this.consecutive;
      // MR: the 2-D rows that follow refer to a row we do not have; they are bad too, up to the
      // next 1-D row. (The previous good reference stays in `ref` but is not used.)
      this.refBad = true;
    }
    this.rows++;
  }

  /**
   * Hands a good row to the sink with its zero-length runs dropped: sinks (the SFF transcoder's
   * encoder) take strictly increasing elements. Most rows have none and go as they are.
   */
  private toSink(sink: RowSink, n: number): void {
    const cur = this.cur;
    let i = 1;
    while (i < n && cur[i] !== cur[i - 1]) i++;
    if (i >= n) {
      sink(cur, n);
      return;
    }
    // two changes at one place cancel; the elements never decrease, so a stack does it
    const out = this.sinkRow;
    let m = 0;
    for (let k = 0; k < n; k++) {
      const c = cur[k];
      if (m > 0 && out[m - 1] === c) m--;
      else out[m++] = c;
    }
    out.fill(this.width, m, m + 3);
    sink(out, m);
  }

  /** The result of runs mode: everything but the page. */
  runsResult(): RunsDecodeResult {
    let endedBy = this.endedBy ?? 'end-of-data';
    if (endedBy === 'end-of-data' && this.height !== undefined && this.rows === this.height)
      endedBy = 'height';
    const endPos = this.endedBy === null ? Math.min(this.r.pos, this.r.end) : this.endPos;
    return {
      rows: this.rows,
      badLines: this.badLines,
      endedBy,
      bytesUsed: Math.min(this.r.len, Math.ceil(endPos / 8)),
    };
  }

  result(): DecodeResult {
    let endedBy = this.endedBy ?? 'end-of-data';
    // libtiff's framing ends the strip right after the last row: that is reaching `height`
    if (endedBy === 'end-of-data' && this.height !== undefined && this.rows === this.height)
      endedBy = 'height';
    const height = this.height ?? this.rows;
    let data = this.data;
    const used = height * this.stride;
    if (this.height === undefined && data.length > used + (used >>> 2)) data = data.slice(0, used);
    const page: BilevelPage = pageFromData(this.width, height, data, this.resolution);
    const endPos = this.endedBy === null ? Math.min(this.r.pos, this.r.end) : this.endPos;
    return {
      page,
      rows: this.rows,
      badLines: this.badLines,
      consecutiveBadLines: this.maxConsecutive,
      firstBadRow: this.firstBad,
      lastBadRow: this.lastBad,
      endedBy,
      bytesUsed: Math.min(this.r.len, Math.ceil(endPos / 8)),
    };
  }
}

/**
 * Decodes one page. Never throws for damaged data (unless `strict`): corrupt rows are repaired
 * and counted, see DecodeResult. Throws CodecError for bad options (`bad-option`) and for pages
 * over the size caps (`too-large`).
 */
export function decodePage(data: Uint8Array, opts: DecodeOptions): DecodeResult {
  if (!(data instanceof Uint8Array)) throw new CodecError('bad-option', 'data must be a Uint8Array');
  const buf = checkBitOrder(opts?.bitOrder) === 'lsb' ? reverseBits(data) : data;
  const d = new Decoder(opts, buf, buf.length, true);
  d.run();
  return d.result();
}

/**
 * Receives each good row of decodePageRuns as changing elements: `changes[0..n)` are the
 * positions where the colour changes (the row starts white), followed by `width` sentinels.
 * The array belongs to the decoder (it is the next row's reference): read it, do not keep or
 * change it.
 */
export type RowSink = (changes: Int32Array, n: number) => void;

/** What decodePageRuns found; as DecodeResult without the page. */
export interface RunsDecodeResult {
  /** Rows handed to the sink, plus the corrupt row that stopped decoding (if any). */
  rows: number;
  /** 0, or 1 when a corrupt row ended the page (`endedBy` 'error'). */
  badLines: number;
  endedBy: DecodeEnd;
  bytesUsed: number;
}

/**
 * Decodes one page into changing elements row by row, without painting pixels (for transcoding
 * to another coding). Unlike decodePage nothing is repaired: the first corrupt row ends
 * decoding with `badLines` 1, so a caller that wants a receiver's repair uses decodePage. With
 * `height`, at most that many rows; `rows` < `height` means the data ended early. Throws
 * CodecError as decodePage does; memory is two rows of changing elements.
 */
export function decodePageRuns(data: Uint8Array, opts: DecodeOptions, onRow: RowSink): RunsDecodeResult {
  if (!(data instanceof Uint8Array)) throw new CodecError('bad-option', 'data must be a Uint8Array');
  if (typeof onRow !== 'function') throw new CodecError('bad-option', 'onRow must be a function');
  const buf = checkBitOrder(opts?.bitOrder) === 'lsb' ? reverseBits(data) : data;
  const d = new Decoder(opts, buf, buf.length, true, onRow);
  d.run();
  return d.runsResult();
}

/**
 * Incremental decoder for a receiver: push bytes as they arrive; `push` reports when the page
 * has ended (RTC, EOFB or `height` rows), so the caller knows while the line is still sending.
 * Rows are decoded as soon as they are complete; `end()` finishes the page.
 */
export class PageDecoder {
  private readonly d: Decoder;
  private buf: Uint8Array;
  private len = 0;
  private readonly lsb: boolean;
  private waitUntil = 0;

  constructor(opts: DecodeOptions) {
    this.lsb = checkBitOrder(opts?.bitOrder) === 'lsb';
    this.buf = new Uint8Array(1 << 16);
    this.d = new Decoder(opts, this.buf, 0, false);
  }

  /** Rows decoded so far. */
  get rows(): number {
    return this.d.rows;
  }

  /** True once the page has ended; later bytes do not belong to it. */
  get done(): boolean {
    return this.d.endedBy !== null;
  }

  /** Adds bytes. Returns `done`. */
  push(chunk: Uint8Array): boolean {
    if (this.d.endedBy !== null) return true;
    if (this.len + chunk.length > MAX_STREAM_BYTES)
      throw new CodecError('too-large', `more than ${MAX_STREAM_BYTES} bytes without the end of the page`);
    if (this.len + chunk.length > this.buf.length) {
      let size = this.buf.length * 2;
      while (size < this.len + chunk.length) size *= 2;
      const next = new Uint8Array(size);
      next.set(this.buf.subarray(0, this.len));
      this.buf = next;
    }
    if (this.lsb) for (let i = 0; i < chunk.length; i++) this.buf[this.len + i] = REVERSE_BITS[chunk[i]];
    else this.buf.set(chunk, this.len);
    this.len += chunk.length;
    // A unit that needed more data is decoded again from its start. Waiting until the pending
    // tail has doubled keeps that linear even for a long stretch without an EOL.
    if (this.len < this.waitUntil) return false;
    const r = this.d.r;
    r.buf = this.buf;
    r.len = this.len;
    r.seek(r.pos); // drop zero bits the reader may have buffered past the old end
    this.d.run();
    this.waitUntil = this.len + (this.len - (r.pos >>> 3));
    return this.d.endedBy !== null;
  }

  /** No more data: decodes what is left and returns the page. */
  end(): DecodeResult {
    if (this.d.endedBy === null) {
      this.d.final = true;
      this.d.r.buf = this.buf;
      this.d.r.len = this.len;
      this.d.r.seek(this.d.r.pos);
      this.d.run();
    }
    return this.d.result();
  }
}

// Scratch state for decodeMhRow (SFF reads one record per row).
let rowRuns = new Int32Array(1728 + RUNS_SLACK);
let rowBytes = new Uint8Array(1024);

/**
 * Decodes one MH-coded row without EOL (an SFF line record; a leading EOL and trailing zero
 * bits are accepted). On success paints the row into `out` (ceil(width / 8) bytes, cleared
 * first) and returns true. Returns false for a corrupt row and leaves `out` unchanged, so a
 * caller that passes a copy of the previous row gets the usual substitution.
 */
export function decodeMhRow(code: Uint8Array, width: number, out: Uint8Array, bitOrder: BitOrder): boolean {
  if (!Number.isInteger(width) || width < 1 || width > MAX_PAGE_WIDTH)
    throw new CodecError('too-large', `row width ${width} is outside 1..${MAX_PAGE_WIDTH}`);
  const stride = strideFor(width);
  if (out.length < stride)
    throw new CodecError('bad-option', `out has ${out.length} bytes, ${stride} needed`);
  let buf = code;
  if (checkBitOrder(bitOrder) === 'lsb') {
    if (rowBytes.length < code.length) rowBytes = new Uint8Array(Math.max(code.length, rowBytes.length * 2));
    for (let i = 0; i < code.length; i++) rowBytes[i] = REVERSE_BITS[code[i]];
    buf = rowBytes;
  }
  if (rowRuns.length < width + RUNS_SLACK) rowRuns = new Int32Array(width + RUNS_SLACK);
  const r = new Reader(buf, code.length);
  if (r.peek(11) === 0 && r.syncEol() !== SYNC_FOUND) return false;
  const n = decode1D(r, rowRuns, width);
  if (n < 0 || r.pos > r.end) return false;
  // only zero bits (or EOLs) may follow
  for (;;) {
    const s = r.syncEol();
    if (s & SYNC_GARBAGE) return false;
    if (s & SYNC_NONE) break;
  }
  out.fill(0, 0, stride);
  paintRow(out, 0, width, rowRuns, n);
  return true;
}
