// MSB-first bit reader and the two row decoders (1-D runs, 2-D modes). The hot loops keep the
// reader state in locals and store it back once per row (libtiff's CACHE_STATE pattern).
// Rows come out as changing elements (positions where the colour changes), never as pixels.

import {
  BLACK_TABLE,
  K_EOL,
  K_HORIZ,
  K_MAKEUP,
  K_PASS,
  K_TERM,
  K_VERT,
  K_ZEROS,
  MODE_TABLE,
  WHITE_TABLE,
} from './tables.js';

/**
 * Bit reader state. `acc` holds `nbits` bits, the next one in bit 31; `p` is the next byte to
 * load. Past the end of the data the reader supplies zero bits, so the position
 * (p * 8 - nbits) may run beyond `len * 8`: that is how truncation shows.
 */
export class Reader {
  buf: Uint8Array;
  len: number;
  p = 0;
  acc = 0;
  nbits = 0;
  constructor(buf: Uint8Array, len: number) {
    this.buf = buf;
    this.len = len;
  }

  get pos(): number {
    return this.p * 8 - this.nbits;
  }

  get end(): number {
    return this.len * 8;
  }

  seek(bitPos: number): void {
    this.p = bitPos >>> 3;
    this.acc = 0;
    this.nbits = 0;
    const r = bitPos & 7;
    if (r) {
      this.refill();
      this.acc <<= r;
      this.nbits -= r;
    }
  }

  refill(): void {
    const buf = this.buf;
    const len = this.len;
    let p = this.p;
    let acc = this.acc;
    let nbits = this.nbits;
    while (nbits <= 24) {
      acc |= (p < len ? buf[p] : 0) << (24 - nbits);
      p++;
      nbits += 8;
    }
    this.p = p;
    this.acc = acc;
    this.nbits = nbits;
  }

  /** The next `n` (1..24) bits without consuming them. */
  peek(n: number): number {
    if (this.nbits < n) this.refill();
    return this.acc >>> (32 - n);
  }

  skip(n: number): void {
    if (this.nbits < n) this.refill();
    this.acc = n >= 32 ? 0 : this.acc << n;
    this.nbits -= n;
  }

  /** Skips to the next byte boundary. */
  align(): void {
    const r = this.pos & 7;
    if (r) this.skip(8 - r);
  }

  /**
   * Skips to just after the next EOL (at least 11 zeros and a one). Returns SYNC_FOUND or
   * SYNC_NONE (only zeros until the end of the data), plus SYNC_GARBAGE if one bits that were
   * not part of an EOL were skipped. Stops at the end of the real data.
   */
  syncEol(): number {
    const end = this.len * 8;
    let zeros = 0;
    let garbage = 0;
    for (;;) {
      this.refill();
      const pos = this.p * 8 - this.nbits;
      if (pos >= end) return SYNC_NONE | garbage;
      const acc = this.acc;
      if (acc === 0) {
        // every buffered bit is zero (the virtual ones past the end are zero too)
        const real = Math.min(this.nbits, end - pos);
        zeros += real;
        this.skip(real);
        continue;
      }
      const lz = Math.clz32(acc);
      this.skip(lz + 1);
      if (zeros + lz >= 11) return SYNC_FOUND | garbage;
      zeros = 0;
      garbage = SYNC_GARBAGE;
    }
  }
}

export const SYNC_FOUND = 0;
export const SYNC_NONE = 1;
export const SYNC_GARBAGE = 2;

/** Row decoder results below zero. */
export const ERR_CODE = -1;
/** Zeros (an EOL, fill or the end of the data) where a code was expected. */
export const ERR_ZEROS = -2;

/**
 * Room a row decoder needs in `cur`/`ref` beyond `width` entries. Zero-length runs are kept as
 * two equal changing elements (libtiff keeps them in its run arrays, and encoders such as
 * ImageGear's code the next row against them), so a row may hold a few more elements than
 * pixels; the decoders stop with ERR_CODE before they would outgrow the array.
 */
export const RUNS_SLACK = 8;

/**
 * Decodes one MH-coded row into changing elements `cur` (width + RUNS_SLACK entries; three
 * `width` sentinels follow the row). A zero-length run leaves two equal elements.
 * Returns the number of changing elements, or ERR_CODE / ERR_ZEROS. Does not check for
 * reading past the end; the caller compares r.pos with r.end.
 * The white and black loops are written out twice on purpose: the bit reader lives in locals
 * and each colour reads its own table with a constant shift — a shared helper costs a call
 * and the locals per code word on the hottest path (bench:codec measures it).
 */
export function decode1D(r: Reader, cur: Int32Array, width: number): number {
  const buf = r.buf;
  const len = r.len;
  let p = r.p;
  let acc = r.acc;
  let nbits = r.nbits;
  let a0 = 0;
  let n = 0;
  let result: number;
  // each pass adds at most two elements and three sentinels follow; this also ends an endless
  // stream of zero-length runs
  const limit = cur.length - 6;
  for (;;) {
    if (n > limit) {
      result = ERR_CODE;
      break;
    }
    // white run: make-up codes, then one terminating code
    let run = 0;
    let e: number;
    for (;;) {
      if (nbits < 13) {
        if (p + 1 < len) {
          acc |= ((buf[p] << 8) | buf[p + 1]) << (16 - nbits);
          p += 2;
          nbits += 16;
        } else {
          do {
            acc |= (p < len ? buf[p] : 0) << (24 - nbits);
            p++;
            nbits += 8;
          } while (nbits <= 24);
        }
      }
      e = WHITE_TABLE[acc >>> 20];
      const kind = e & 15;
      if (kind === K_TERM) {
        const l = (e >>> 4) & 15;
        acc <<= l;
        nbits -= l;
        run += e >>> 8;
        break;
      }
      if (kind === K_MAKEUP) {
        const l = (e >>> 4) & 15;
        acc <<= l;
        nbits -= l;
        run += e >>> 8;
        if (run > width) {
          e = ERR_CODE;
          break;
        }
        continue;
      }
      e = kind === K_EOL || kind === K_ZEROS ? ERR_ZEROS : ERR_CODE;
      break;
    }
    if (e < 0) {
      result = e;
      break;
    }
    a0 += run;
    if (a0 >= width) {
      result = a0 === width ? n : ERR_CODE;
      break;
    }
    cur[n++] = a0;
    // black run
    run = 0;
    for (;;) {
      if (nbits < 13) {
        if (p + 1 < len) {
          acc |= ((buf[p] << 8) | buf[p + 1]) << (16 - nbits);
          p += 2;
          nbits += 16;
        } else {
          do {
            acc |= (p < len ? buf[p] : 0) << (24 - nbits);
            p++;
            nbits += 8;
          } while (nbits <= 24);
        }
      }
      e = BLACK_TABLE[acc >>> 19];
      const kind = e & 15;
      if (kind === K_TERM) {
        const l = (e >>> 4) & 15;
        acc <<= l;
        nbits -= l;
        run += e >>> 8;
        break;
      }
      if (kind === K_MAKEUP) {
        const l = (e >>> 4) & 15;
        acc <<= l;
        nbits -= l;
        run += e >>> 8;
        if (run > width) {
          e = ERR_CODE;
          break;
        }
        continue;
      }
      e = kind === K_EOL || kind === K_ZEROS ? ERR_ZEROS : ERR_CODE;
      break;
    }
    if (e < 0) {
      result = e;
      break;
    }
    a0 += run;
    if (a0 >= width) {
      result = a0 === width ? n : ERR_CODE;
      break;
    }
    cur[n++] = a0;
  }
  r.p = p;
  r.acc = acc;
  r.nbits = nbits;
  if (result >= 0) {
    cur[result] = width;
    cur[result + 1] = width;
    cur[result + 2] = width;
  }
  return result;
}

/**
 * Decodes one 2-D coded row (T.4 MR 2-D row or T.6) against the reference row `ref` (changing
 * elements with `width` sentinels) into `cur` (width + RUNS_SLACK entries). Zero-length runs
 * are accepted as libtiff does (a vertical code to a0 itself, a horizontal run of 0) and kept
 * as two equal elements, so b1 is found on the reference row the encoder used. Returns the
 * count or ERR_CODE / ERR_ZEROS.
 */
export function decode2D(r: Reader, ref: Int32Array, cur: Int32Array, width: number): number {
  const buf = r.buf;
  const len = r.len;
  let p = r.p;
  let acc = r.acc;
  let nbits = r.nbits;
  let a0 = -1;
  let black = 0;
  let bi = 0;
  let n = 0;
  let result = 0;
  // Every mode but the last adds an element or moves a0 right (pass), so bounding the elements
  // (at most two per mode, three sentinels after) also ends H(0,0) repeated forever.
  const limit = cur.length - 6;
  while (a0 < width) {
    if (n > limit) {
      result = ERR_CODE;
      break;
    }
    if (nbits < 13) {
      if (p + 1 < len) {
        acc |= ((buf[p] << 8) | buf[p + 1]) << (16 - nbits);
        p += 2;
        nbits += 16;
      } else {
        do {
          acc |= (p < len ? buf[p] : 0) << (24 - nbits);
          p++;
          nbits += 8;
        } while (nbits <= 24);
      }
    }
    const e = MODE_TABLE[acc >>> 25];
    const kind = e & 15;
    while (ref[bi] <= a0) bi += 2;
    if (kind === K_VERT) {
      const l = (e >>> 4) & 15;
      acc <<= l;
      nbits -= l;
      const a1 = ref[bi] + (e >>> 8) - 3;
      // a1 = a0 is a zero-length run (libtiff accepts it); unsigned: a1 < 0 is refused too
      if (a1 < a0 || a1 >>> 0 > width) {
        result = ERR_CODE;
        break;
      }
      if (a1 < width) cur[n++] = a1;
      a0 = a1;
      black ^= 1;
      bi = bi > 0 ? bi - 1 : 1;
    } else if (kind === K_HORIZ) {
      acc <<= 3;
      nbits -= 3;
      let run1 = 0;
      let run2 = 0;
      let bad = 0;
      // first run in the colour of a0, second in the other colour
      for (let k = 0; k < 2; k++) {
        const table = (black ^ k) === 0 ? WHITE_TABLE : BLACK_TABLE;
        const shift = (black ^ k) === 0 ? 20 : 19;
        let run = 0;
        for (;;) {
          if (nbits < 13) {
            if (p + 1 < len) {
              acc |= ((buf[p] << 8) | buf[p + 1]) << (16 - nbits);
              p += 2;
              nbits += 16;
            } else {
              do {
                acc |= (p < len ? buf[p] : 0) << (24 - nbits);
                p++;
                nbits += 8;
              } while (nbits <= 24);
            }
          }
          const c = table[acc >>> shift];
          const ck = c & 15;
          if (ck === K_TERM) {
            const l = (c >>> 4) & 15;
            acc <<= l;
            nbits -= l;
            run += c >>> 8;
            break;
          }
          if (ck === K_MAKEUP) {
            const l = (c >>> 4) & 15;
            acc <<= l;
            nbits -= l;
            run += c >>> 8;
            if (run > width) {
              bad = ERR_CODE;
              break;
            }
            continue;
          }
          bad = ck === K_EOL || ck === K_ZEROS ? ERR_ZEROS : ERR_CODE;
          break;
        }
        if (bad) break;
        if (k === 0) run1 = run;
        else run2 = run;
      }
      if (bad) {
        result = bad;
        break;
      }
      const a1 = Math.max(a0, 0) + run1;
      const a2 = a1 + run2;
      if (a2 > width) {
        result = ERR_CODE;
        break;
      }
      if (a1 < width) {
        cur[n++] = a1;
        if (a2 < width) cur[n++] = a2;
      }
      a0 = a2;
    } else if (kind === K_PASS) {
      acc <<= 4;
      nbits -= 4;
      const b2 = ref[bi + 1];
      if (b2 >= width) {
        result = ERR_CODE;
        break;
      }
      a0 = b2;
      bi += 2;
    } else {
      result = kind === K_ZEROS ? ERR_ZEROS : ERR_CODE;
      break;
    }
  }
  r.p = p;
  r.acc = acc;
  r.nbits = nbits;
  if (result < 0) return result;
  cur[n] = width;
  cur[n + 1] = width;
  cur[n + 2] = width;
  return n;
}
