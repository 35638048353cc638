// Stored pages from a submitted TIFF (pagesFromTiff → encodePages): a clean MMR strip is stored
// as it came, anything else is coded again from the pixels. No database needed.
import {
  type BilevelPage,
  buildIfd,
  convertResolution,
  createPage,
  encodePage,
  inspectTiff,
  pagesEqual,
  readTiff,
  setPixel,
  TiffTag,
  TiffType,
  writeFaxDocument,
  writeTiff,
  writeTiffStrips,
} from '@faxgate/fax-core';
import { InvalidInputError } from '@faxgate/store';
import { describe, expect, it } from 'vitest';
import { encodePages, pagesFromTiff } from './pages.js';

/** Strokes and blocks, some rows white, one full black row; deterministic. */
function page(seed: number, height = 300, resolution: BilevelPage['resolution'] = 'fine', width = 1728) {
  const p = createPage(width, height, resolution);
  for (let y = 5; y < height - 5; y += 9 + (seed % 4)) {
    for (let x = 40 + seed * 7; x < width - 40; x += 3 + ((x * seed) % 5)) setPixel(p, x, y, true);
  }
  for (let x = 0; x < width; x++) setPixel(p, x, height >>> 1, true);
  return p;
}

const bytes = (b: Uint8Array) => Buffer.from(b);
const concatBytes = (parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));
const storedStrip = (tiff: Uint8Array) => readTiff(tiff).pages[0].strip as Uint8Array;
/** What encodePages stored before strips were kept: the pixels coded again. */
const reencoded = (p: BilevelPage) => writeFaxDocument('tiff', [p], { coding: 'mmr' });

describe('pagesFromTiff + encodePages', () => {
  it('stores a clean MMR strip byte for byte, with the tags writeFaxDocument writes', () => {
    const pages = [page(1), page(2, 200, 'standard'), page(3, 120, 'fine', 1001)];
    // our own TIFF: the kept strip is what coding the pixels gives, so the files are the same
    const own = writeTiff(pages, { coding: 'mmr' });
    const rows = encodePages(pagesFromTiff(own));
    expect(rows).toHaveLength(3);
    rows.forEach((r, i) => {
      expect(bytes(r.tiff).equals(bytes(reencoded(pages[i]))), `page ${i + 1}`).toBe(true);
      expect(r).toMatchObject({
        pageNo: i + 1,
        width: pages[i].width,
        height: pages[i].height,
        encoding: 'mmr',
      });
    });
    // a strip coded otherwise — no EOFB, then zero bytes — is kept as it is, not coded again
    const strip = concatBytes([encodePage(pages[0], { coding: 'mmr', eofb: false }), new Uint8Array(5)]);
    const input = writeTiffStrips([{ page: pages[0], strip }], { coding: 'mmr', software: 'scanner' });
    const [row] = encodePages(pagesFromTiff(input));
    expect(bytes(storedStrip(row.tiff)).equals(bytes(strip))).toBe(true);
    expect(bytes(storedStrip(row.tiff)).equals(bytes(storedStrip(reencoded(pages[0]))))).toBe(false);
    expect(
      bytes(row.tiff).equals(bytes(writeTiffStrips([{ page: pages[0], strip }], { coding: 'mmr' }))),
    ).toBe(true);
    // the same tags as the re-encoded file (only the strip, and so the IFD offset, differ)
    const { ifdOffset: _a, ...info } = inspectTiff(row.tiff).pages[0];
    const { ifdOffset: _b, ...expected } = inspectTiff(reencoded(pages[0])).pages[0];
    expect(info).toEqual(expected);
    expect(pagesEqual(readTiff(row.tiff).pages[0].page, pages[0])).toBe(true);
  });

  it('codes damaged and unusual pages again from the pixels', () => {
    const p = page(4);
    const cases: [string, Uint8Array, BilevelPage][] = [];
    // a damaged strip: the decoder repairs rows; the repaired page is stored
    const damaged = encodePage(p, { coding: 'mmr' }).slice();
    damaged.fill(0x01, damaged.length >>> 1, (damaged.length >>> 1) + 6); // 0000001: no T.6 code
    const damagedTiff = writeTiffStrips([{ page: p, strip: damaged }], { coding: 'mmr' });
    const repaired = readTiff(damagedTiff).pages[0];
    expect(repaired.quality.badLines).toBeGreaterThan(0);
    cases.push(['damaged MMR', damagedTiff, repaired.page]);
    // a strip that ends early: the missing rows are white
    const short = encodePage(p, { coding: 'mmr' }).subarray(0, 400);
    const shortTiff = writeTiffStrips([{ page: p, strip: short }], { coding: 'mmr' });
    cases.push(['MMR cut short', shortTiff, readTiff(shortTiff).pages[0].page]);
    cases.push(['MMR, FillOrder 2', writeTiff([p], { coding: 'mmr', fillOrder: 2 }), p]);
    cases.push(['MH', writeTiff([p], { coding: 'mh' }), p]);
    cases.push(['MR', writeTiff([p], { coding: 'mr' }), p]);
    const superfine = page(5, 300, 'superfine');
    cases.push(['superfine MMR', writeTiff([superfine], { coding: 'mmr' }), superfine]);
    cases.push(['MMR in two strips', twoStrips(p), p]);
    for (const [name, tiff, expected] of cases) {
      const [row] = encodePages(pagesFromTiff(tiff));
      expect(bytes(row.tiff).equals(bytes(reencoded(expected))), name).toBe(true);
    }
    // a clean MMR page converted before it is stored: the new pixels are coded
    const [fine] = pagesFromTiff(writeTiff([p], { coding: 'mmr' }));
    const standard = convertResolution(fine, 'standard');
    const [row] = encodePages([standard]);
    expect(bytes(row.tiff).equals(bytes(reencoded(standard)))).toBe(true);
  });

  it('refuses what is not a readable TIFF', () => {
    const pbm = writeFaxDocument('pbm', [page(6, 20)]);
    expect(() => pagesFromTiff(pbm)).toThrow(new InvalidInputError('expected a TIFF document, got pbm'));
    expect(() => pagesFromTiff(new Uint8Array([1, 2, 3]))).toThrow(/unreadable fax document/);
    const cut = writeTiff([page(7)], { coding: 'mmr' }).subarray(0, 100);
    expect(() => pagesFromTiff(cut)).toThrow(InvalidInputError);
  });
});

/** A one-page MMR TIFF in two strips (each coded on its own, as T.6 strips are). */
function twoStrips(p: BilevelPage): Uint8Array {
  const half = p.height >>> 1;
  const part = (y0: number, y1: number) =>
    encodePage(
      { ...p, height: y1 - y0, data: p.data.subarray(y0 * p.stride, y1 * p.stride) },
      { coding: 'mmr' },
    );
  const s1 = part(0, half);
  const s2 = part(half, p.height);
  const at = 8 + s1.length + s2.length;
  const { bytes: ifd } = buildIfd(
    [
      { tag: TiffTag.ImageWidth, type: TiffType.LONG, values: [p.width] },
      { tag: TiffTag.ImageLength, type: TiffType.LONG, values: [p.height] },
      { tag: TiffTag.BitsPerSample, type: TiffType.SHORT, values: [1] },
      { tag: TiffTag.Compression, type: TiffType.SHORT, values: [4] },
      { tag: TiffTag.Photometric, type: TiffType.SHORT, values: [0] },
      { tag: TiffTag.StripOffsets, type: TiffType.LONG, values: [8, 8 + s1.length] },
      { tag: TiffTag.RowsPerStrip, type: TiffType.LONG, values: [half] },
      { tag: TiffTag.StripByteCounts, type: TiffType.LONG, values: [s1.length, s2.length] },
      { tag: TiffTag.XResolution, type: TiffType.RATIONAL, values: [204, 1] },
      { tag: TiffTag.YResolution, type: TiffType.RATIONAL, values: [196, 1] },
    ],
    at,
  );
  const head = new Uint8Array(8);
  head.set([0x49, 0x49, 42, 0]);
  new DataView(head.buffer).setUint32(4, at, true);
  return concatBytes([head, s1, s2, ifd]);
}
