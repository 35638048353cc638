// A bounded fuzz run in CI; `npm run fuzz:codec -- --seconds N` runs as long as asked.
import { describe, expect, it } from 'vitest';
import { MAX_PAGE_HEIGHT } from '../page.js';
import { runFuzz } from '../test-support/codec-fuzz.js';
import { rng } from '../test-support/codec-pages.js';
import { decodePage } from './decode.js';
import { CodecError, type Coding } from './types.js';

describe('codec fuzzing (bounded)', () => {
  it('random and mutated streams: only CodecError escapes, pages stay within the caps', () => {
    const stats = runFuzz({ seed: 20261127, iterations: 2500 });
    expect(stats.failures.map((f) => `seed ${f.seed}: ${f.error}\n  ${f.what}`)).toEqual([]);
    expect(stats.decodes + stats.codecErrors).toBeGreaterThan(2500);
    expect(stats.decodes).toBeGreaterThan(1500);
  });
});

describe('hostile inputs of 1 MB', () => {
  const r = rng(77);
  const inputs: [string, Uint8Array][] = [
    ['zeros', new Uint8Array(1 << 20)],
    ['ones', new Uint8Array(1 << 20).fill(0xff)],
    ['random', Uint8Array.from({ length: 1 << 20 }, () => Math.floor(r() * 256))],
    [
      'EOLs',
      Uint8Array.from({ length: 1 << 20 }, (_, i) => (i % 3 === 1 ? 0x01 : i % 3 === 2 ? 0x00 : 0x10)),
    ],
  ];
  for (const [name, data] of inputs) {
    it(`${name}: every coding ends with a sane page or a CodecError`, () => {
      for (const coding of ['mh', 'mr', 'mmr'] as Coding[]) {
        for (const width of [1, 1728, 4864]) {
          try {
            const res = decodePage(data, { coding, width });
            expect(res.page.height).toBe(res.rows);
            expect(res.rows).toBeLessThanOrEqual(MAX_PAGE_HEIGHT);
          } catch (e) {
            expect(e).toBeInstanceOf(CodecError);
            expect((e as CodecError).code).toBe('too-large');
          }
        }
      }
    });
  }

  it('refuses a stream with more rows than maxHeight with a clear error', () => {
    // MMR V0 rows are one bit each: 1 MB of 0xff would be 8 million white rows
    const data = new Uint8Array(1 << 20).fill(0xff);
    expect(() => decodePage(data, { coding: 'mmr', width: 1728 })).toThrow(/more than 32768 rows/);
    expect(() => decodePage(data, { coding: 'mmr', width: 1728, maxHeight: 100 })).toThrow(CodecError);
    const capped = decodePage(data, { coding: 'mmr', width: 1728, height: 100 });
    expect(capped.rows).toBe(100);
    expect(capped.endedBy).toBe('height');
  });

  it('refuses sizes over the caps before allocating', () => {
    const tooWide = () => decodePage(new Uint8Array(10), { coding: 'mh', width: 100_000 });
    expect(tooWide).toThrow(CodecError);
    const tooHigh = () => decodePage(new Uint8Array(10), { coding: 'mh', width: 1728, height: 1e9 });
    expect(tooHigh).toThrow(/larger than/);
  });
});
