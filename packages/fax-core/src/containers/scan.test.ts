// scanFaxFile against the decoders on generated files (the scan must agree with what decoding
// would produce), and against hostile files: IFD loops, absurd counts, truncation, BigTIFF.
import { describe, expect, it } from 'vitest';
import { samplePages, whitePage } from '../test-support/container-pages.js';
import { expectContainerError } from '../test-support/tools.js';
import { ContainerError, concatBytes } from './common.js';
import { readFaxDocument, writeFaxDocument } from './document.js';
import { scanFaxFile } from './scan.js';
import { writeTiff } from './tiff.js';
import { buildIfd, type IfdField, Tag, TiffType } from './tiff-structure.js';

/** What decoding produces: pages and pixels, the figures the scan must predict. */
function decoded(data: Uint8Array) {
  const pages = readFaxDocument(data).pages.map((p) => p.page);
  return { pages: pages.length, pixels: pages.reduce((s, p) => s + p.width * p.height, 0) };
}

/** A big-endian TIFF of uncompressed all-white pages, built by hand (the writer is II only). */
function bigEndianTiff(sizes: { width: number; height: number }[]): Uint8Array {
  const parts: Uint8Array[] = [];
  let at = 8;
  const head = new Uint8Array(8);
  const hv = new DataView(head.buffer);
  head.set([0x4d, 0x4d]);
  hv.setUint16(2, 42);
  parts.push(head);
  const nextPointers: { view: DataView; pos: number }[] = [];
  const ifdOffsets: number[] = [];
  for (const { width, height } of sizes) {
    const strip = new Uint8Array(Math.ceil(width / 8) * height);
    const stripAt = at;
    parts.push(strip);
    at += strip.length + (strip.length & 1);
    if (strip.length & 1) parts.push(new Uint8Array(1));
    const entries: [number, number, number][] = [
      [Tag.ImageWidth, TiffType.LONG, width],
      [Tag.ImageLength, TiffType.LONG, height],
      [Tag.BitsPerSample, TiffType.SHORT, 1],
      [Tag.Compression, TiffType.SHORT, 1],
      [Tag.Photometric, TiffType.SHORT, 0],
      [Tag.StripOffsets, TiffType.LONG, stripAt],
      [Tag.StripByteCounts, TiffType.LONG, strip.length],
    ];
    const ifd = new Uint8Array(2 + entries.length * 12 + 4);
    const v = new DataView(ifd.buffer);
    v.setUint16(0, entries.length);
    entries.forEach(([tag, type, value], i) => {
      const e = 2 + i * 12;
      v.setUint16(e, tag);
      v.setUint16(e + 2, type);
      v.setUint32(e + 4, 1);
      if (type === TiffType.SHORT) v.setUint16(e + 8, value);
      else v.setUint32(e + 8, value);
    });
    ifdOffsets.push(at);
    nextPointers.push({ view: v, pos: 2 + entries.length * 12 });
    parts.push(ifd);
    at += ifd.length;
  }
  hv.setUint32(4, ifdOffsets[0]);
  for (let i = 0; i + 1 < ifdOffsets.length; i++)
    nextPointers[i].view.setUint32(nextPointers[i].pos, ifdOffsets[i + 1]);
  return concatBytes(parts);
}

/** A little-endian TIFF of bare IFDs (fields given), each pointing to the next; no strips. */
function ifdChainTiff(ifds: IfdField[][], loopTo?: number): Uint8Array {
  const parts: Uint8Array[] = [Uint8Array.of(0x49, 0x49, 42, 0, 8, 0, 0, 0)];
  let at = 8;
  const built: { bytes: Uint8Array; nextPointer: number; at: number }[] = [];
  for (const fields of ifds) {
    const b = buildIfd(fields, at);
    built.push({ ...b, at });
    at += b.bytes.length + (b.bytes.length & 1);
  }
  built.forEach((b, i) => {
    const next = i + 1 < built.length ? built[i + 1].at : loopTo !== undefined ? built[loopTo].at : 0;
    new DataView(b.bytes.buffer).setUint32(b.nextPointer, next, true);
    parts.push(b.bytes, new Uint8Array(b.bytes.length & 1));
  });
  return concatBytes(parts);
}

const page = (width: number, height: number, extra: IfdField[] = []): IfdField[] => [
  ...[
    { tag: Tag.ImageWidth, type: TiffType.LONG, values: [width] },
    { tag: Tag.ImageLength, type: TiffType.LONG, values: [height] },
    { tag: Tag.Compression, type: TiffType.SHORT, values: [4] },
    { tag: Tag.StripOffsets, type: TiffType.LONG, values: [0] },
  ].filter((f) => !extra.some((x) => x.tag === f.tag)),
  ...extra,
];

describe('scanFaxFile agrees with the decoders', () => {
  const pages = samplePages().map((s) => s.page);
  for (const format of ['tiff', 'sff', 'pbm'] as const) {
    it(`${format}: the same pages and pixels as decoding, without decoding`, () => {
      const data = writeFaxDocument(format, pages, { coding: 'mmr' });
      const scan = scanFaxFile(data);
      expect(scan.format).toBe(format);
      expect(scan.bilevel).toBe(true);
      expect({ pages: scan.pages, pixels: scan.pixels }).toEqual(decoded(data));
      expect(scan.pageInfo.map((p) => [p.width, p.height])).toEqual(pages.map((p) => [p.width, p.height]));
    });
  }

  it('tiff: MH, MR and MMR report their compression (3, 3, 4)', () => {
    for (const [coding, compression] of [
      ['mh', 3],
      ['mr', 3],
      ['mmr', 4],
    ] as const) {
      const scan = scanFaxFile(writeTiff([whitePage(1728, 40)], { coding }));
      expect(scan.pageInfo).toEqual([{ width: 1728, height: 40, compression }]);
    }
  });

  it('tiff: a big-endian (MM) file is walked the same way', () => {
    const data = bigEndianTiff([
      { width: 1728, height: 30 },
      { width: 2048, height: 7 },
    ]);
    const scan = scanFaxFile(data);
    expect(scan.pages).toBe(2);
    expect(scan.pixels).toBe(1728 * 30 + 2048 * 7);
    expect({ pages: scan.pages, pixels: scan.pixels }).toEqual(decoded(data));
  });

  it('tiff: thumbnails (NewSubfileType 1) are not pages', () => {
    const data = ifdChainTiff([
      page(1728, 100),
      page(64, 64, [{ tag: Tag.NewSubfileType, type: TiffType.LONG, values: [1] }]),
      page(1728, 50),
    ]);
    expect(scanFaxFile(data)).toMatchObject({ pages: 2, pixels: 1728 * 150 });
  });

  it('tiff: a greyscale or LZW page makes the file an image for the renderer, still counted', () => {
    const grey = ifdChainTiff([
      page(800, 600, [{ tag: Tag.BitsPerSample, type: TiffType.SHORT, values: [8] }]),
    ]);
    expect(scanFaxFile(grey)).toMatchObject({ bilevel: false, pages: 1, pixels: 480_000 });
    const lzw = ifdChainTiff([
      page(1728, 10),
      page(1728, 10, [{ tag: Tag.Compression, type: TiffType.SHORT, values: [5] }]),
    ]);
    expect(scanFaxFile(lzw)).toMatchObject({ bilevel: false, pages: 2 });
  });

  it('a 500-page MMR TIFF is counted in milliseconds, without decoding', () => {
    const data = ifdChainTiff(Array.from({ length: 500 }, () => page(1728, 2200)));
    const t = performance.now();
    const scan = scanFaxFile(data, { maxPages: 500 });
    const ms = performance.now() - t;
    expect(scan.pages).toBe(500);
    expect(scan.pixels).toBe(500 * 1728 * 2200);
    expect(ms).toBeLessThan(200);
  });
});

describe('scanFaxFile refuses hostile files with a ContainerError', () => {
  it('tiff: an IFD chain that loops back', () => {
    const data = ifdChainTiff([page(1728, 10), page(1728, 10), page(1728, 10)], 1);
    expect(expectContainerError(() => scanFaxFile(data), 'invalid').message).toMatch(/loops back/);
  });

  it('tiff: an IFD that points to itself', () => {
    const data = ifdChainTiff([page(1728, 10)], 0);
    expect(expectContainerError(() => scanFaxFile(data), 'invalid').message).toMatch(/loops back/);
  });

  it('tiff: more pages than maxPages stops the walk (limit), also a chain of thousands', () => {
    const data = ifdChainTiff(Array.from({ length: 11 }, () => page(1728, 10)));
    expect(scanFaxFile(data, { maxPages: 11 }).pages).toBe(11);
    expect(expectContainerError(() => scanFaxFile(data, { maxPages: 10 }), 'limit').message).toMatch(
      /more than 10 pages/,
    );
    const thumbs = ifdChainTiff(
      Array.from({ length: 5000 }, () =>
        page(8, 8, [{ tag: Tag.NewSubfileType, type: TiffType.LONG, values: [1] }]),
      ),
    );
    expect(expectContainerError(() => scanFaxFile(thumbs, { maxPages: 10 }), 'limit').message).toMatch(
      /more than 28 image directories/,
    );
  });

  it('tiff: absurd counts — 65535 entries in a small file, a BitsPerSample of a billion values', () => {
    const data = ifdChainTiff([page(1728, 10)]);
    new DataView(data.buffer).setUint16(8, 0xffff, true);
    expectContainerError(() => scanFaxFile(data), 'truncated');
    const bps = ifdChainTiff([page(1728, 10)]);
    // BitsPerSample entry with count 1e9, values "somewhere"
    const withBps = ifdChainTiff([
      page(1728, 10, [{ tag: Tag.BitsPerSample, type: TiffType.SHORT, values: [1, 1, 1] }]),
    ]);
    const v = new DataView(withBps.buffer);
    const n = v.getUint16(8, true);
    for (let i = 0; i < n; i++) {
      const e = 10 + i * 12;
      if (v.getUint16(e, true) === Tag.BitsPerSample) v.setUint32(e + 4, 1_000_000_000, true);
    }
    expectContainerError(() => scanFaxFile(withBps), 'limit');
    expect(scanFaxFile(bps).pages).toBe(1);
  });

  it('tiff: width or height absent, zero or beyond the page model', () => {
    const noWidth = ifdChainTiff([page(1728, 10).filter((f) => f.tag !== Tag.ImageWidth)]);
    expect(expectContainerError(() => scanFaxFile(noWidth), 'invalid').message).toMatch(/ImageWidth/);
    expectContainerError(() => scanFaxFile(ifdChainTiff([page(1728, 0)])), 'invalid');
    expectContainerError(() => scanFaxFile(ifdChainTiff([page(100_000, 10)])), 'limit');
    expectContainerError(() => scanFaxFile(ifdChainTiff([page(1728, 1_000_000)])), 'limit');
  });

  it('tiff: BigTIFF (either byte order) is refused clearly', () => {
    const ii = Uint8Array.of(0x49, 0x49, 43, 0, 8, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0);
    const mm = Uint8Array.of(0x4d, 0x4d, 0, 43, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 16);
    for (const big of [ii, mm])
      expect(expectContainerError(() => scanFaxFile(big), 'unsupported').message).toMatch(
        /BigTIFF is not supported/,
      );
  });

  for (const format of ['tiff', 'sff', 'pbm'] as const) {
    it(`${format}: every cut of a two-page file is a ContainerError or a smaller scan, never another error`, () => {
      const data = writeFaxDocument(format, [whitePage(1728, 20), whitePage(1728, 30)], { coding: 'mmr' });
      const full = scanFaxFile(data);
      let errors = 0;
      for (let cut = 0; cut < data.length; cut++) {
        try {
          const s = scanFaxFile(data.subarray(0, cut));
          expect(s.pixels).toBeLessThanOrEqual(full.pixels);
        } catch (e) {
          expect(e).toBeInstanceOf(ContainerError);
          errors++;
        }
      }
      expect(errors).toBeGreaterThan(0);
    });
  }

  it('sff: more pages than maxPages (limit)', () => {
    const data = writeFaxDocument(
      'sff',
      Array.from({ length: 6 }, () => whitePage(1728, 5)),
    );
    expect(scanFaxFile(data, { maxPages: 6 }).pages).toBe(6);
    expectContainerError(() => scanFaxFile(data, { maxPages: 5 }), 'limit');
  });

  it('pbm: a header announcing a huge raster it does not have; a grey PGM; too many images', () => {
    const enc = new TextEncoder();
    expectContainerError(() => scanFaxFile(enc.encode('P4\n4000 30000\n\0\0\0')), 'truncated');
    expectContainerError(() => scanFaxFile(enc.encode('P4\n99999999999 1\n')), 'limit');
    expectContainerError(() => scanFaxFile(enc.encode('P1\n8 8\n0 1 0')), 'truncated');
    const three = writeFaxDocument('pbm', [whitePage(16, 2), whitePage(16, 2), whitePage(16, 2)]);
    expect(scanFaxFile(three)).toMatchObject({ pages: 3, pixels: 96 });
    expectContainerError(() => scanFaxFile(three, { maxPages: 2 }), 'limit');
    expect(
      expectContainerError(() => scanFaxFile(enc.encode('P1\n2 1\n0 1\nP5\n')), 'unsupported').message,
    ).toMatch(/P5/);
  });

  it('maxPixels stops the walk: TIFF and PBM per page, SFF as the rows go by', () => {
    for (const format of ['tiff', 'sff', 'pbm'] as const) {
      const data = writeFaxDocument(format, [whitePage(1728, 100), whitePage(1728, 100)], { coding: 'mmr' });
      expect(scanFaxFile(data, { maxPixels: 1728 * 200 }).pixels).toBe(1728 * 200);
      expect(
        expectContainerError(() => scanFaxFile(data, { maxPixels: 1728 * 150 }), 'limit').message,
      ).toMatch(/more than 259200 pixels/);
    }
  });

  it('sff: a hostile file of endless white-skip rows over many pages stops at the pixel budget, quickly', () => {
    // 2000 pages of 30 000 rows each in 1-row skip records (60 MB of records, 100 Gpx announced)
    const one = writeFaxDocument('sff', [whitePage(1728, 1)], { whiteSkip: true });
    const header = one.subarray(0, 20);
    const pageHeader = one.subarray(20, 20 + 2 + one[21]);
    const page = concatBytes([pageHeader, new Uint8Array(30_000).fill(217)]);
    const data = concatBytes([header, ...Array.from({ length: 2000 }, () => page), Uint8Array.of(0xfe, 0)]);
    const t = performance.now();
    expectContainerError(() => scanFaxFile(data, { maxPages: 5000, maxPixels: 500_000_000 }), 'limit');
    expect(performance.now() - t).toBeLessThan(1000);
  });

  it('unknown or empty data', () => {
    expectContainerError(() => scanFaxFile(new Uint8Array(0)), 'truncated');
    expectContainerError(() => scanFaxFile(new TextEncoder().encode('%PDF-1.7')), 'garbage');
  });
});
