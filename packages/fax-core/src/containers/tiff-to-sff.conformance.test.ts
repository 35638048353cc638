// Transcoding to SFF on the third-party corpus: the libtiff TIFFs of the CCITT pages 1-8 (MH, MR
// K=2/K=4, MMR) give the PBM pages' records (npm run test:conformance). npm test:
// tiff-to-sff.test.ts, on TIFFs libtiff wrote of generated pages.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ccittDir, ccittPage, type GoldenMode, goldenTiff } from '../test-support/ccitt.js';
import { encodeSffPageRecords, writeSff } from './sff.js';
import { sffRecordsFromCoded } from './sff-transcode.js';
import { readTiff } from './tiff.js';
import { sffFromTiffs } from './tiff-to-sff.js';

const same = (a: Uint8Array | null, b: Uint8Array) => a !== null && Buffer.from(a).equals(Buffer.from(b));

describe('sffRecordsFromCoded on the CCITT corpus', () => {
  it('transcodes the CCITT pages 1-8 (shared libtiff TIFFs, MH, MR K=2/K=4, MMR) to the PBM pages’ records', () => {
    for (let n = 1; n <= 8; n++) {
      const page = ccittPage(ccittDir(), n);
      const expected = encodeSffPageRecords(page);
      for (const v of ['mh', 'mr_k2', 'mr_k4', 'mmr']) {
        const tiff = new Uint8Array(readFileSync(goldenTiff(ccittDir(), n, v as GoldenMode)));
        const p = readTiff(tiff).pages[0];
        expect(p.strip, `ccitt${n} ${v}`).toBeDefined();
        const opts = {
          coding: p.info.coding as 'mh' | 'mr' | 'mmr',
          width: p.info.width,
          height: p.info.height,
        };
        expect(same(sffRecordsFromCoded(p.strip as Uint8Array, opts), expected), `ccitt${n} ${v}`).toBe(true);
        const doc = sffFromTiffs([tiff]);
        expect(doc.transcoded, `ccitt${n} ${v}`).toBe(1);
        expect(same(doc.sff, writeSff([p.page])), `ccitt${n} ${v}`).toBe(true);
      }
    }
  });
});
