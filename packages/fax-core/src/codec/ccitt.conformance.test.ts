// Byte-exact conformance with libtiff on the 8 CCITT test pages (golden vectors of the third-party
// corpus, FAXGATE_CORPUS; npm run test:conformance). npm test: libtiff.test.ts, generated pages.
import { describe, expect, it } from 'vitest';
import { pagesEqual } from '../page.js';
import {
  ccittDir,
  GOLDEN_MODES,
  type GoldenMode,
  goldenPbm,
  goldenTiff,
  readPbm,
  readTiffStrip,
} from '../test-support/ccitt.js';
import { decodePage } from './decode.js';
import { encodePage } from './encode.js';
import { reverseBits } from './tables.js';
import type { Coding } from './types.js';

const dir = ccittDir();
const PAGES = [1, 2, 3, 4, 5, 6, 7, 8];

function codingOf(mode: GoldenMode): Coding {
  return mode === 'mh' ? 'mh' : mode === 'mmr' ? 'mmr' : 'mr';
}

describe('libtiff golden vectors (CCITT pages 1-8)', () => {
  for (const n of PAGES) {
    describe(`ccitt${n}`, () => {
      for (const mode of GOLDEN_MODES) {
        it(`${mode}: encodes to libtiff's strip byte for byte and decodes back pixel for pixel`, () => {
          const d = dir;
          const tiff = readTiffStrip(goldenTiff(d, n, mode));
          // the K=2 TIFF is tagged 98 lpi; libtiff picks K from YResolution
          const page = readPbm(goldenPbm(d, n), tiff.yResolution > 150 ? 'fine' : 'standard');
          const coding = codingOf(mode);
          expect(tiff.compression).toBe(coding === 'mmr' ? 4 : 3);

          const encoded = encodePage(page, { coding });
          expect(encoded.length).toBe(tiff.strip.length);
          expect(Buffer.from(encoded).equals(Buffer.from(tiff.strip))).toBe(true);

          const withHeight = decodePage(tiff.strip, { coding, width: tiff.width, height: tiff.height });
          expect(withHeight.badLines).toBe(0);
          expect(withHeight.rows).toBe(page.height);
          expect(withHeight.endedBy).toBe('height');
          expect(pagesEqual(withHeight.page, page)).toBe(true);

          const open = decodePage(tiff.strip, { coding, width: tiff.width });
          expect(open.badLines).toBe(0);
          expect(open.endedBy).toBe(coding === 'mmr' ? 'eofb' : 'end-of-data');
          expect(pagesEqual(open.page, page)).toBe(true);
          expect(open.bytesUsed).toBe(tiff.strip.length);

          // FillOrder 2: the same bits, reversed in every byte
          const lsb = encodePage(page, { coding, bitOrder: 'lsb' });
          expect(Buffer.from(lsb).equals(Buffer.from(reverseBits(tiff.strip)))).toBe(true);
          const back = decodePage(lsb, { coding, width: page.width, bitOrder: 'lsb' });
          expect(back.badLines).toBe(0);
          expect(pagesEqual(back.page, page)).toBe(true);
        });
      }
    });
  }
});
