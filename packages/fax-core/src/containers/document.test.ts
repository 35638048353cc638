import { describe, expect, it } from 'vitest';
import { encodeMhRow } from '../codec/index.js';
import { pagesEqual } from '../page.js';
import { samplePages } from '../test-support/container-pages.js';
import { expectContainerError } from '../test-support/tools.js';
import { concatBytes } from './common.js';
import { detectFormat, formatFromFileName, readFaxDocument, writeFaxDocument } from './document.js';
import { SFF_END } from './sff.js';
import { readTiff } from './tiff.js';

describe('fax documents across containers', () => {
  it('detects the format from the content and from file names', () => {
    const pages = samplePages(1728).map((s) => s.page);
    expect(detectFormat(writeFaxDocument('pbm', pages))).toBe('pbm');
    expect(detectFormat(writeFaxDocument('tiff', pages))).toBe('tiff');
    expect(detectFormat(writeFaxDocument('sff', pages))).toBe('sff');
    expect(detectFormat(new TextEncoder().encode('%PDF-1.4'))).toBeUndefined();
    expect(['a.pbm', 'b.TIF', 'c.tiff', 'd.sff', 'e.png', 'tif'].map(formatFromFileName)).toEqual([
      'pbm',
      'tiff',
      'tiff',
      'sff',
      undefined,
      undefined,
    ]);
  });

  it('moves pages between all three containers without changing a pixel', () => {
    const pages = samplePages(2048).map((s) => s.page);
    for (const from of ['pbm', 'tiff', 'sff'] as const) {
      for (const to of ['pbm', 'tiff', 'sff'] as const) {
        const first = readFaxDocument(writeFaxDocument(from, pages, { coding: 'mr', fillOrder: 2 }));
        expect(first.format).toBe(from);
        const second = readFaxDocument(writeFaxDocument(to, first.pages, { coding: 'mmr' }));
        expect(second.pages).toHaveLength(pages.length);
        second.pages.forEach((p, i) => {
          expect(pagesEqual(p.page, pages[i]), `${from} -> ${to} page ${i}`).toBe(true);
        });
      }
    }
  });

  it('carries the bad lines of a received SFF into the TIFF quality tags', () => {
    const width = 1728;
    const row = new Uint8Array(216).fill(0x0f);
    const code = encodeMhRow(row, width, 'lsb');
    const head = Uint8Array.from([0x53, 0x66, 0x66, 0x66, 1, 0, 0, 0, 0, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const ph = Uint8Array.from([
      0xfe,
      16,
      0,
      0,
      0,
      0,
      width & 0xff,
      width >> 8,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
    ]);
    const recs = Uint8Array.from([code.length, ...code, 0xff, 0, 0xff, 0, 217, 0xff, 0]);
    const sff = readFaxDocument(concatBytes([head, ph, recs, SFF_END]));
    expect(sff.pages[0].info).toMatchObject({
      height: 5,
      badLines: 3,
      consecutiveBadLines: 2,
      resolution: 'standard',
    });
    const tif = readTiff(writeFaxDocument('tiff', sff.pages, { coding: 'mmr' }));
    expect(tif.pages[0].info).toMatchObject({
      badFaxLines: 3,
      cleanFaxData: 1,
      consecutiveBadFaxLines: 2,
      yLpi: 98,
    });
  });

  it('names unknown and empty input', () => {
    expect(expectContainerError(() => readFaxDocument(new Uint8Array(0)), 'truncated').message).toMatch(
      /empty/,
    );
    expect(
      expectContainerError(() => readFaxDocument(new TextEncoder().encode('%PDF-1.4')), 'garbage').message,
    ).toMatch(/unknown file format/);
  });
});
