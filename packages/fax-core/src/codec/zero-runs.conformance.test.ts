// testfax4.tiff (G4 from AccuSoft ImageGear with zero-length runs, libtiff's test testfax4.sh)
// decodes whole and identical to libtiff's reference decode refs/o-testfax4.tiff (third-party
// corpus, npm run test:conformance). Hand-made pages with zero-length runs: zero-runs.test.ts.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readFaxDocument } from '../containers/document.js';
import { encodeSffPageRecords } from '../containers/sff.js';
import { sffRecordsFromCoded } from '../containers/sff-transcode.js';
import { corpusDir } from '../test-support/corpus.js';
import { readTiffStrip } from '../test-support/tiff-strip.js';
import { requireTool } from '../test-support/tools.js';

const dir = path.join(corpusDir(), 'realworld', 'fax', 'libtiff');
const work = mkdtempSync(path.join(tmpdir(), 'faxgate-testfax4-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** libtiff's reference raster (LZW in the corpus) as plain rows, through tiffcp -c none. */
function referenceRows(): { width: number; height: number; rows: Uint8Array } {
  requireTool('tiffcp');
  const out = path.join(work, 'ref.tif');
  execFileSync('tiffcp', ['-c', 'none', path.join(dir, 'refs', 'o-testfax4.tiff'), out]);
  const ref = readTiffStrip(out);
  expect(ref.compression).toBe(1);
  return { width: ref.width, height: ref.height, rows: ref.strip };
}

describe('testfax4.tiff: G4 with zero-length runs (libtiff issue #46)', () => {
  it("decodes all 3369 rows, identical to libtiff's reference", () => {
    const file = new Uint8Array(readFileSync(path.join(dir, 'testfax4.tiff')));
    const doc = readFaxDocument(file);
    expect(doc.pages).toHaveLength(1);
    const p = doc.pages[0];
    expect(p.quality).toEqual({ badLines: 0, consecutiveBadLines: 0 });
    const ref = referenceRows();
    expect([p.page.width, p.page.height]).toEqual([ref.width, ref.height]);
    expect(p.page.data.length).toBe(ref.rows.length);
    let differing = 0;
    for (let y = 0; y < ref.height; y++) {
      const a = p.page.data.subarray(y * p.page.stride, (y + 1) * p.page.stride);
      const b = ref.rows.subarray(y * p.page.stride, (y + 1) * p.page.stride);
      if (!Buffer.from(a).equals(Buffer.from(b))) differing++;
    }
    expect(differing).toBe(0);
  });

  it('transcodes to SFF without pixels, the same records as the pixel path', () => {
    const strip = readTiffStrip(path.join(dir, 'testfax4.tiff'));
    const opts = { coding: 'mmr' as const, width: strip.width, height: strip.height };
    const records = sffRecordsFromCoded(strip.strip, opts);
    expect(records).not.toBeNull();
    const pixels = readFaxDocument(new Uint8Array(readFileSync(path.join(dir, 'testfax4.tiff')))).pages[0]
      .page;
    expect(Buffer.from(records as Uint8Array).equals(Buffer.from(encodeSffPageRecords(pixels)))).toBe(true);
  });
});
