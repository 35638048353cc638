// The single-row MH decoder on the third-party corpus: the rows of the golden SFF file Ghostscript
// wrote of CCITT page 1 (npm run test:conformance). npm test: mhrow.test.ts, generated pages.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createPage, row } from '../page.js';
import { ccittDir, goldenPbm, goldenSff, readPbm } from '../test-support/ccitt.js';
import { decodeMhRow } from './decode.js';

describe('decodeMhRow on the CCITT corpus', () => {
  it("decodes the rows of ghostscript's SFF file to the CCITT page (LSB first)", () => {
    const dir = ccittDir();
    const sff = new Uint8Array(readFileSync(goldenSff(dir)));
    const expected = readPbm(goldenPbm(dir, 1));
    // minimal SFF walk: document header, first page header, line records up to the next page
    let at = sff[10] | (sff[11] << 8);
    expect(sff[at]).toBe(0xfe);
    const width = sff[at + 6] | (sff[at + 7] << 8);
    at += 2 + sff[at + 1];
    const got = createPage(width, expected.height);
    let y = 0;
    let bad = 0;
    while (at < sff.length && sff[at] !== 0xfe && y < got.height) {
      const rec = sff[at];
      if (rec >= 1 && rec <= 216) {
        if (!decodeMhRow(sff.subarray(at + 1, at + 1 + rec), width, row(got, y), 'lsb')) bad++;
        y++;
        at += 1 + rec;
      } else if (rec === 0) {
        const len = sff[at + 1] | (sff[at + 2] << 8);
        if (!decodeMhRow(sff.subarray(at + 3, at + 3 + len), width, row(got, y), 'lsb')) bad++;
        y++;
        at += 3 + len;
      } else if (rec <= 253) {
        y += rec - 216;
        at++;
      } else throw new Error(`unexpected SFF record ${rec}`);
    }
    expect(bad).toBe(0);
    expect(y).toBe(expected.height);
    expect(Buffer.from(got.data).equals(Buffer.from(expected.data))).toBe(true);
  });
});
