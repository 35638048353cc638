// The document loader: the whole submission's budget is checked before anything is decoded or
// rendered; fax files decode in threads to the same pages as in-process; documents go to the
// render pool, which refuses clearly when its sandbox cannot run.
import os from 'node:os';
import { createPage, readFaxDocument, setPixel, writeFaxDocument, writeTiff } from '@faxgate/fax-core';
import { describe, expect, it } from 'vitest';
import { BudgetExceededError, createDocumentLoader, RenderUnavailableError } from './load-pages.js';

function page(height: number, seed = 0) {
  const p = createPage(1728, height, 'fine');
  for (let y = 3; y < height - 3; y += 6) for (let x = 50 + seed; x < 1700; x += 9) setPixel(p, x, y, true);
  return p;
}

describe('document loader', () => {
  it('checks the budget of every file before decoding or rendering any', async () => {
    const loader = createDocumentLoader({ budget: { maxPages: 4 } });
    try {
      const files = [
        { name: 'doc.txt', data: new TextEncoder().encode('hello\n') },
        { name: 'a.tif', data: writeTiff([page(50), page(50)], { coding: 'mmr' }) },
        { name: 'b.tif', data: writeTiff([page(50), page(50), page(50)], { coding: 'mmr' }) },
      ];
      const e = await loader.load(files).catch((x: Error) => x);
      expect(e).toBeInstanceOf(BudgetExceededError);
      expect((e as Error).message).toBe(
        'b.tif: 3 pages here make 5 pages in this submission; at most 4 are accepted',
      );
      expect(loader.stats()).toEqual({ decodeThreads: 0, renderPool: false });
    } finally {
      await loader.close();
    }
  });

  it('decodes TIFF, SFF and PBM in threads to the pages an in-process read gives, in order', async () => {
    const loader = createDocumentLoader();
    try {
      const tif = writeTiff([page(120, 1), page(80, 2)], { coding: 'mmr' });
      const sff = writeFaxDocument('sff', [page(60, 3)]);
      const pbm = writeFaxDocument('pbm', [page(40, 4)]);
      const pages = await loader.load([
        { name: 'a.tif', data: tif },
        { name: 'b.sff', data: sff },
        { name: 'c.pbm', data: pbm },
      ]);
      const want = [tif, sff, pbm].flatMap((d) => readFaxDocument(d).pages.map((p) => p.page));
      expect(pages.map((p) => p.height)).toEqual([120, 80, 60, 40]);
      expect(pages.every((p, i) => Buffer.from(p.data).equals(Buffer.from(want[i].data)))).toBe(true);
      expect(loader.stats().decodeThreads).toBeGreaterThan(0);
      expect(loader.stats().renderPool).toBe(false);
      // a bad file is named
      const bad = await loader
        .load([{ name: 'cut.sff', data: sff.subarray(0, sff.length - 3) }])
        .catch((x: Error) => x);
      expect((bad as Error).message).toMatch(/^cut\.sff: SFF: /);
    } finally {
      await loader.close();
    }
  }, 60_000);

  it('a document without a usable sandbox: RenderUnavailableError saying what to do', async () => {
    const loader = createDocumentLoader({
      sandbox: { mode: 'bubblewrap', tmpDir: os.tmpdir(), bwrapPath: '/nonexistent/bwrap' },
      onWarning: () => {},
    });
    try {
      const e = await loader
        .load([{ name: 'note.txt', data: new TextEncoder().encode('hello\n') }])
        .catch((x: Error) => x);
      expect(e).toBeInstanceOf(RenderUnavailableError);
      expect((e as Error).message).toMatch(/install bubblewrap/i);
      expect((e as Error).message).toMatch(/render\.sandbox: none/);
    } finally {
      await loader.close();
    }
  }, 60_000);
});
