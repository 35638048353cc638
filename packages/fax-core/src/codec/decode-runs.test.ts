// decodePageRuns (rows as changing elements, no pixels) and MhRowEncoder.encodeChanges: the two
// halves of transcoding, checked against the pixel path on generated pages.
import { describe, expect, it } from 'vitest';
import type { BilevelPage } from '../page.js';
import {
  blackPage,
  checkerPage,
  edgesPage,
  noisePage,
  rng,
  textPage,
  whitePage,
} from '../test-support/codec-pages.js';
import { decodePage, decodePageRuns } from './decode.js';
import { encodePage, MhRowEncoder } from './encode.js';
import { paintRow, rowChanges } from './runs.js';
import { CodecError, type DecodeOptions, type EncodeOptions } from './types.js';

const pages: [string, BilevelPage][] = [
  ['text 1728 fine', textPage(1728, 300, 1)],
  ['text 1728 standard', textPage(1728, 150, 2, 'standard')],
  ['text 4864 (runs over 2623)', textPage(4864, 100, 3)],
  ['noise 1728', noisePage(1728, 30, 4)],
  ['sparse noise 1001', noisePage(1001, 40, 5, 0.02)],
  ['white 1728', whitePage(1728, 40)],
  ['black 1728', blackPage(1728, 20)],
  ['black 13', blackPage(13, 20)],
  ['checkerboard 1727', checkerPage(1727, 16)],
  ['edges 1728', edgesPage(1728)],
  ['edges 31', edgesPage(31)],
  ['noise width 1', noisePage(1, 30, 6)],
];

const framings: EncodeOptions[] = [
  { coding: 'mh' },
  { coding: 'mh', eol: false, fillBits: true },
  { coding: 'mh', fillBits: true, rtc: true, bitOrder: 'lsb' },
  { coding: 'mr', k: 4 },
  { coding: 'mr', k: 2, fillBits: true, rtc: true },
  { coding: 'mmr' },
  { coding: 'mmr', eofb: false },
  { coding: 'mmr', bitOrder: 'lsb' },
];

function decodeOpts(f: EncodeOptions, page: BilevelPage, height?: number): DecodeOptions {
  return {
    coding: f.coding,
    width: page.width,
    height,
    bitOrder: f.bitOrder,
    eol: f.coding === 'mh' ? f.eol !== false : undefined,
    fillBits: f.coding === 'mh' && f.eol === false ? f.fillBits : undefined,
  };
}

/** Every row the sink got, copied. */
function collectRuns(code: Uint8Array, opts: DecodeOptions) {
  const rows: number[][] = [];
  const result = decodePageRuns(code, opts, (ch, n) => {
    expect(ch[n]).toBe(opts.width);
    rows.push(Array.from(ch.subarray(0, n)));
  });
  return { rows, result };
}

function changesOf(page: BilevelPage, y: number): number[] {
  const out = new Int32Array(page.width + 4);
  const n = rowChanges(page.data, y * page.stride, page.width, out);
  return Array.from(out.subarray(0, n));
}

describe('decodePageRuns', () => {
  for (const [name, page] of pages) {
    it(`${name}: the changing elements of every row, as decodePage ends`, () => {
      for (const f of framings) {
        const ctx = `${name}, ${JSON.stringify(f)}`;
        const code = encodePage(page, f);
        for (const height of [undefined, page.height]) {
          const opts = decodeOpts(f, page, height);
          const { rows, result } = collectRuns(code, opts);
          const pixels = decodePage(code, opts);
          expect(result, ctx).toEqual({
            rows: pixels.rows,
            badLines: 0,
            endedBy: pixels.endedBy,
            bytesUsed: pixels.bytesUsed,
          });
          expect(rows.length, ctx).toBe(page.height);
          for (let y = 0; y < page.height; y++)
            expect(rows[y], `${ctx} row ${y}`).toEqual(changesOf(page, y));
        }
      }
    });
  }

  it('stops at the first corrupt row instead of repairing it', () => {
    const page = textPage(1728, 200, 7);
    // MH with EOLs: decodePage repairs the row and goes on; runs mode ends there
    const mh = encodePage(page, { coding: 'mh' }).slice();
    const at = mh.length >>> 1;
    mh.fill(0xff, at, at + 6);
    const repaired = decodePage(mh, { coding: 'mh', width: 1728, height: 200 });
    expect(repaired.badLines).toBeGreaterThan(0);
    const { rows, result } = collectRuns(mh, { coding: 'mh', width: 1728, height: 200 });
    expect(result.badLines).toBe(1);
    expect(result.endedBy).toBe('error');
    expect(result.rows).toBe(rows.length + 1);
    expect(result.rows).toBeLessThan(150);
    expect(repaired.rows).toBeGreaterThan(190);
    // the rows before it are the page's
    for (let y = 0; y < rows.length; y++) expect(rows[y]).toEqual(changesOf(page, y));

    // MMR: decodePage ends the page too, and leaves the rest white
    const mmr = encodePage(page, { coding: 'mmr' }).slice();
    mmr.fill(0xff, mmr.length >>> 1, (mmr.length >>> 1) + 4);
    const runs = collectRuns(mmr, { coding: 'mmr', width: 1728, height: 200 });
    expect(runs.result.badLines).toBe(1);
    expect(runs.result.endedBy).toBe('error');
    expect(runs.result.rows).toBeLessThan(200);
  });

  it('reports a page that ends early (fewer rows than height)', () => {
    const page = textPage(1728, 120, 8);
    const code = encodePage(page, { coding: 'mmr' });
    const { rows, result } = collectRuns(code, { coding: 'mmr', width: 1728, height: 150 });
    expect(result.rows).toBe(120);
    expect(result.badLines).toBe(0);
    expect(result.endedBy).toBe('eofb');
    expect(rows.length).toBe(120);
  });

  it('on damaged streams: a clean result means the pixel path is clean with the same rows', () => {
    const r = rng(99);
    let clean = 0;
    let stopped = 0;
    for (let i = 0; i < 300; i++) {
      const width = r() < 0.5 ? 1728 : 1 + Math.floor(r() * 2600);
      const page = r() < 0.5 ? textPage(width, 60, i) : noisePage(width, 20, i, r());
      const f = framings[Math.floor(r() * framings.length)];
      const code = encodePage(page, f).slice();
      const flips = Math.floor(r() * 4);
      for (let k = 0; k < flips && code.length > 0; k++)
        code[Math.floor(r() * code.length)] ^= 1 << Math.floor(r() * 8);
      const cut = r() < 0.2 ? code.subarray(0, Math.floor(r() * code.length)) : code;
      const opts = decodeOpts(f, page, r() < 0.7 ? page.height : undefined);
      const stride = (width + 7) >>> 3;
      const painted: Uint8Array[] = [];
      const result = decodePageRuns(cut, opts, (ch, n) => {
        const row = new Uint8Array(stride);
        paintRow(row, 0, width, ch, n);
        painted.push(row);
      });
      const pixels = decodePage(cut, opts);
      expect(result.rows).toBeLessThanOrEqual(pixels.rows);
      if (result.badLines === 0) {
        clean++;
        expect(pixels.badLines).toBe(0);
        expect(result.rows).toBe(pixels.rows);
        // both paint into zeroed rows, so the padding bits agree too
        const rows = new Uint8Array(stride * painted.length);
        for (const [y, row] of painted.entries()) rows.set(row, y * stride);
        expect(Buffer.from(rows).equals(Buffer.from(pixels.page.data.subarray(0, rows.length)))).toBe(true);
      } else {
        stopped++;
        expect(result.badLines).toBe(1);
        expect(pixels.badLines).toBeGreaterThan(0);
      }
    }
    // both kinds occurred
    expect(clean).toBeGreaterThan(20);
    expect(stopped).toBeGreaterThan(20);
  });

  it('checks its arguments like decodePage', () => {
    const sink = () => {};
    expect(() => decodePageRuns(new Uint8Array(4), { coding: 'mmr', width: 0 }, sink)).toThrow(CodecError);
    expect(() => decodePageRuns([] as unknown as Uint8Array, { coding: 'mmr', width: 8 }, sink)).toThrow(
      CodecError,
    );
    expect(() =>
      decodePageRuns(new Uint8Array(4), { coding: 'mmr', width: 8 }, null as unknown as () => void),
    ).toThrow(CodecError);
  });
});

describe('MhRowEncoder.encodeChanges', () => {
  it('codes a row from its changing elements exactly as from its pixels', () => {
    const r = rng(3);
    for (const width of [1, 7, 8, 9, 63, 1001, 1728, 2432, 2624, 4864]) {
      for (const order of ['msb', 'lsb'] as const) {
        const enc = new MhRowEncoder(width, order);
        const page = noisePage(width, 12, width, 0.5);
        const dense = blackPage(width, 2);
        for (const p of [page, dense, whitePage(width, 1), textPage(width, 60, Math.floor(r() * 1e6))]) {
          const ch = new Int32Array(width + 4);
          for (let y = 0; y < p.height; y++) {
            const fromPixels = enc.encode(p.data, y * p.stride).slice();
            const n = rowChanges(p.data, y * p.stride, width, ch);
            expect(Array.from(enc.encodeChanges(ch, n)), `width ${width} row ${y}`).toEqual(
              Array.from(fromPixels),
            );
          }
        }
      }
    }
  });

  it('refuses changing elements that are not strictly increasing inside the row', () => {
    const enc = new MhRowEncoder(100, 'lsb');
    const of = (xs: number[]) => Int32Array.from([...xs, 100, 100, 100]);
    expect(() => enc.encodeChanges(of([5, 5]), 2)).toThrow(CodecError);
    expect(() => enc.encodeChanges(of([10, 4]), 2)).toThrow(CodecError);
    expect(() => enc.encodeChanges(of([-1]), 1)).toThrow(CodecError);
    expect(() => enc.encodeChanges(Int32Array.from([3, 100]), 2)).toThrow(CodecError);
    expect(() => enc.encodeChanges(Int32Array.from([3, 99]), 1)).toThrow(CodecError);
    expect(enc.encodeChanges(of([0, 99]), 2).length).toBeGreaterThan(0);
  });
});
