// Generated pages (odd widths, A3, over-wide rows with 2560 make-up chunks) encoded by libtiff's
// tiffcp, the independent reference: our encoder must give the same strip, and decode it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type BilevelPage, pagesEqual } from '../page.js';
import { readTiffStrip } from '../test-support/ccitt.js';
import { checkerPage, edgesPage, noisePage, stripesPage, textPage } from '../test-support/codec-pages.js';
import { uncompressedTiff } from '../test-support/tiff-writer.js';
import { decodePage } from './decode.js';
import { encodePage } from './encode.js';
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
      }
    });
  }
});
