// A decoder that behaves like a fax receiver: corrupt rows are counted and replaced by the
// previous row, decoding resynchronises at the next EOL, and the page still comes out.
import { describe, expect, it } from 'vitest';
import { type BilevelPage, createPage, row } from '../page.js';
import { rng, textPage } from '../test-support/codec-pages.js';
import { decodePage } from './decode.js';
import { encodePage } from './encode.js';
import { reverseBits } from './tables.js';
import { CodecError } from './types.js';

const WIDTH = 1728;
const HEIGHT = 400;
const page = textPage(WIDTH, HEIGHT, 21);

/** Bit positions just after each EOL of a T.4 stream (coded data never holds 11 zeros in a row). */
function eolEnds(code: Uint8Array): number[] {
  const ends: number[] = [];
  let zeros = 0;
  for (let i = 0; i < code.length * 8; i++) {
    if ((code[i >>> 3] >>> (7 - (i & 7))) & 1) {
      if (zeros >= 11) ends.push(i + 1);
      zeros = 0;
    } else zeros++;
  }
  return ends;
}

function flip(code: Uint8Array, bit: number): Uint8Array {
  const out = code.slice();
  out[bit >>> 3] ^= 0x80 >>> (bit & 7);
  return out;
}

function sameRow(a: BilevelPage, ya: number, b: BilevelPage, yb: number): boolean {
  return Buffer.from(row(a, ya)).equals(Buffer.from(row(b, yb)));
}

/** Rows of `out` that differ from `page`. */
function differingRows(out: BilevelPage): number[] {
  const rows: number[] = [];
  for (let y = 0; y < page.height; y++) if (!sameRow(out, y, page, y)) rows.push(y);
  return rows;
}

/** A bit strictly inside the coded data of row `y` (after its EOL and tag, before the next EOL). */
function bitInRow(ends: number[], y: number, tagBits: number, r: () => number): number {
  const start = ends[y] + tagBits;
  const stop = ends[y + 1] - 12;
  return start + Math.floor(r() * (stop - start));
}

describe('tolerance: MH with EOLs', () => {
  const code = encodePage(page, { coding: 'mh' });
  const ends = eolEnds(code);

  it('finds exactly one EOL per row in the clean stream', () => {
    expect(ends.length).toBe(HEIGHT);
  });

  it('a bit flipped inside a row costs exactly that row, replaced by the previous row', () => {
    const r = rng(5);
    let detected = 0;
    const trials = 60;
    for (let t = 0; t < trials; t++) {
      const y = 1 + Math.floor(r() * (HEIGHT - 2));
      const out = decodePage(flip(code, bitInRow(ends, y, 0, r)), {
        coding: 'mh',
        width: WIDTH,
        height: HEIGHT,
      });
      expect(out.rows).toBe(HEIGHT);
      expect(out.endedBy).toBe('height');
      // nothing but row y can change, whatever the flip did
      for (const d of differingRows(out.page)) expect(d).toBe(y);
      if (out.badLines === 0) continue; // the flip made another row of the right length: undetectable
      detected++;
      expect(out.badLines).toBe(1);
      expect(out.consecutiveBadLines).toBe(1);
      expect(sameRow(out.page, y, page, y - 1)).toBe(true);
    }
    expect(detected).toBeGreaterThan(trials * 0.9);
  });

  it('counts consecutive bad rows and the longest run of them', () => {
    const r = rng(6);
    let bad = code;
    for (const y of [100, 101, 102, 200, 300, 301]) bad = flip(bad, bitInRow(ends, y, 0, r));
    const out = decodePage(bad, { coding: 'mh', width: WIDTH, height: HEIGHT });
    expect(out.badLines).toBe(6);
    expect(out.consecutiveBadLines).toBe(3);
    // the three bad rows all repeat the last good row
    for (const y of [100, 101, 102]) expect(sameRow(out.page, y, page, 99)).toBe(true);
    expect(differingRows(out.page).every((y) => [100, 101, 102, 200, 300, 301].includes(y))).toBe(true);
  });

  it('replaces a bad first row with white', () => {
    const black = createPage(64, 3);
    black.data.fill(0xff);
    const c = encodePage(black, { coding: 'mh' });
    // row 0: EOL (12 bits), then black coding; break the first code (make-up 64 white? no: W0 00110101)
    const out = decodePage(flip(c, 13), { coding: 'mh', width: 64, height: 3 });
    expect(out.badLines).toBe(1);
    expect(Array.from(row(out.page, 0))).toEqual(new Array(8).fill(0));
    expect(Array.from(row(out.page, 1))).toEqual(new Array(8).fill(0xff));
  });

  it('works the same with fill bits, RTC and LSB-first bytes', () => {
    const msb = encodePage(page, { coding: 'mh', fillBits: true, rtc: true });
    const fends = eolEnds(msb);
    const r = rng(7);
    let detected = 0;
    for (let t = 0; t < 20; t++) {
      const y = 1 + Math.floor(r() * (HEIGHT - 2));
      const lsb = reverseBits(flip(msb, bitInRow(fends, y, 0, r)));
      const out = decodePage(lsb, { coding: 'mh', width: WIDTH, bitOrder: 'lsb' });
      expect(out.endedBy).toBe('rtc');
      expect(out.rows).toBe(HEIGHT);
      expect(differingRows(out.page).every((d) => d === y)).toBe(true);
      if (out.badLines === 0) continue;
      detected++;
      expect(out.badLines).toBe(1);
      expect(sameRow(out.page, y, page, y - 1)).toBe(true);
    }
    expect(detected).toBeGreaterThanOrEqual(18);
  });

  it('skips line noise before the first EOL and ignores garbage after RTC', () => {
    const c = encodePage(page, { coding: 'mh', rtc: true });
    const r = rng(8);
    const noise = Uint8Array.from({ length: 40 }, () => Math.floor(r() * 256) | 0x11); // no 11-zero runs
    const tail = Uint8Array.from({ length: 125 }, () => Math.floor(r() * 256));
    const data = new Uint8Array(noise.length + c.length + tail.length);
    data.set(noise);
    data.set(c, noise.length);
    data.set(tail, noise.length + c.length);
    const out = decodePage(data, { coding: 'mh', width: WIDTH, eol: true });
    expect(out.endedBy).toBe('rtc');
    expect(out.badLines).toBe(0);
    expect(out.rows).toBe(HEIGHT);
    expect(differingRows(out.page)).toEqual([]);
    expect(out.bytesUsed).toBe(noise.length + c.length);
  });

  it('truncated data: rows up to the cut, the cut row counted bad, the page still comes out', () => {
    const cut = code.subarray(0, (ends[250] + 40) >>> 3);
    const out = decodePage(cut, { coding: 'mh', width: WIDTH, height: HEIGHT });
    expect(out.endedBy).toBe('end-of-data');
    expect(out.rows).toBe(251);
    expect(out.badLines).toBe(1);
    expect(out.page.height).toBe(HEIGHT);
    expect(sameRow(out.page, 250, page, 249)).toBe(true);
    for (let y = 0; y < 250; y++) expect(sameRow(out.page, y, page, y)).toBe(true);
    const open = decodePage(cut, { coding: 'mh', width: WIDTH });
    expect(open.page.height).toBe(251);
  });

  it('strict mode throws CodecError at the first corrupt row instead', () => {
    const bad = flip(code, bitInRow(ends, 10, 0, rng(9)));
    expect(() => decodePage(bad, { coding: 'mh', width: WIDTH, strict: true })).toThrow(CodecError);
    try {
      decodePage(code.subarray(0, 3000), { coding: 'mh', width: WIDTH, strict: true });
      expect.unreachable();
    } catch (e) {
      expect((e as CodecError).code).toBe('truncated');
    }
  });
});

describe('tolerance: MR K=4', () => {
  const code = encodePage(page, { coding: 'mr', k: 4 });
  const ends = eolEnds(code);

  it('a corrupt row and the 2-D rows that depend on it are replaced, up to the next 1-D row', () => {
    const r = rng(10);
    let detected = 0;
    let exact = 0;
    const trials = 80;
    for (let t = 0; t < trials; t++) {
      const y = 4 + Math.floor(r() * (HEIGHT - 8));
      const out = decodePage(flip(code, bitInRow(ends, y, 1, r)), {
        coding: 'mr',
        width: WIDTH,
        height: HEIGHT,
      });
      expect(out.rows).toBe(HEIGHT);
      const next1D = (Math.floor(y / 4) + 1) * 4;
      const differ = differingRows(out.page);
      // nothing outside the damaged K group changes, whatever happened
      expect(differ.every((d) => d >= y && d < next1D)).toBe(true);
      if (out.badLines === 0) continue; // the flip gave another valid 2-D row: no receiver can tell
      detected++;
      // the damage shows at row z >= y (a flip can first give a valid but different row whose
      // successor then fails); from z to the next 1-D row every row repeats row z - 1
      const z = next1D - out.badLines;
      expect(z).toBeGreaterThanOrEqual(y);
      expect(out.consecutiveBadLines).toBe(out.badLines);
      for (let b = z; b < next1D; b++) expect(sameRow(out.page, b, out.page, z - 1)).toBe(true);
      if (z === y) exact++;
    }
    expect(detected).toBeGreaterThan(trials * 0.75);
    expect(exact).toBeGreaterThan(trials * 0.6);
  });
});

describe('tolerance: MMR (no EOLs to resync on)', () => {
  const code = encodePage(page, { coding: 'mmr' });

  it('keeps every row before the damage and reports how it ended', () => {
    const r = rng(11);
    for (let t = 0; t < 40; t++) {
      const bit = 200 + Math.floor(r() * (code.length * 8 - 400));
      const out = decodePage(flip(code, bit), { coding: 'mmr', width: WIDTH, height: HEIGHT });
      expect(out.page.height).toBe(HEIGHT);
      if (out.badLines > 0) {
        expect(out.badLines).toBe(1);
        expect(out.endedBy).toBe('error');
        expect(out.rows).toBeLessThan(HEIGHT);
        // the rows before the bad one are exact; the bad row repeats its predecessor
        const last = out.rows - 1;
        const firstDiff = differingRows(out.page)[0];
        expect(firstDiff).toBeGreaterThanOrEqual(0);
        expect(firstDiff).toBeLessThanOrEqual(last);
        if (last > 0) expect(sameRow(out.page, last, out.page, last - 1)).toBe(true);
      }
    }
  });

  it('strict mode throws', () => {
    const bad = code.slice();
    bad.fill(0xff, 100, 110); // a run of VR1/V0 soup that cannot fit the row
    expect(() => decodePage(bad, { coding: 'mmr', width: WIDTH, strict: true })).toThrow(CodecError);
  });
});
