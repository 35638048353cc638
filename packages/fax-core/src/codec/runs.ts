// Changing elements of a packed row: the positions where the colour changes, found 32 pixels
// at a time with Math.clz32 (the spandsp row_to_run_lengths idea). Both the encoder and the
// tests use this form; the decoder produces it directly.

/**
 * Writes the changing elements of the row at `data[off..]` (MSB first, 1 = black, the imaginary
 * pixel before the row is white) into `out`, followed by three copies of `width` as sentinels.
 * Padding bits past `width` are ignored. Returns the number of changing elements (< width each).
 * `out` needs room for width + 4 entries.
 */
export function rowChanges(data: Uint8Array, off: number, width: number, out: Int32Array): number {
  let n = 0;
  let flip = 0; // 0 while the current colour is white, -1 while black
  let i = off;
  let bit = 0;
  const full = width >>> 5;
  for (let w = 0; w < full; w++) {
    const word = (data[i] << 24) | (data[i + 1] << 16) | (data[i + 2] << 8) | data[i + 3];
    i += 4;
    let x = word ^ flip;
    while (x !== 0) {
      const lz = Math.clz32(x);
      out[n++] = bit + lz;
      flip = ~flip;
      x = (word ^ flip) & (-1 >>> lz);
    }
    bit += 32;
  }
  const rest = width & 31;
  if (rest !== 0) {
    let word = data[i] << 24;
    if (rest > 8) word |= data[i + 1] << 16;
    if (rest > 16) word |= data[i + 2] << 8;
    if (rest > 24) word |= data[i + 3];
    const keep = ~(-1 >>> rest); // the first `rest` bits
    let x = (word ^ flip) & keep;
    while (x !== 0) {
      const lz = Math.clz32(x);
      out[n++] = bit + lz;
      flip = ~flip;
      x = (word ^ flip) & (-1 >>> lz) & keep;
    }
  }
  out[n] = width;
  out[n + 1] = width;
  out[n + 2] = width;
  return n;
}

/**
 * Paints a row from its changing elements (`n` entries followed by a `width` sentinel, as
 * rowChanges and the decoders leave them) into a zeroed row at `data[off..]`. Black runs are
 * [ch[0], ch[1]), [ch[2], ch[3]), ...
 */
export function paintRow(data: Uint8Array, off: number, width: number, ch: Int32Array, n: number): void {
  for (let i = 0; i < n; i += 2) {
    const x0 = ch[i];
    const x1 = i + 1 < n ? ch[i + 1] : width;
    let b0 = off + (x0 >>> 3);
    const b1 = off + (x1 >>> 3);
    if (b0 === b1) {
      data[b0] |= (0xff >>> (x0 & 7)) & (0xff00 >>> (x1 & 7));
      continue;
    }
    data[b0++] |= 0xff >>> (x0 & 7);
    if (b1 - b0 > 24) {
      data.fill(0xff, b0, b1);
      b0 = b1;
    }
    while (b0 < b1) data[b0++] = 0xff;
    if ((x1 & 7) !== 0) data[b1] |= 0xff00 >>> (x1 & 7);
  }
}

/** Sets pixels [x0, x1) of the row at `off` to black. */
export function fillBlack(data: Uint8Array, off: number, x0: number, x1: number): void {
  if (x1 <= x0) return;
  let b0 = off + (x0 >>> 3);
  const b1 = off + (x1 >>> 3);
  const m0 = 0xff >>> (x0 & 7);
  if (b0 === b1) {
    data[b0] |= m0 & ~(0xff >>> (x1 & 7));
    return;
  }
  data[b0++] |= m0;
  if (b1 - b0 > 16) data.fill(0xff, b0, b1);
  else while (b0 < b1) data[b0++] = 0xff;
  if ((x1 & 7) !== 0) data[b1] |= ~(0xff >>> (x1 & 7)) & 0xff;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function bswap(x: number): number {
  return ((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);
}

/** Word masks in memory byte order: HEAD[k] = pixels k..31 of a word, TAIL[k] = pixels 0..k-1. */
const HEAD = new Int32Array(32);
const TAIL = new Int32Array(32);
for (let k = 0; k < 32; k++) {
  const head = -1 >>> k;
  const tail = ~head;
  HEAD[k] = LITTLE_ENDIAN ? bswap(head) : head;
  TAIL[k] = LITTLE_ENDIAN ? bswap(tail) : tail;
}

/** True when rows of `data` can be painted 32 pixels at a time (rows start on 4-byte boundaries). */
export function wordPaintable(data: Uint8Array, stride: number): boolean {
  return (stride & 3) === 0 && (data.byteOffset & 3) === 0;
}

/**
 * paintRow on a 32-bit view of the page (`words` = Int32Array over the same bytes, `woff` = the
 * row's first word). Only for rows that wordPaintable() accepts.
 */
export function paintRowWords(
  words: Int32Array,
  woff: number,
  width: number,
  ch: Int32Array,
  n: number,
): void {
  for (let i = 0; i < n; i += 2) {
    const x0 = ch[i];
    const x1 = i + 1 < n ? ch[i + 1] : width;
    let w0 = woff + (x0 >>> 5);
    const w1 = woff + (x1 >>> 5);
    if (w0 === w1) {
      words[w0] |= HEAD[x0 & 31] & TAIL[x1 & 31];
      continue;
    }
    words[w0++] |= HEAD[x0 & 31];
    while (w0 < w1) words[w0++] = -1;
    if ((x1 & 31) !== 0) words[w1] |= TAIL[x1 & 31];
  }
}

/**
 * rowChanges for word-aligned pages (see wordPaintable): whole words of one colour, most of a
 * fax page, are skipped with one 32-bit load and compare.
 */
export function rowChangesWords(
  data: Uint8Array,
  words: Int32Array,
  off: number,
  width: number,
  out: Int32Array,
): number {
  let n = 0;
  let flip = 0;
  let bit = 0;
  let k = off >>> 2;
  const full = width >>> 5;
  for (let w = 0; w < full; w++, k++, bit += 32) {
    const v = words[k];
    if (v === flip) continue;
    const word = LITTLE_ENDIAN ? bswap(v) : v;
    let x = word ^ flip;
    do {
      const lz = Math.clz32(x);
      out[n++] = bit + lz;
      flip = ~flip;
      x = (word ^ flip) & (-1 >>> lz);
    } while (x !== 0);
  }
  const rest = width & 31;
  if (rest !== 0) {
    const i = off + (full << 2);
    let word = data[i] << 24;
    if (rest > 8) word |= data[i + 1] << 16;
    if (rest > 16) word |= data[i + 2] << 8;
    if (rest > 24) word |= data[i + 3];
    const keep = ~(-1 >>> rest);
    let x = (word ^ flip) & keep;
    while (x !== 0) {
      const lz = Math.clz32(x);
      out[n++] = bit + lz;
      flip = ~flip;
      x = (word ^ flip) & (-1 >>> lz) & keep;
    }
  }
  out[n] = width;
  out[n + 1] = width;
  out[n + 2] = width;
  return n;
}
