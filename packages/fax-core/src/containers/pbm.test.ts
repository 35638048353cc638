import { describe, expect, it } from 'vitest';
import { createPage, pagesEqual, setPixel } from '../page.js';
import { samplePages } from '../test-support/container-pages.js';
import { ghostscriptPbm, madePages } from '../test-support/made-corpus.js';
import { expectContainerError } from '../test-support/tools.js';
import { readPbm, writePbm } from './pbm.js';

const enc = (s: string) => new TextEncoder().encode(s);

describe('PBM', () => {
  it('reads the P4 page Ghostscript (pbmraw) writes of a generated page, header comment and all', () => {
    const source = madePages()[0];
    const data = ghostscriptPbm(source);
    expect(new TextDecoder().decode(data.subarray(0, 4))).toBe('P4\n#'); // gs writes a comment
    const { pages, info } = readPbm(data);
    expect(pages).toHaveLength(1);
    expect(info[0].variant).toBe('P4');
    expect(pagesEqual(pages[0], source)).toBe(true);
    expect(
      Buffer.from(pages[0].data).equals(data.subarray(data.length - source.stride * source.height)),
    ).toBe(true);
    expect(pagesEqual(readPbm(writePbm(pages)).pages[0], source)).toBe(true);
  });

  it('round-trips generated pages of several widths (odd widths too), multi-image', () => {
    for (const width of [1728, 2048, 2432, 13, 1001]) {
      const pages = samplePages(width).map((s) => s.page);
      const out = readPbm(writePbm(pages));
      expect(out.pages).toHaveLength(pages.length);
      out.pages.forEach((p, i) => {
        expect(pagesEqual(p, pages[i])).toBe(true);
      });
    }
  });

  it('reads P1 with comments and whitespace, and P4 with comments in the header', () => {
    const p1 = readPbm(enc('P1\n# a comment\n5 3 # trailing\n1 0 0 0 1\n01110\n# inside\n1 0 1 0 1\n'));
    const want = createPage(5, 3);
    for (const [x, y] of [
      [0, 0],
      [4, 0],
      [1, 1],
      [2, 1],
      [3, 1],
      [0, 2],
      [2, 2],
      [4, 2],
    ])
      setPixel(want, x, y, true);
    expect(pagesEqual(p1.pages[0], want)).toBe(true);
    expect(p1.info[0].comments).toEqual(['a comment']);
    const p4 = readPbm(Uint8Array.from([...enc('P4 #c1\n#c2\n 5\n#c3\n3\n'), 0x88, 0x70, 0xa8]));
    expect(pagesEqual(p4.pages[0], want)).toBe(true);
    expect(p4.info[0].comments).toEqual(['c1', 'c2', 'c3']);
  });

  it('tags pages with the requested resolution', () => {
    const page = readPbm(enc('P1 1 1 1'), { resolution: 'standard' }).pages[0];
    expect(page.resolution).toBe('standard');
  });

  it('rejects truncated, garbage and oversized files with typed errors', () => {
    expectContainerError(() => readPbm(enc('')), 'truncated');
    expectContainerError(() => readPbm(enc('GIF89a')), 'garbage');
    expectContainerError(() => readPbm(enc('P5\n1 1\n255\n\0')), 'unsupported');
    expectContainerError(() => readPbm(enc('P4\n1728 2376\n')), 'truncated');
    expectContainerError(() => readPbm(enc('P4\n1728')), 'truncated');
    expectContainerError(() => readPbm(enc('P4\nabc 10\n')), 'garbage');
    expectContainerError(() => readPbm(enc('P4\n99999 10\n')), 'limit');
    expectContainerError(() => readPbm(enc('P4\n100 99999999\n')), 'limit');
    expectContainerError(() => readPbm(enc('P4\n12345678901 1\n')), 'limit');
    expectContainerError(() => readPbm(enc('P1\n2 2\n1 0 1')), 'truncated');
    expectContainerError(() => readPbm(enc('P1\n2 2\n1 0 x 1')), 'garbage');
    expectContainerError(() => readPbm(enc('P4\n0 10\n')), 'invalid');
    // pages and total-size caps
    const two = writePbm([createPage(8, 8), createPage(8, 8)]);
    expectContainerError(() => readPbm(two, { limits: { maxPages: 1 } }), 'limit');
    expectContainerError(() => readPbm(two, { limits: { maxTotalBytes: 10 } }), 'limit');
  });

  it('refuses to write nothing or an empty page', () => {
    expectContainerError(() => writePbm([]), 'invalid');
    expectContainerError(() => writePbm([createPage(8, 0)]), 'invalid');
  });
});
