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
 * Paints a row from its changing elements (`n` entries, as rowChanges returns them) into a
 * zeroed row at `data[off..]`. Black runs are [ch[0], ch[1]), [ch[2], ch[3]), ...
 */
export function paintRow(data: Uint8Array, off: number, width: number, ch: Int32Array, n: number): void {
  for (let i = 0; i < n; i += 2) {
    const x0 = ch[i];
    const x1 = i + 1 < n ? ch[i + 1] : width;
    fillBlack(data, off, x0, x1);
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
