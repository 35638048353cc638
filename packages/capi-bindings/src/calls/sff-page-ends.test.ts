/**
 * SffPageEnds finds page ends by walking records, in any chunking (sendFax counts the pages
 * of a B3 4 call from them when the card reports no page count; that path against capi-sim
 * is tested in capi-sim/src/clients/send-page-ends.test.ts).
 */
import { type BilevelPage, createPage, setPixel, writeSff } from '@faxgate/fax-core';
import { describe, expect, it } from 'vitest';
import { SffPageEnds } from './sff-page-ends.js';

/** A page with 0xFE bytes likely inside its coded lines (dense, irregular runs). */
function page(seed: number, height = 300): BilevelPage {
  const p = createPage(1728, height, 'fine');
  for (let y = 0; y < height; y++) {
    for (let x = (seed * 13 + y * 7) % 50; x < 1700; x += 3 + ((x + y + seed) % 7)) setPixel(p, x, y, true);
  }
  return p;
}

describe('SffPageEnds', () => {
  it('finds each page end at the offset of the next page header / end record, however the bytes are cut', () => {
    const pages = [page(1, 40), page(2, 10), page(3, 70)];
    const whole = writeSff(pages);
    // The expected ends: where writeSff of the first k pages stops before its end record.
    const ends = [1, 2, 3].map((k) => writeSff(pages.slice(0, k)).length - 2);
    for (const size of [1, 7, 216, 2048, whole.length]) {
      const t = new SffPageEnds();
      for (let i = 0; i < whole.length; i += size) t.push(whole.subarray(i, i + size));
      expect(ends.map((e) => [t.pagesWithin(e - 1), t.pagesWithin(e)])).toEqual([
        [0, 1],
        [1, 2],
        [2, 3],
      ]);
      expect(t.pagesWithin(whole.length)).toBe(3);
    }
  });
});
