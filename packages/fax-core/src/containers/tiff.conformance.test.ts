// TIFF on the third-party corpus: the 32 libtiff encodings of the CCITT pages (MH, MR K=2/K=4,
// MMR) read, described and written byte for byte (npm run test:conformance). npm test:
// tiff.test.ts, the same checks on files libtiff writes of generated pages.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pagesEqual } from '../page.js';
import { ccittDir, ccittPage, type GoldenMode, goldenTiff } from '../test-support/ccitt.js';
import { inspectTiff, readTiff, writeTiff } from './tiff.js';
import { Tag } from './tiff-structure.js';

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
      for (const [v, page, coding] of [
        ['mh', fine, 'mh'],
        ['mr_k4', fine, 'mr'],
        ['mr_k2', standard, 'mr'],
        ['mmr', fine, 'mmr'],
      ] as const) {
        const g = goldenTif(n, v);
        const gi = inspectTiff(g).pages[0];
        const ours = writeTiff([page], { coding, k: v === 'mr_k4' ? 4 : v === 'mr_k2' ? 2 : undefined });
        const oi = inspectTiff(ours).pages[0];
        const strip = (d: Uint8Array, ifdOffset: number) => {
          const tf = readTiff(d); // decodes fine
          expect(tf.pages).toHaveLength(1);
          const view = new DataView(d.buffer, d.byteOffset);
          // StripOffsets / StripByteCounts from the IFD
          const count = view.getUint16(ifdOffset, true);
          let off = 0;
          let len = 0;
          for (let i = 0; i < count; i++) {
            const e = ifdOffset + 2 + i * 12;
            const tag = view.getUint16(e, true);
            const type = view.getUint16(e + 2, true);
            const value = type === 3 ? view.getUint16(e + 8, true) : view.getUint32(e + 8, true);
            if (tag === Tag.StripOffsets) off = value;
            if (tag === Tag.StripByteCounts) len = value;
          }
          return d.subarray(off, off + len);
        };
        expect(
          Buffer.from(strip(ours, oi.ifdOffset)).equals(Buffer.from(strip(g, gi.ifdOffset))),
          `ccitt${n} ${v}`,
        ).toBe(true);
      }
    }
  });
});
