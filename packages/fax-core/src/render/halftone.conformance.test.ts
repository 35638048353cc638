// Grey kept (issue 16 item 3), against Ghostscript on the shared documents where the fixed
// threshold lost light colours: tracemonkey.pdf p. 11 (light-grey chart series, bar tops),
// GeoBase pages with grey fills, labeled-edges (a plot's grid). Each page rendered by us with
// the default options and by gs (-sDEVICE=tiffg4 -r204x196 -sPAPERSIZE=a4 -dFIXEDMEDIA
// -dPDFFitPage), ours fitted into gs's frame by ink box, compared on 24×24 blocks: no block
// gs inks may lack ink within ±1 block in ours. The threshold mode is measured beside it
// (it must miss blocks on every page here, or these pages prove nothing).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readTiff } from '../containers/tiff.js';
import type { BilevelPage } from '../page.js';
import { corpusDir } from '../test-support/corpus.js';
import { fitToReference, inkedBlocks, missingInkBlocks } from '../test-support/doc-compare.js';
import { renderJob } from './job.js';
import { DEFAULT_LIMITS } from './types.js';

const CASES: Array<{ file: string; pages: number[] }> = [
  { file: 'pdf.js/tracemonkey.pdf', pages: [11] },
  { file: 'pypdf/GeoBase_NHNC1_Data_Model_UML_EN.pdf', pages: [6, 7, 9, 10] },
  { file: 'pypdf/labeled-edges-center-image.pdf', pages: [1] },
];

function ghostscriptPage(file: string, page: number): BilevelPage {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-gs-halftone-'));
  try {
    const out = path.join(dir, 'out.tif');
    execFileSync(
      'gs',
      [
        '-q',
        '-dNOPAUSE',
        '-dBATCH',
        '-dSAFER',
        '-sDEVICE=tiffg4',
        '-r204x196',
        '-sPAPERSIZE=a4',
        '-dFIXEDMEDIA',
        '-dPDFFitPage',
        `-dFirstPage=${page}`,
        `-dLastPage=${page}`,
        `-sOutputFile=${out}`,
        file,
      ],
      { timeout: 120_000 },
    );
    return readTiff(new Uint8Array(fs.readFileSync(out))).pages[0].page;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const rows: string[] = [];
afterAll(() => {
  console.log(
    ['grey kept vs Ghostscript (24-px blocks gs inks, missing within ±1 block):', ...rows].join('\n'),
  );
});

describe('grey kept as halftone, against Ghostscript', () => {
  for (const { file, pages } of CASES) {
    it(`${file} pages ${pages.join(', ')}`, async () => {
      const full = path.join(corpusDir(), 'realworld', 'docs', file);
      const bytes = new Uint8Array(fs.readFileSync(full));
      const ours = await renderJob(bytes, {}, { limits: DEFAULT_LIMITS });
      const threshold = await renderJob(bytes, { dither: 'none' }, { limits: DEFAULT_LIMITS });
      for (const n of pages) {
        const ref = ghostscriptPage(full, n);
        const missing = missingInkBlocks(fitToReference(ours.pages[n - 1], ref), ref);
        const before = missingInkBlocks(fitToReference(threshold.pages[n - 1], ref), ref);
        rows.push(
          `  ${file} p. ${n}: gs inks ${inkedBlocks(ref)} blocks; missing: threshold ${before.length}, halftone (default) ${missing.length}`,
        );
        expect(before.length, `threshold mode on ${file} p. ${n}`).toBeGreaterThan(0);
        expect(missing, `${file} p. ${n}: blocks gs inks with no ink near them in ours`).toEqual([]);
      }
    });
  }
});
