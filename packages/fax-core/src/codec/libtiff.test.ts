// Generated pages (text-like, halftone, all-black/all-white bands, random runs, odd widths, A3,
// over-wide rows with 2560 make-up chunks) encoded by libtiff's tiffcp, the independent
// reference: our encoder must give the same strip in both bit orders, and decode it. (The same
// check on the third-party CCITT pages: ccitt.conformance.test.ts.)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type BilevelPage, pagesEqual } from '../page.js';
import {
  bandsPage,
  checkerPage,
  edgesPage,
  halftonePage,
  noisePage,
  runsPage,
  stripesPage,
  textPage,
} from '../test-support/codec-pages.js';
import { readTiffStrip } from '../test-support/tiff-strip.js';
import { uncompressedTiff } from '../test-support/tiff-writer.js';
import { decodePage } from './decode.js';
import { encodePage } from './encode.js';
import { reverseBits } from './tables.js';
import type { EncodeOptions } from './types.js';

const work = mkdtempSync(path.join(tmpdir(), 'faxgate-codec-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function tiffcp(page: BilevelPage, compression: string): Uint8Array {
  const src = path.join(work, 'in.tif');
  const dst = path.join(work, `out-${compression.replaceAll(':', '-')}.tif`);
  writeFileSync(src, uncompressedTiff(page));
  execFileSync('tiffcp', ['-c', compression, '-r', String(Math.max(1, page.height)), src, dst]);
  return readTiffStrip(dst).strip;
}

const cases: [string, BilevelPage][] = [
  ['text A4 1728', textPage(1728, 300, 30)],
  ['text A4 1728 at 98 lpi (K=2)', textPage(1728, 200, 36, 'standard')],
  ['halftone A4 1728', halftonePage(1728, 120)],
  ['halftone B4 2048 at 98 lpi', halftonePage(2048, 60, 'standard')],
  ['all-black and all-white bands 1728', bandsPage(1728, 200)],
  ['random runs 1728', runsPage(1728, 120, 37)],
  ['random runs 2432, long', runsPage(2432, 60, 38, 2432)],
  ['text A3 2432', textPage(2432, 160, 31)],
  ['text 4864 (2560 make-up chunks)', textPage(4864, 100, 32)],
  ['text B4 2048 at 98 lpi (K=2)', textPage(2048, 120, 33, 'standard')],
  ['noise, odd width 1001', noisePage(1001, 40, 34)],
  ['sparse noise 1728', noisePage(1728, 80, 35, 0.03)],
  ['checkerboard 1728', checkerPage(1728, 16)],
  ['stripes 1727', stripesPage(1727, 16)],
  ['edges 33', edgesPage(33)],
  ['edges 2432', edgesPage(2432)],
];

const modes: [string, EncodeOptions][] = [
  ['g3:1d', { coding: 'mh' }],
  ['g3:1d:fill', { coding: 'mh', fillBits: true }],
  ['g3:2d', { coding: 'mr' }],
  ['g3:2d:fill', { coding: 'mr', fillBits: true }],
  ['g4', { coding: 'mmr' }],
];

describe('encoder against libtiff (tiffcp) on generated pages', () => {
  for (const [name, page] of cases) {
    it(name, () => {
      for (const [compression, opts] of modes) {
        const reference = tiffcp(page, compression);
        const ours = encodePage(page, opts);
        expect(Buffer.from(ours).equals(Buffer.from(reference)), `${name} ${compression}`).toBe(true);
        const back = decodePage(reference, { coding: opts.coding, width: page.width, height: page.height });
        expect(back.badLines, `${name} ${compression}`).toBe(0);
        expect(pagesEqual(back.page, page), `${name} ${compression}`).toBe(true);
        // FillOrder 2: the same bits, reversed in every byte
        const lsb = encodePage(page, { ...opts, bitOrder: 'lsb' });
        expect(
          Buffer.from(lsb).equals(Buffer.from(reverseBits(reference))),
          `${name} ${compression} lsb`,
        ).toBe(true);
        const lsbBack = decodePage(lsb, { coding: opts.coding, width: page.width, bitOrder: 'lsb' });
        expect(lsbBack.badLines, `${name} ${compression} lsb`).toBe(0);
        expect(pagesEqual(lsbBack.page, page), `${name} ${compression} lsb`).toBe(true);
      }
    });
  }
});
