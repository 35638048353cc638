// T.4 (MH, MR) and T.6 (MMR) encoders. The bit streams equal libtiff's and spandsp's bit for bit:
// the mode decisions of T.4 §4.2 are fully determined, and make-up codes are chosen the way
// libtiff's putspan does (2560 chunks only from 2624 on).

import { type BilevelPage, MAX_PAGE_HEIGHT, MAX_PAGE_WIDTH, strideFor } from '../page.js';
import { growBytes } from './grow.js';
import { rowChanges, rowChangesWords, wordPaintable } from './runs.js';
import {
  BLACK_RUN_BITS,
  BLACK_RUN_CODE,
  EOL_BITS,
  EOL_CODE,
  HORIZ_BITS,
  HORIZ_CODE,
  MAKEUP_2560_BITS,
  MAKEUP_2560_CODE,
  MAX_SINGLE_SPAN,
  PASS_BITS,
  PASS_CODE,
  reverseBitsInPlace,
  VERT_BITS,
  VERT_CODE,
  WHITE_RUN_BITS,
  WHITE_RUN_CODE,
} from './tables.js';
import { type BitOrder, CodecError, type EncodeOptions } from './types.js';

/**
 * MSB-first bit writer over a growable byte buffer. `acc` holds `nacc` (< 8 between calls)
 * pending bits in its low end. The hot paths copy the fields into locals.
 */
class BitWriter {
  out: Uint8Array;
  o = 0;
  acc = 0;
  nacc = 0;
  constructor(size: number) {
    this.out = new Uint8Array(size);
  }

  /** Makes room for `bytes` more bytes. */
  ensure(bytes: number): void {
    this.out = growBytes(this.out, this.o, bytes);
  }

  put(code: number, len: number): void {
    let acc = (this.acc << len) | code;
    let nacc = this.nacc + len;
    const out = this.out;
    let o = this.o;
    while (nacc >= 8) {
      nacc -= 8;
      out[o++] = acc >>> nacc;
    }
    acc &= (1 << nacc) - 1;
    this.acc = acc;
    this.nacc = nacc;
    this.o = o;
  }

  /** Zero bits up to the next byte boundary. */
  pad(): void {
    if (this.nacc > 0) this.put(0, 8 - this.nacc);
  }

  /** An EOL (plus the MR tag bit when `tag` >= 0), zero-filled to end on a byte boundary if `fill`. */
  eol(fill: boolean, tag: number): void {
    if (fill) {
      const pad = (12 - this.nacc) & 7;
      if (pad) this.put(0, pad);
    }
    if (tag >= 0) this.put((EOL_CODE << 1) | tag, EOL_BITS + 1);
    else this.put(EOL_CODE, EOL_BITS);
  }

  reset(): void {
    this.o = 0;
    this.acc = 0;
    this.nacc = 0;
  }
}

// One writer reused across calls (the encoder is synchronous), so a page costs no allocation
// beyond the final copy and the run arrays.
let shared: BitWriter | null = null;
const SHARED_KEEP = 4 << 20;

function writerFor(estimate: number): BitWriter {
  if (shared === null) shared = new BitWriter(Math.max(1 << 16, estimate));
  shared.reset();
  return shared;
}

/** Emits one run in the colour given (0 white, 1 black), make-up code(s) first. */
function putRun(w: BitWriter, run: number, black: number): void {
  while (run > MAX_SINGLE_SPAN) {
    w.put(MAKEUP_2560_CODE, MAKEUP_2560_BITS);
    run -= 2560;
  }
  if (black) w.put(BLACK_RUN_CODE[run], BLACK_RUN_BITS[run]);
  else w.put(WHITE_RUN_CODE[run], WHITE_RUN_BITS[run]);
}

/** One-dimensional (MH) coding of a row given its changing elements (cur[n] = width). */
function encode1D(w: BitWriter, cur: Int32Array, n: number, width: number): void {
  // 32-bit staging: `buf` holds `nb` (< 32) pending bits in its low end; a full word is
  // written as 4 bytes at once. On exit whole bytes are flushed so the writer keeps < 8 bits.
  let buf = w.acc;
  let nb = w.nacc;
  const out = w.out;
  let o = w.o;
  let a0 = 0;
  for (let j = 0; j <= n; j++) {
    const a1 = cur[j];
    let run = a1 - a0;
    const black = j & 1;
    if (run > MAX_SINGLE_SPAN) {
      while (nb >= 8) {
        nb -= 8;
        out[o++] = buf >>> nb;
      }
      w.acc = buf & ((1 << nb) - 1);
      w.nacc = nb;
      w.o = o;
      while (run > MAX_SINGLE_SPAN) {
        w.put(MAKEUP_2560_CODE, MAKEUP_2560_BITS);
        run -= 2560;
      }
      buf = w.acc;
      nb = w.nacc;
      o = w.o;
    }
    let code: number;
    let len: number;
    if (black) {
      code = BLACK_RUN_CODE[run];
      len = BLACK_RUN_BITS[run];
    } else {
      code = WHITE_RUN_CODE[run];
      len = WHITE_RUN_BITS[run];
    }
    if (nb + len < 32) {
      buf = (buf << len) | code;
      nb += len;
    } else {
      const over = nb + len - 32; // len <= 25, so nb >= 7 and the shift below is 1..25
      const word = (buf << (len - over)) | (code >>> over);
      out[o] = word >>> 24;
      out[o + 1] = word >>> 16;
      out[o + 2] = word >>> 8;
      out[o + 3] = word;
      o += 4;
      buf = code;
      nb = over;
    }
    a0 = a1;
    if (a0 >= width) break;
  }
  while (nb >= 8) {
    nb -= 8;
    out[o++] = buf >>> nb;
  }
  w.acc = buf & ((1 << nb) - 1);
  w.nacc = nb;
  w.o = o;
}

/**
 * Two-dimensional coding of a row (T.4 §4.2.1.3 / T.6), from the changing elements of the
 * coding row `cur` and the reference row `ref` (both with `width` sentinels).
 */
function encode2D(w: BitWriter, ref: Int32Array, cur: Int32Array, width: number): void {
  // writer state in locals with 32-bit staging as in encode1D; the rare runs over 2623 pixels
  // go through the writer methods
  const out = w.out;
  let buf = w.acc;
  let nb = w.nacc;
  let o = w.o;
  let a0 = -1;
  let black = 0;
  let j = 0; // index of a1 in cur
  let bi = 0; // index of b1 in ref; bi & 1 === black
  for (;;) {
    const a1 = cur[j];
    while (ref[bi] <= a0) bi += 2;
    const b1 = ref[bi];
    const b2 = ref[bi + 1];
    let code: number;
    let len: number;
    if (b2 < a1) {
      code = PASS_CODE;
      len = PASS_BITS;
      a0 = b2;
      bi += 2;
    } else {
      const d = a1 - b1 + 3;
      if (d >= 0 && d <= 6) {
        code = VERT_CODE[d];
        len = VERT_BITS[d];
        a0 = a1;
        j++;
        black ^= 1;
        bi = bi > 0 ? bi - 1 : 1;
      } else {
        const a2 = cur[j + 1];
        const run1 = a1 - Math.max(a0, 0);
        const run2 = a2 - a1;
        if (run1 > MAX_SINGLE_SPAN || run2 > MAX_SINGLE_SPAN) {
          while (nb >= 8) {
            nb -= 8;
            out[o++] = buf >>> nb;
          }
          w.acc = buf & ((1 << nb) - 1);
          w.nacc = nb;
          w.o = o;
          w.put(HORIZ_CODE, HORIZ_BITS);
          putRun(w, run1, black);
          putRun(w, run2, black ^ 1);
          buf = w.acc;
          nb = w.nacc;
          o = w.o;
          a0 = a2;
          j += 2;
          if (a0 >= width) break;
          continue;
        }
        // horizontal code and the first run together: at most 3 + 25 bits
        len = black ? BLACK_RUN_BITS[run1] : WHITE_RUN_BITS[run1];
        code = (HORIZ_CODE << len) | (black ? BLACK_RUN_CODE[run1] : WHITE_RUN_CODE[run1]);
        len += HORIZ_BITS;
        if (nb + len < 32) {
          buf = (buf << len) | code;
          nb += len;
        } else {
          const over = nb + len - 32;
          const word = (buf << (len - over)) | (code >>> over);
          out[o] = word >>> 24;
          out[o + 1] = word >>> 16;
          out[o + 2] = word >>> 8;
          out[o + 3] = word;
          o += 4;
          buf = code;
          nb = over;
        }
        len = black ? WHITE_RUN_BITS[run2] : BLACK_RUN_BITS[run2];
        code = black ? WHITE_RUN_CODE[run2] : BLACK_RUN_CODE[run2];
        a0 = a2;
        j += 2;
      }
    }
    if (nb + len < 32) {
      buf = (buf << len) | code;
      nb += len;
    } else {
      const over = nb + len - 32;
      const word = (buf << (len - over)) | (code >>> over);
      out[o] = word >>> 24;
      out[o + 1] = word >>> 16;
      out[o + 2] = word >>> 8;
      out[o + 3] = word;
      o += 4;
      buf = code;
      nb = over;
    }
    if (a0 >= width) break;
  }
  while (nb >= 8) {
    nb -= 8;
    out[o++] = buf >>> nb;
  }
  w.acc = buf & ((1 << nb) - 1);
  w.nacc = nb;
  w.o = o;
}

function checkPage(page: BilevelPage): void {
  const { width, height, data } = page;
  if (!Number.isInteger(width) || width < 1 || width > MAX_PAGE_WIDTH)
    throw new CodecError('too-large', `page width ${width} is outside 1..${MAX_PAGE_WIDTH}`);
  if (!Number.isInteger(height) || height < 0 || height > MAX_PAGE_HEIGHT)
    throw new CodecError('too-large', `page height ${height} is outside 0..${MAX_PAGE_HEIGHT}`);
  const stride = strideFor(width);
  if (page.stride !== stride)
    throw new CodecError('bad-option', `page stride ${page.stride}, expected ${stride}`);
  if (data.length < stride * height)
    throw new CodecError('bad-option', `page data has ${data.length} bytes, ${stride * height} needed`);
}

function checkBitOrder(b: unknown): BitOrder {
  if (b === undefined || b === 'msb') return 'msb';
  if (b === 'lsb') return 'lsb';
  throw new CodecError('bad-option', `bitOrder must be 'msb' or 'lsb', not ${String(b)}`);
}

interface Framing {
  coding: 'mh' | 'mr' | 'mmr';
  k: number;
  eol: boolean;
  fill: boolean;
  rtc: boolean;
  eofb: boolean;
  bitOrder: BitOrder;
}

function framing(page: BilevelPage, opts: EncodeOptions): Framing {
  const coding = opts?.coding;
  if (coding !== 'mh' && coding !== 'mr' && coding !== 'mmr')
    throw new CodecError('bad-option', `coding must be 'mh', 'mr' or 'mmr', not ${String(coding)}`);
  const bitOrder = checkBitOrder(opts.bitOrder);
  const fill = opts.fillBits === true;
  if (coding === 'mmr') {
    if (opts.eol === true) throw new CodecError('bad-option', 'MMR (T.6) has no EOLs');
    if (opts.rtc === true) throw new CodecError('bad-option', 'MMR (T.6) ends with EOFB, not RTC');
    if (fill) throw new CodecError('bad-option', 'MMR (T.6) has no fill bits');
    return { coding, k: 0, eol: false, fill, rtc: false, eofb: opts.eofb !== false, bitOrder };
  }
  if (opts.eofb === true) throw new CodecError('bad-option', 'EOFB belongs to MMR (T.6); T.4 ends with RTC');
  const eol = opts.eol !== false;
  let k = 0;
  if (coding === 'mr') {
    if (!eol) throw new CodecError('bad-option', 'MR needs EOLs: they carry the 1-D/2-D tag bit');
    k = opts.k ?? (page.resolution === 'standard' ? 2 : 4);
    if (!Number.isInteger(k) || k < 1 || k > 1000)
      throw new CodecError('bad-option', `k must be an integer 1..1000 (T.4: 2 or 4), not ${k}`);
  }
  return { coding, k, eol, fill, rtc: opts.rtc === true, eofb: false, bitOrder };
}

/**
 * Encodes a page. The default framing is libtiff's TIFF framing: MH/MR with an EOL before every
 * row, no fill bits, no RTC; MMR with EOFB. The last byte is padded with zero bits.
 */
export function encodePage(page: BilevelPage, opts: EncodeOptions): Uint8Array {
  checkPage(page);
  const f = framing(page, opts);
  const { width, height, data } = page;
  const stride = strideFor(width);
  const w = writerFor((stride * height) >>> 2);
  let ref = new Int32Array(width + 4);
  let cur = new Int32Array(width + 4);
  // Reference row for the first 2-D row: all white.
  ref[0] = width;
  ref[1] = width;
  ref[2] = width;
  const words = wordPaintable(data, stride)
    ? new Int32Array(data.buffer, data.byteOffset, (stride * height) >>> 2)
    : null;
  const rowBudget = width + 64; // bytes: at most 7 bits per pixel plus EOL, fill and end runs
  let kLeft = 0;
  for (let y = 0; y < height; y++) {
    w.ensure(rowBudget);
    const n =
      words !== null
        ? rowChangesWords(data, words, y * stride, width, cur)
        : rowChanges(data, y * stride, width, cur);
    if (f.coding === 'mh') {
      if (f.eol) w.eol(f.fill, -1);
      else if (f.fill) w.pad();
      encode1D(w, cur, n, width);
    } else if (f.coding === 'mr') {
      if (kLeft === 0) {
        w.eol(f.fill, 1);
        encode1D(w, cur, n, width);
        kLeft = f.k - 1;
      } else {
        w.eol(f.fill, 0);
        encode2D(w, ref, cur, width);
        kLeft--;
      }
    } else {
      encode2D(w, ref, cur, width);
    }
    const t = ref;
    ref = cur;
    cur = t;
  }
  w.ensure(64);
  if (f.rtc) {
    const tag = f.coding === 'mr' ? 1 : -1;
    w.eol(f.fill, tag);
    for (let i = 1; i < 6; i++) w.eol(false, tag);
  }
  if (f.eofb) {
    w.put(EOL_CODE, EOL_BITS);
    w.put(EOL_CODE, EOL_BITS);
  }
  w.pad();
  const result = w.out.slice(0, w.o);
  if (w.out.length > SHARED_KEEP) shared = null;
  if (f.bitOrder === 'lsb') reverseBitsInPlace(result);
  return result;
}

/**
 * MH rows of one width, one after another (SFF line records): the same as `encodeMhRow`
 * but with its buffers reused across rows, which makes a page several times faster. The
 * returned bytes are a view into the encoder, valid until the next call.
 */
export class MhRowEncoder {
  private readonly cur: Int32Array;
  private readonly w: BitWriter;
  private readonly lsb: boolean;
  constructor(
    readonly width: number,
    bitOrder: BitOrder,
  ) {
    if (!Number.isInteger(width) || width < 1 || width > MAX_PAGE_WIDTH)
      throw new CodecError('too-large', `row width ${width} is outside 1..${MAX_PAGE_WIDTH}`);
    this.lsb = checkBitOrder(bitOrder) === 'lsb';
    this.cur = new Int32Array(width + 4);
    this.w = new BitWriter(width + 64);
  }

  /** The row starting at `data[offset]` (ceil(width / 8) bytes). */
  encode(data: Uint8Array, offset: number): Uint8Array {
    if (offset < 0 || data.length < offset + strideFor(this.width))
      throw new CodecError('bad-option', `row at ${offset} needs ${strideFor(this.width)} bytes`);
    return this.code(this.cur, rowChanges(data, offset, this.width, this.cur));
  }

  /**
   * The row given by its changing elements, as decodePageRuns and rowChanges produce them:
   * `changes[0..n)` strictly increasing in 0..width-1 (the row starts white), then a `width`
   * sentinel. Transcoding uses this to skip the pixels.
   */
  encodeChanges(changes: Int32Array, n: number): Uint8Array {
    const width = this.width;
    if (!(n >= 0 && n < changes.length && changes[n] === width))
      throw new CodecError('bad-option', `changes[${n}] must be the sentinel ${width}`);
    let prev = -1;
    for (let i = 0; i < n; i++) {
      const c = changes[i];
      if (c <= prev) throw new CodecError('bad-option', `changing element ${i} (${c}) is not past ${prev}`);
      prev = c;
    }
    if (prev >= width) throw new CodecError('bad-option', `changing element ${prev} is not inside the row`);
    return this.code(changes, n);
  }

  private code(cur: Int32Array, n: number): Uint8Array {
    const w = this.w;
    w.o = 0;
    w.acc = 0;
    w.nacc = 0;
    encode1D(w, cur, n, this.width);
    w.pad();
    const result = w.out.subarray(0, w.o);
    if (this.lsb) reverseBitsInPlace(result);
    return result;
  }
}

/**
 * One MH-coded row without EOL, padded with zero bits to a byte boundary: the SFF line record.
 * `row` holds ceil(width / 8) bytes, MSB = leftmost pixel, 1 = black.
 */
export function encodeMhRow(row: Uint8Array, width: number, bitOrder: BitOrder): Uint8Array {
  if (!Number.isInteger(width) || width < 1 || width > MAX_PAGE_WIDTH)
    throw new CodecError('too-large', `row width ${width} is outside 1..${MAX_PAGE_WIDTH}`);
  if (row.length < strideFor(width))
    throw new CodecError('bad-option', `row has ${row.length} bytes, ${strideFor(width)} needed`);
  const order = checkBitOrder(bitOrder);
  const cur = new Int32Array(width + 4);
  const n = rowChanges(row, 0, width, cur);
  const w = new BitWriter(width + 64);
  encode1D(w, cur, n, width);
  w.pad();
  const result = w.out.slice(0, w.o);
  if (order === 'lsb') reverseBitsInPlace(result);
  return result;
}
