// TIFF on the third-party corpus: the 32 libtiff encodings of the CCITT pages (MH, MR K=2/K=4,
// MMR) read, described and written byte for byte (npm run test:conformance). npm test:
// tiff.test.ts, the same checks on files libtiff writes of generated pages.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pagesEqual } from '../page.js';
import { ccittDir, ccittPage, type GoldenMode, goldenTiff } from '../test-support/ccitt.js';
import { expectLibtiffStrips } from '../test-support/libtiff-strips.js';
import { inspectTiff, readTiff } from './tiff.js';

const ccitt = (n: number) => ccittPage(ccittDir(), n);
const goldenTif = (n: number, v: string) =>
  new Uint8Array(readFileSync(goldenTiff(ccittDir(), n, v as GoldenMode)));

describe('TIFF reader: libtiff golden files of the CCITT corpus', () => {
  it('decodes all 32 CCITT encodings (MH, MR K=2/K=4, MMR) to the source PBMs', () => {
    for (let n = 1; n <= 8; n++) {
      const src = ccitt(n);
      for (const v of ['mh', 'mr_k2', 'mr_k4', 'mmr']) {
        const doc = readTiff(goldenTif(n, v));
        expect(doc.pages).toHaveLength(1);
        const p = doc.pages[0];
        expect(p.info.coding).toBe(v.replace(/_.*/, ''));
        expect(p.info.resolution).toBe(v === 'mr_k2' ? 'standard' : 'fine');
        expect(p.quality).toEqual({ badLines: 0, consecutiveBadLines: 0 });
        expect(pagesEqual(p.page, src)).toBe(true);
      }
    }
  });

  it('describes the pages without decoding them', () => {
    const { byteOrder, pages } = inspectTiff(goldenTif(1, 'mr_k4'));
    expect(byteOrder).toBe('II');
    expect(pages[0]).toMatchObject({
      width: 1728,
      height: 2376,
      compression: 3,
      t4Options: 1,
      fillOrder: 1,
      photometric: 0,
      yLpi: 196,
      xDpi: 204,
      strips: 1,
    });
  });
});

describe('TIFF writer on the CCITT corpus', () => {
  it('writes the CCITT pages byte for byte as libtiff does (strip of the golden files)', () => {
    for (let n = 1; n <= 8; n++) {
      const fine = ccitt(n);
      const standard = { ...fine, resolution: 'standard' as const };
      expectLibtiffStrips(
        `ccitt${n}`,
        (v) => (v === 'mr_k2' ? standard : fine),
        (v) => goldenTif(n, v),
      );
    }
  });
});
