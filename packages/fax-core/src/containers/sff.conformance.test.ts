// SFF on the third-party corpus: the golden 8-page SFF Ghostscript wrote of the CCITT pages, and
// sfftobmp on our SFF of those pages (npm run test:conformance). npm test: sff.test.ts, the same
// checks on generated pages.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { pagesEqual } from '../page.js';
import { ccittDir, ccittPage, goldenSff } from '../test-support/ccitt.js';
import { requireTool, sfftobmpRows } from '../test-support/tools.js';
import { readSff, writeSff } from './sff.js';

const golden = () => new Uint8Array(readFileSync(goldenSff(ccittDir())));
const ccitt = (n: number) => ccittPage(ccittDir(), n);

describe('SFF reader on the CCITT corpus', () => {
  it('decodes the 8-page golden SFF (ghostscript cfax) to the 8 PBMs exactly', () => {
    const doc = readSff(golden());
    expect(doc.header).toMatchObject({
      version: 1,
      pageCount: 0,
      firstPageOffset: 20,
      lastPageOffset: 0,
      documentEndOffset: 0,
    });
    expect(doc.pages).toHaveLength(8);
    doc.pages.forEach((p, i) => {
      expect(p.info).toMatchObject({
        width: 1728,
        declaredHeight: 2376,
        height: 2376,
        resolution: 'fine',
        coding: 0,
      });
      expect(p.quality).toEqual({ badLines: 0, consecutiveBadLines: 0 });
      expect(pagesEqual(p.page, ccitt(i + 1))).toBe(true);
    });
  });
});

describe('SFF writer on the CCITT corpus: independent decoder sfftobmp', () => {
  beforeAll(() => requireTool('sfftobmp'));
  it('decodes our SFF of the 8 CCITT pages to the source pixels', () => {
    const pages = Array.from({ length: 8 }, (_, i) => ccitt(i + 1));
    const out = sfftobmpRows(writeSff(pages), pages);
    out.forEach((rows, i) => {
      expect(Buffer.from(rows).equals(Buffer.from(pages[i].data))).toBe(true);
    });
  });
});
