// Round trips of generated pages through every coding and framing.
import { describe, expect, it } from 'vitest';
import { type BilevelPage, createPage, pagesEqual } from '../page.js';
import {
  blackPage,
  checkerPage,
  edgesPage,
  noisePage,
  rng,
  stripesPage,
  textPage,
  whitePage,
} from '../test-support/codec-pages.js';
import { decodePage } from './decode.js';
import { encodePage } from './encode.js';
import { rowChanges } from './runs.js';
import type { DecodeOptions, EncodeOptions } from './types.js';

const pages: [string, BilevelPage][] = [
  ['text 1728', textPage(1728, 300, 1)],
  ['text 2048', textPage(2048, 200, 2)],
  ['text 2432', textPage(2432, 200, 3)],
  ['text 4864 (runs over 2623)', textPage(4864, 120, 4)],
  ['noise 1728', noisePage(1728, 40, 5)],
  ['sparse noise 1728', noisePage(1728, 60, 6, 0.02)],
  ['noise odd width 1001', noisePage(1001, 30, 7)],
  ['white 1728', whitePage(1728, 50)],
  ['black 1728', blackPage(1728, 50)],
  ['black 2432', blackPage(2432, 20)],
  ['checkerboard 1728', checkerPage(1728, 20)],
  ['stripes 1727', stripesPage(1727, 20)],
  ['edges 1728', edgesPage(1728)],
  ['edges 2048', edgesPage(2048)],
  ['edges 2432', edgesPage(2432)],
  ['edges 33', edgesPage(33)],
  ['edges 31', edgesPage(31)],
  ['noise width 1', noisePage(1, 40, 8)],
  ['noise width 9', noisePage(9, 40, 9)],
  ['empty page', whitePage(1728, 0)],
];

const framings: EncodeOptions[] = [
  { coding: 'mh' },
  { coding: 'mh', fillBits: true },
  { coding: 'mh', rtc: true },
  { coding: 'mh', fillBits: true, rtc: true, bitOrder: 'lsb' },
  { coding: 'mh', eol: false },
  { coding: 'mh', eol: false, fillBits: true },
  { coding: 'mh', eol: false, bitOrder: 'lsb' },
  { coding: 'mr', k: 2 },
  { coding: 'mr', k: 4, fillBits: true },
  { coding: 'mr', k: 4, rtc: true },
  { coding: 'mr', k: 1, fillBits: true, rtc: true, bitOrder: 'lsb' },
  { coding: 'mr', k: 7, bitOrder: 'lsb' },
  { coding: 'mmr' },
  { coding: 'mmr', eofb: false },
  { coding: 'mmr', bitOrder: 'lsb' },
];

function decodeOptsFor(f: EncodeOptions, page: BilevelPage): DecodeOptions {
  return {
    coding: f.coding,
    width: page.width,
    bitOrder: f.bitOrder,
    eol: f.coding === 'mh' ? f.eol !== false : undefined,
    fillBits: f.coding === 'mh' && f.eol === false ? f.fillBits : undefined,
  };
}

function label(f: EncodeOptions): string {
  return Object.entries(f)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

describe('round trip of generated pages', () => {
  for (const [name, page] of pages) {
    it(`${name}: every coding and framing`, () => {
      for (const f of framings) {
        const code = encodePage(page, f);
        const opts = decodeOptsFor(f, page);
        const open = decodePage(code, opts);
        const ctx = `${name}, ${label(f)}`;
        expect(open.badLines, ctx).toBe(0);
        expect(open.rows, ctx).toBe(page.height);
        expect(pagesEqual(open.page, page), ctx).toBe(true);
        expect(open.bytesUsed, ctx).toBe(code.length);
        if (f.rtc && page.height > 0) expect(open.endedBy, ctx).toBe('rtc');
        if (f.coding === 'mmr' && f.eofb !== false) expect(open.endedBy, ctx).toBe('eofb');
        const known = decodePage(code, { ...opts, height: page.height });
        expect(known.badLines, ctx).toBe(0);
        expect(known.endedBy, ctx).toBe('height');
        expect(pagesEqual(known.page, page), ctx).toBe(true);
      }
    });
  }

  it('detects EOL framing when the eol option is left out', () => {
    const page = textPage(1728, 100, 11);
    for (const eol of [true, false]) {
      const out = decodePage(encodePage(page, { coding: 'mh', eol }), { coding: 'mh', width: 1728 });
      expect(out.badLines).toBe(0);
      expect(pagesEqual(out.page, page)).toBe(true);
    }
  });

  it('reads an MH stream whose first EOL is missing (EOL framing detected from the second row)', () => {
    const page = textPage(1728, 50, 14);
    const code = encodePage(page, { coding: 'mh', fillBits: true });
    // with fill bits the first EOL is exactly the first two bytes: 0000 000000000001
    expect(Array.from(code.subarray(0, 2))).toEqual([0x00, 0x01]);
    const out = decodePage(code.subarray(2), { coding: 'mh', width: 1728 });
    expect(out.badLines).toBe(0);
    expect(out.rows).toBe(50);
    expect(pagesEqual(out.page, page)).toBe(true);
  });

  it('ignores the padding bits past the page width', () => {
    const clean = noisePage(1001, 20, 12);
    const dirty = createPage(1001, 20);
    dirty.data.set(clean.data);
    for (let y = 0; y < 20; y++) dirty.data[y * dirty.stride + dirty.stride - 1] |= 0x7f;
    for (const coding of ['mh', 'mr', 'mmr'] as const) {
      expect(
        Buffer.from(encodePage(dirty, { coding })).equals(Buffer.from(encodePage(clean, { coding }))),
      ).toBe(true);
    }
  });

  it('picks K from the resolution: 2 at standard, 4 above', () => {
    const page = textPage(1728, 16, 13, 'standard');
    const fine = { ...page, resolution: 'fine' as const };
    expect(encodePage(page, { coding: 'mr' })).toEqual(encodePage(page, { coding: 'mr', k: 2 }));
    expect(encodePage(fine, { coding: 'mr' })).toEqual(encodePage(fine, { coding: 'mr', k: 4 }));
    expect(encodePage(fine, { coding: 'mr' })).not.toEqual(encodePage(fine, { coding: 'mr', k: 2 }));
  });

  it('codes known bit patterns exactly', () => {
    // one white 1728 row, MH with EOL: EOL 000000000001, make-up 1728 010011011, term 0 00110101
    const one = encodePage(whitePage(1728, 1), { coding: 'mh' });
    expect(Array.from(one)).toEqual([0x00, 0x14, 0xd9, 0xa8]);
    // MMR white row: V0 = 1 per row, then EOFB, zero pad
    const mmr = encodePage(whitePage(1728, 3), { coding: 'mmr' });
    expect(Array.from(mmr)).toEqual([0xe0, 0x02, 0x00, 0x20]);
    // RTC in MH with fill: the first EOL ends on a byte boundary, the other five follow directly
    const rtc = encodePage(whitePage(8, 0), { coding: 'mh', rtc: true, fillBits: true });
    expect(Array.from(rtc)).toEqual([0x00, 0x01, 0x00, 0x10, 0x01, 0x00, 0x10, 0x01, 0x00, 0x10]);
  });
});

describe('rowChanges', () => {
  it('matches a pixel-by-pixel scan on random rows of many widths', () => {
    const r = rng(99);
    const out = new Int32Array(200);
    for (let width = 1; width < 190; width++) {
      const row = new Uint8Array((width + 7) >>> 3);
      for (let t = 0; t < 5; t++) {
        const density = r();
        for (let i = 0; i < row.length; i++) {
          let b = 0;
          for (let k = 0; k < 8; k++) if (r() < density) b |= 1 << k;
          row[i] = b;
        }
        const expected: number[] = [];
        let prev = 0;
        for (let x = 0; x < width; x++) {
          const px = (row[x >>> 3] >>> (7 - (x & 7))) & 1;
          if (px !== prev) expected.push(x);
          prev = px;
        }
        const n = rowChanges(row, 0, width, out);
        expect(Array.from(out.subarray(0, n))).toEqual(expected);
        expect(Array.from(out.subarray(n, n + 3))).toEqual([width, width, width]);
      }
    }
  });
});
