// Incremental decoding (PageDecoder) must give the one-shot result for any chunking, and must
// report the end of the page as soon as RTC / EOFB has arrived.
import { describe, expect, it } from 'vitest';
import { pagesEqual } from '../page.js';
import { rng, textPage } from '../test-support/codec-pages.js';
import { decodePage, PageDecoder } from './decode.js';
import { encodePage } from './encode.js';
import type { DecodeOptions, EncodeOptions } from './types.js';

const page = textPage(1728, 300, 41);

function chunked(data: Uint8Array, sizes: () => number, opts: DecodeOptions) {
  const d = new PageDecoder(opts);
  let at = 0;
  let doneAt = -1;
  while (at < data.length) {
    const n = Math.max(1, Math.min(sizes(), data.length - at));
    const done = d.push(data.subarray(at, at + n));
    at += n;
    if (done && doneAt < 0) doneAt = at;
  }
  return { result: d.end(), doneAt, decoder: d };
}

const framings: EncodeOptions[] = [
  { coding: 'mh', rtc: true },
  { coding: 'mh', rtc: true, fillBits: true, bitOrder: 'lsb' },
  { coding: 'mr', k: 4, rtc: true },
  { coding: 'mr', k: 2, rtc: true, fillBits: true },
  { coding: 'mmr' },
  { coding: 'mmr', bitOrder: 'lsb' },
];

describe('PageDecoder', () => {
  for (const f of framings) {
    it(`${JSON.stringify(f)}: same page for every chunking, end found when the terminator arrives`, () => {
      const code = encodePage(page, f);
      const r = rng(42);
      const garbage = Uint8Array.from({ length: 300 }, () => Math.floor(r() * 256));
      const data = new Uint8Array(code.length + garbage.length);
      data.set(code);
      data.set(garbage, code.length);
      const opts: DecodeOptions = { coding: f.coding, width: page.width, bitOrder: f.bitOrder };
      const whole = decodePage(data, opts);
      expect(whole.badLines).toBe(0);
      expect(whole.bytesUsed).toBe(code.length);
      for (const sizes of [() => 1, () => 7, () => 1 + Math.floor(r() * 2000)]) {
        const { result, doneAt } = chunked(data, sizes, opts);
        expect(result.endedBy).toBe(f.coding === 'mmr' ? 'eofb' : 'rtc');
        expect(result.rows).toBe(page.height);
        expect(result.badLines).toBe(0);
        expect(pagesEqual(result.page, page)).toBe(true);
        // done once the terminator is in: inside RTC (three of its six EOLs suffice) or at the
        // end of EOFB, and no later than one chunk after it
        expect(doneAt).toBeGreaterThanOrEqual(code.length - (f.coding === 'mmr' ? 1 : 10));
        expect(doneAt).toBeLessThanOrEqual(code.length + 2000);
      }
    });
  }

  it('decodes rows while the data is still arriving', () => {
    const code = encodePage(page, { coding: 'mr', rtc: true });
    const d = new PageDecoder({ coding: 'mr', width: page.width });
    d.push(code.subarray(0, code.length >>> 1));
    expect(d.done).toBe(false);
    expect(d.rows).toBeGreaterThan(50);
    expect(d.rows).toBeLessThan(page.height);
    d.push(code.subarray(code.length >>> 1));
    expect(d.done).toBe(true);
    expect(pagesEqual(d.end().page, page)).toBe(true);
  });

  it('gives the one-shot result for a stream without a terminator, and for corrupt data', () => {
    const code = encodePage(page, { coding: 'mh' });
    const bad = code.slice();
    const r = rng(43);
    for (let i = 0; i < 10; i++) bad[100 + Math.floor(r() * (bad.length - 200))] ^= 1 << Math.floor(r() * 8);
    for (const data of [code, bad]) {
      const whole = decodePage(data, { coding: 'mh', width: page.width });
      const { result } = chunked(data, () => 1 + Math.floor(r() * 50), { coding: 'mh', width: page.width });
      expect(result.endedBy).toBe(whole.endedBy);
      expect(result.rows).toBe(whole.rows);
      expect(result.badLines).toBe(whole.badLines);
      expect(result.consecutiveBadLines).toBe(whole.consecutiveBadLines);
      expect(pagesEqual(result.page, whole.page)).toBe(true);
    }
  });
});

describe('PageDecoder on a long stretch without an EOL', () => {
  it('stays linear: 300 KB of garbage pushed byte by byte, then a page', () => {
    const r = rng(44);
    // no 11-zero runs, so no EOL can be found in it
    const garbage = Uint8Array.from({ length: 300_000 }, () => Math.floor(r() * 256) | 0x21);
    const code = encodePage(page, { coding: 'mh', rtc: true });
    const d = new PageDecoder({ coding: 'mh', width: page.width, eol: true });
    const t0 = performance.now();
    for (let i = 0; i < garbage.length; i++) d.push(garbage.subarray(i, i + 1));
    for (let i = 0; i < code.length; i += 5) d.push(code.subarray(i, i + 5));
    const res = d.end();
    // quadratic rescanning would take minutes here; linear takes well under a second
    expect(performance.now() - t0).toBeLessThan(20_000);
    expect(res.endedBy).toBe('rtc');
    expect(res.badLines).toBe(0);
    expect(pagesEqual(res.page, page)).toBe(true);
  });
});
