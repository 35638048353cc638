// PBM on the third-party corpus: the CCITT golden P4 pages (npm run test:conformance).
// npm test: pbm.test.ts reads what Ghostscript writes of generated pages.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ccittDir, goldenPbm } from '../test-support/ccitt.js';
import { readPbm, writePbm } from './pbm.js';

describe('PBM on the CCITT corpus', () => {
  it('reads the CCITT golden P4 pages', () => {
    const data = readFileSync(goldenPbm(ccittDir(), 1));
    const { pages, info } = readPbm(data);
    expect(pages).toHaveLength(1);
    expect(pages[0].width).toBe(1728);
    expect(pages[0].height).toBe(2376);
    expect(info[0].variant).toBe('P4');
    expect(Buffer.from(pages[0].data).equals(data.subarray(data.length - 513216))).toBe(true);
    expect(Buffer.from(writePbm(pages)).equals(data)).toBe(true);
  });
});
