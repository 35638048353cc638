// The submission budget from the pre-scan: pages and pixels over all files, the file that goes
// over named with the count, documents (PDF …) left for the renderer, a cover page counted.
import { createPage, writeFaxDocument, writeTiff } from '@faxgate/fax-core';
import { describe, expect, it } from 'vitest';
import { BudgetCounter, planSubmission } from './budget.js';
import { BudgetExceededError, DocumentInputError } from './errors.js';

const white = (height: number, n = 1) => Array.from({ length: n }, () => createPage(1728, height, 'fine'));
const tiff = (height: number, n = 1) => writeTiff(white(height, n), { coding: 'mmr' });

function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('nothing thrown');
}

describe('planSubmission', () => {
  it('scans fax files (any container) and leaves documents to the renderer', () => {
    const counter = new BudgetCounter({ maxPages: 10, maxPixels: 1e9 });
    const plan = planSubmission(
      [
        { name: 'a.tif', data: tiff(100, 2) },
        { name: 'b.sff', data: writeFaxDocument('sff', white(50)) },
        { name: 'c.pbm', data: writeFaxDocument('pbm', white(10)) },
        { name: 'd.pdf', data: new TextEncoder().encode('%PDF-1.7\n') },
      ],
      counter,
    );
    expect(plan.map((p) => p.scan?.pages)).toEqual([2, 1, 1, undefined]);
    expect(counter.pages).toBe(4);
    expect(counter.pixels).toBe(1728 * (200 + 50 + 10));
  });

  it('names the file that takes the submission over the page budget, with the count', () => {
    const counter = new BudgetCounter({ maxPages: 5, maxPixels: 1e9 });
    const e = thrown(() =>
      planSubmission(
        [
          { name: 'first.tif', data: tiff(10, 3) },
          { name: 'second.tif', data: tiff(10, 3) },
        ],
        counter,
      ),
    );
    expect(e).toBeInstanceOf(BudgetExceededError);
    expect(e.message).toBe(
      'second.tif: 3 pages here make 6 pages in this submission; at most 5 are accepted',
    );
  });

  it('counts a cover page against the pages', () => {
    const e = thrown(() =>
      planSubmission(
        [{ name: 'x.tif', data: tiff(10, 5) }],
        new BudgetCounter({ maxPages: 5, maxPixels: 1e9 }),
        1,
      ),
    );
    expect(e.message).toBe('x.tif: 5 pages here make 6 pages in this submission; at most 5 are accepted');
  });

  it('refuses over the pixel budget, naming the file and the megapixels', () => {
    const counter = new BudgetCounter({ maxPages: 500, maxPixels: 3_000_000 });
    const e = thrown(() =>
      planSubmission(
        [
          { name: 'ok.tif', data: tiff(1000) },
          { name: 'tall.tif', data: tiff(1000) },
        ],
        counter,
      ),
    );
    expect(e).toBeInstanceOf(BudgetExceededError);
    expect(e.message).toBe(
      'tall.tif: 2 megapixels here make 4 megapixels in this submission; at most 3 megapixels are accepted',
    );
    // an SFF's scan stops at the pixels left
    const sff = thrown(() =>
      planSubmission(
        [{ name: 'rows.sff', data: writeFaxDocument('sff', white(1000, 2)) }],
        new BudgetCounter({ maxPages: 500, maxPixels: 3_000_000 }),
      ),
    );
    expect(sff).toBeInstanceOf(BudgetExceededError);
    expect(sff.message).toBe(
      'rows.sff: with this file the submission has more than the 3 megapixels accepted',
    );
  });

  it('a file alone over the pages is a budget error; a malformed one an input error', () => {
    const big = thrown(() =>
      planSubmission(
        [{ name: 'big.tif', data: tiff(10, 4) }],
        new BudgetCounter({ maxPages: 3, maxPixels: 1e9 }),
      ),
    );
    expect(big).toBeInstanceOf(BudgetExceededError);
    expect(big.message).toBe('big.tif: TIFF: more than 3 pages (a submission has at most 3 pages)');
    const cut = tiff(10, 2).subarray(0, 30);
    const bad = thrown(() =>
      planSubmission([{ name: 'cut.tif', data: cut }], new BudgetCounter({ maxPages: 3, maxPixels: 1e9 })),
    );
    expect(bad).toBeInstanceOf(DocumentInputError);
    expect(bad).not.toBeInstanceOf(BudgetExceededError);
    expect(bad.message).toMatch(/^cut\.tif: TIFF: /);
  });

  it('a BigTIFF is a fax file refused clearly, not a document for the renderer', () => {
    const big = Uint8Array.of(0x49, 0x49, 43, 0, 8, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0);
    const e = thrown(() =>
      planSubmission([{ name: 'big.tif', data: big }], new BudgetCounter({ maxPages: 3, maxPixels: 1e9 })),
    );
    expect(e.message).toMatch(/^big\.tif: TIFF: BigTIFF is not supported/);
  });
});
