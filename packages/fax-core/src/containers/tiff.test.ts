import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type BilevelPage, createPage, pagesEqual } from '../page.js';
import { samplePages, textPage } from '../test-support/container-pages.js';
import { expectLibtiffStrips } from '../test-support/libtiff-strips.js';
import { MADE_MODES, madePage, madePages, madeTiff } from '../test-support/made-corpus.js';
import { expectContainerError, requireTool, run, runOk, withTempDir } from '../test-support/tools.js';
import { concatBytes } from './common.js';
import { writeSff } from './sff.js';
import {
  inspectTiff,
  readTiff,
  readTiffPage,
  type TiffWriteOptions,
  validateTiffF,
  writeTiff,
  writeTiffStrips,
} from './tiff.js';
import { buildIfd, type IfdField, Tag, TiffFile, TiffType } from './tiff-structure.js';

function invert(p: BilevelPage): BilevelPage {
  const out = createPage(p.width, p.height, p.resolution);
  for (let i = 0; i < out.data.length; i++) out.data[i] = ~p.data[i] & 0xff;
  return out;
}

/** A one-page little-endian TIFF from raw fields (the strip follows the header). */
function craft(fields: IfdField[], strip: Uint8Array = new Uint8Array(0)): Uint8Array {
  const at = 8 + strip.length + (strip.length & 1);
  const withStrip = fields.map((f) =>
    f.tag === Tag.StripOffsets && f.values.length === 1 && f.values[0] === -1 ? { ...f, values: [8] } : f,
  );
  const { bytes } = buildIfd(withStrip, at);
  const head = Uint8Array.of(0x49, 0x49, 42, 0, at & 0xff, (at >> 8) & 0xff, at >> 16, 0);
  return concatBytes([head, strip, new Uint8Array(strip.length & 1), bytes]);
}

function bilevelFields(width: number, height: number, extra: IfdField[] = [], strip = 0): IfdField[] {
  const base: IfdField[] = [
    { tag: Tag.ImageWidth, type: TiffType.SHORT, values: [width] },
    { tag: Tag.ImageLength, type: TiffType.SHORT, values: [height] },
    { tag: Tag.BitsPerSample, type: TiffType.SHORT, values: [1] },
    { tag: Tag.Compression, type: TiffType.SHORT, values: [1] },
    { tag: Tag.Photometric, type: TiffType.SHORT, values: [0] },
    { tag: Tag.StripOffsets, type: TiffType.LONG, values: [-1] },
    { tag: Tag.StripByteCounts, type: TiffType.LONG, values: [strip] },
  ];
  const tags = new Set(extra.map((f) => f.tag));
  return [...base.filter((f) => !tags.has(f.tag)), ...extra];
}

/** The single strip of page i (StripOffsets / StripByteCounts through the reader's IFD view). */
function stripOf(d: Uint8Array, i: number): Uint8Array {
  const file = new TiffFile(d);
  const ifd = file.readIfd(inspectTiff(d).pages[i].ifdOffset);
  const off = file.values(ifd.entries.get(Tag.StripOffsets)!);
  const len = file.values(ifd.entries.get(Tag.StripByteCounts)!);
  expect(off).toHaveLength(1);
  return d.subarray(off[0], off[0] + len[0]);
}

describe('TIFF reader: files libtiff (tiffcp) wrote of generated pages', () => {
  it('decodes every page in MH, MR K=2/K=4 and MMR to the source pixels', () => {
    for (let n = 0; n < madePages().length; n++) {
      for (const v of MADE_MODES) {
        const src = madePage(n, v);
        const doc = readTiff(madeTiff(n, v));
        expect(doc.pages).toHaveLength(1);
        const p = doc.pages[0];
        expect(p.info.coding).toBe(v.replace(/_.*/, ''));
        expect(p.info.resolution).toBe(v === 'mr_k2' ? 'standard' : 'fine');
        expect(p.quality).toEqual({ badLines: 0, consecutiveBadLines: 0 });
        expect(pagesEqual(p.page, src)).toBe(true);
      }
    }
  });

  it('describes the pages without decoding them', () => {
    const { byteOrder, pages } = inspectTiff(madeTiff(0, 'mr_k4'));
    expect(byteOrder).toBe('II');
    expect(pages[0]).toMatchObject({
      width: 1728,
      height: 1200,
      compression: 3,
      t4Options: 1,
      fillOrder: 1,
      photometric: 0,
      yLpi: 196,
      xDpi: 204,
      strips: 1,
    });
  });
});

describe('TIFF writer', () => {
  const variants: { name: string; opts: TiffWriteOptions }[] = [];
  for (const coding of ['mh', 'mr', 'mmr', 'none'] as const) {
    for (const fillOrder of [1, 2] as const) {
      variants.push({ name: `${coding} fill order ${fillOrder}`, opts: { coding, fillOrder } });
      if (coding === 'mh' || coding === 'mr') {
        variants.push({
          name: `${coding} fill order ${fillOrder} fill bits`,
          opts: { coding, fillOrder, fillBits: true },
        });
      }
    }
  }

  it('round-trips generated pages through every coding x fill order (multi-page, odd widths)', () => {
    for (const width of [1728, 2048, 2432, 1001]) {
      const pages = samplePages(width).map((s) => s.page);
      for (const v of variants) {
        const doc = readTiff(writeTiff(pages, v.opts));
        expect(doc.pages.length, v.name).toBe(pages.length);
        doc.pages.forEach((p, i) => {
          expect(pagesEqual(p.page, pages[i]), `${v.name} width ${width} page ${i}`).toBe(true);
          expect(p.page.resolution).toBe(pages[i].resolution);
          expect(p.info.pageNumber).toEqual([i, pages.length]);
          expect(p.info.newSubfileType).toBe(2);
          expect(p.info.fillOrder).toBe(v.opts.fillOrder);
          expect(p.info.strips).toBe(1);
          if (v.opts.coding !== 'none') {
            expect(p.info.coding).toBe(v.opts.coding);
            expect(p.info.t4Options).toBe(
              v.opts.coding === 'mmr' ? 0 : (v.opts.coding === 'mr' ? 1 : 0) | (v.opts.fillBits ? 4 : 0),
            );
            const issues = validateTiffF(p.info, pages.length);
            expect(issues).toEqual(width === 1001 ? ['ImageWidth 1001 (1728/2048/2432 expected)'] : []);
          }
        });
      }
    }
  });

  it('writes generated pages byte for byte as libtiff does (the strip tiffcp wrote)', () => {
    for (let n = 0; n < madePages().length; n++) {
      expectLibtiffStrips(
        `made page ${n}`,
        (v) => (v === 'mr_k2' ? madePage(n, 'mr_k2') : madePage(n)),
        (v) => madeTiff(n, v),
      );
    }
  });

  it('writes the fax quality tags and reads them back; metric resolution units', () => {
    const page = textPage(1728, 100, 'standard');
    const d = writeTiff([{ page, quality: { badLines: 7, consecutiveBadLines: 3 } }, page], {
      coding: 'mmr',
      resolutionUnit: 'cm',
    });
    const doc = readTiff(d);
    expect(doc.pages[0].info).toMatchObject({
      badFaxLines: 7,
      cleanFaxData: 1,
      consecutiveBadFaxLines: 3,
      resolutionUnit: 3,
    });
    expect(doc.pages[1].info).toMatchObject({ badFaxLines: 0, cleanFaxData: 0, consecutiveBadFaxLines: 0 });
    expect(doc.pages[0].info.yLpi).toBeCloseTo(97.79, 1);
    expect(doc.pages[0].page.resolution).toBe('standard');
    expect(validateTiffF(doc.pages[0].info, 2)).toEqual([]);
    expect(pagesEqual(readTiffPage(d, 1).page, page)).toBe(true);
  });

  it('refuses to write nothing, an empty page or a bad K', () => {
    expectContainerError(() => writeTiff([]), 'invalid');
    expectContainerError(() => writeTiff([createPage(1728, 0)]), 'invalid');
    expectContainerError(() => writeTiff([createPage(1728, 1)], { coding: 'mr', k: 0 }), 'invalid');
  });

  describe('independent check: libtiff tools', () => {
    beforeAll(() => {
      requireTool('tiffinfo');
      requireTool('tiffcp');
    });
    it('tiffinfo reads every variant without a warning; tiffcp -c none decodes to the source pixels', () => {
      const pages = [...samplePages(1728), ...samplePages(2432).slice(0, 2)].map((s) => s.page);
      const checker = new Set(pages.filter((_, i) => samplePages(1728)[i]?.name === 'alternating'));
      withTempDir((dir) => {
        for (const v of variants) {
          const file = path.join(dir, 'x.tif');
          const raw = path.join(dir, 'raw.tif');
          // libtiff 4.5 cannot decode a 1-D row with a change at every pixel (Fax3Decode1D:
          // "Buffer overflow"), not even its own: the checkerboard page stays out of MH here
          // (the next test shows our MH strip of it is byte for byte libtiff's).
          const these = v.opts.coding === 'mh' ? pages.filter((p) => !checker.has(p)) : pages;
          writeFileSync(file, writeTiff(these, v.opts));
          const info = run('tiffinfo', [file]);
          expect(info.status, v.name).toBe(0);
          expect(info.stderr, v.name).toBe('');
          expect(info.stdout.match(/TIFF Directory/g)).toHaveLength(these.length);
          const cp = run('tiffcp', ['-c', 'none', file, raw]);
          expect(cp.stderr, v.name).toBe('');
          expect(cp.status).toBe(0);
          const back = readTiff(new Uint8Array(readFileSync(raw)));
          expect(back.pages).toHaveLength(these.length);
          back.pages.forEach((p, i) => {
            expect(p.info.compression).toBe(1);
            expect(pagesEqual(p.page, these[i]), `${v.name} page ${i}`).toBe(true);
          });
        }
      });
    });

    it('encodes like libtiff: tiffcp -c g3:1d / g3:2d / g4 of our pages give our strips', () => {
      const pages = samplePages(1728)
        .map((s) => s.page)
        .filter((p) => p.resolution === 'fine');
      withTempDir((dir) => {
        const raw = path.join(dir, 'raw.tif');
        writeFileSync(raw, writeTiff(pages, { coding: 'none' }));
        for (const [flag, coding] of [
          ['g3:1d', 'mh'],
          ['g3:2d', 'mr'],
          ['g4', 'mmr'],
        ] as const) {
          const out = path.join(dir, `${coding}.tif`);
          runOk('tiffcp', ['-c', flag, '-r', '100000', raw, out]);
          const theirs = new Uint8Array(readFileSync(out));
          const ours = writeTiff(pages, { coding });
          for (let i = 0; i < pages.length; i++) {
            const same = Buffer.from(stripOf(ours, i)).equals(Buffer.from(stripOf(theirs, i)));
            expect(same, `${coding} page ${i}`).toBe(true);
          }
        }
      });
    });

    it('reads what libtiff writes for user uploads: big-endian, strips, PackBits, G3 2-D fill, FillOrder 2, MinIsBlack', () => {
      const pages = [textPage(1728, 300), samplePages(1728)[1].page];
      withTempDir((dir) => {
        const src = path.join(dir, 'src.tif');
        writeFileSync(src, writeTiff(pages, { coding: 'mh' }));
        const cases: [string, string[]][] = [
          ['big-endian g4', ['-B', '-c', 'g4']],
          ['big-endian none, 7 rows per strip', ['-B', '-c', 'none', '-r', '7']],
          ['packbits, 16 rows per strip', ['-c', 'packbits', '-r', '16']],
          ['g3 2-D fill, 50 rows per strip', ['-c', 'g3:2d:fill', '-r', '50']],
          ['g3 1-D, fill order 2', ['-c', 'g3:1d', '-f', 'lsb2msb']],
          ['none, fill order 2, 33 rows per strip', ['-c', 'none', '-f', 'lsb2msb', '-r', '33']],
          ['g4 big-endian fill order 2, 64 rows per strip', ['-B', '-c', 'g4', '-f', 'lsb2msb', '-r', '64']],
        ];
        for (const [name, args] of cases) {
          const out = path.join(dir, 'out.tif');
          runOk('tiffcp', [...args, src, out]);
          const doc = readTiff(new Uint8Array(readFileSync(out)));
          expect(doc.pages, name).toHaveLength(2);
          doc.pages.forEach((p, i) => {
            expect(pagesEqual(p.page, pages[i]), `${name} page ${i}`).toBe(true);
          });
          if (args.includes('-B')) expect(doc.byteOrder).toBe('MM');
          if (args.includes('-r')) expect(doc.pages[0].info.strips).toBeGreaterThan(1);
        }
        // MinIsBlack: same bits, opposite meaning
        const mib = path.join(dir, 'mib.tif');
        runOk('tiffcp', ['-c', 'none', src, mib]);
        runOk('tiffset', ['-s', '262', '1', mib]);
        const doc = readTiff(new Uint8Array(readFileSync(mib)));
        expect(doc.pages[0].info.photometric).toBe(1);
        expect(pagesEqual(doc.pages[0].page, invert(pages[0]))).toBe(true);
      });
    });
  });

  describe('TIFFs written by sfftobmp', () => {
    beforeAll(() => requireTool('sfftobmp'));
    it('reads its G3 and G4 output', () => {
      const pages = [textPage(1728, 200), textPage(1728, 150, 'standard', 4)];
      withTempDir((dir) => {
        const sff = path.join(dir, 'x.sff');
        writeFileSync(sff, writeSff(pages));
        // (-tr, CCITT RLE, is left out: sfftobmp 3.1.3 writes RLE TIFFs libtiff cannot decode either)
        for (const flag of ['-t', '-t4']) {
          const out = path.join(dir, `x${flag}.tif`);
          runOk('sfftobmp', ['-q', '-r', flag, sff, '-o', out]);
          const doc = readTiff(new Uint8Array(readFileSync(out)));
          expect(doc.pages).toHaveLength(2);
          doc.pages.forEach((p, i) => {
            expect(pagesEqual(p.page, pages[i]), `${flag} page ${i}`).toBe(true);
          });
        }
      });
    });
  });
});

describe('TIFF reader: bad files', () => {
  it('rejects garbage, BigTIFF and truncation with typed errors', () => {
    expectContainerError(() => readTiff(new Uint8Array(0)), 'truncated');
    expectContainerError(() => readTiff(new TextEncoder().encode('GIF89a......')), 'garbage');
    expectContainerError(
      () => readTiff(Uint8Array.of(0x49, 0x49, 43, 0, 8, 0, 0, 0, 0, 0, 0, 0)),
      'unsupported',
    );
    expectContainerError(() => readTiff(Uint8Array.of(0x49, 0x49, 42, 0, 0, 0, 0, 0)), 'invalid');
    const good = writeTiff([textPage(1728, 100), textPage(1728, 100)], { coding: 'mmr' });
    for (let cut = 1; cut < good.length; cut += Math.max(1, Math.floor(good.length / 97))) {
      const e = expectContainerError(() => readTiff(good.subarray(0, cut)));
      expect(['truncated', 'invalid']).toContain(e.code);
    }
  });

  it('names missing and impossible fields', () => {
    const strip = new Uint8Array(8 * 4);
    expect(readTiff(craft(bilevelFields(64, 4, [], 32), strip)).pages[0].page.height).toBe(4);
    const noWidth = bilevelFields(64, 4, [], 32).filter((f) => f.tag !== Tag.ImageWidth);
    expect(expectContainerError(() => readTiff(craft(noWidth, strip)), 'invalid').message).toMatch(
      /ImageWidth/,
    );
    const grey = bilevelFields(64, 4, [{ tag: Tag.BitsPerSample, type: TiffType.SHORT, values: [8] }], 32);
    expect(expectContainerError(() => readTiff(craft(grey, strip)), 'unsupported').message).toMatch(
      /not bilevel/,
    );
    const lzw = bilevelFields(64, 4, [{ tag: Tag.Compression, type: TiffType.SHORT, values: [5] }], 32);
    expectContainerError(() => readTiff(craft(lzw, strip)), 'unsupported');
    const wide = bilevelFields(
      100_000,
      4,
      [{ tag: Tag.ImageWidth, type: TiffType.LONG, values: [100_000] }],
      32,
    );
    expectContainerError(() => readTiff(craft(wide, strip)), 'limit');
    const tall = bilevelFields(
      64,
      4,
      [{ tag: Tag.ImageLength, type: TiffType.LONG, values: [4_000_000] }],
      32,
    );
    expectContainerError(() => readTiff(craft(tall, strip)), 'limit');
    const beyond = bilevelFields(
      64,
      4,
      [{ tag: Tag.StripByteCounts, type: TiffType.LONG, values: [10_000] }],
      32,
    );
    expectContainerError(() => readTiff(craft(beyond, strip)), 'truncated');
    const short = bilevelFields(64, 4, [], 16);
    expectContainerError(() => readTiff(craft(short, strip.subarray(0, 16))), 'truncated');
    // an IFD chain that loops back to itself
    const loop = craft(bilevelFields(64, 4, [], 32), strip);
    const ifd = loop[4] | (loop[5] << 8);
    const n = loop[ifd] | (loop[ifd + 1] << 8);
    new DataView(loop.buffer).setUint32(ifd + 2 + n * 12, ifd, true);
    expectContainerError(() => readTiff(loop), 'invalid');
    // MinIsBlack and 2-colour palettes are read with the right polarity
    const mib = bilevelFields(64, 4, [{ tag: Tag.Photometric, type: TiffType.SHORT, values: [1] }], 32);
    expect(Array.from(readTiff(craft(mib, strip)).pages[0].page.data.subarray(0, 2))).toEqual([0xff, 0xff]);
    const pal = bilevelFields(
      64,
      4,
      [
        { tag: Tag.Photometric, type: TiffType.SHORT, values: [3] },
        { tag: 320, type: TiffType.SHORT, values: [0, 65535, 0, 65535, 0, 65535] },
      ],
      32,
    );
    expect(Array.from(readTiff(craft(pal, strip)).pages[0].page.data.subarray(0, 2))).toEqual([0xff, 0xff]);
  });

  it('caps pages and decoded bytes', () => {
    const d = writeTiff([textPage(1728, 100), textPage(1728, 100), textPage(1728, 100)], { coding: 'mmr' });
    expectContainerError(() => readTiff(d, { limits: { maxPages: 2 } }), 'limit');
    expectContainerError(() => readTiff(d, { limits: { maxTotalBytes: 216 * 250 } }), 'limit');
    expect(readTiff(d, { limits: { maxTotalBytes: 216 * 300 } }).pages).toHaveLength(3);
  });
});

describe('TIFF strips kept as coded', () => {
  it('readTiff hands out the strip of a one-strip CCITT page; writeTiffStrips writes it back as writeTiff would', () => {
    const pages = [textPage(1728, 200), samplePages(1001)[1].page, samplePages(1728)[3].page];
    const options: TiffWriteOptions[] = [
      { coding: 'mmr' },
      { coding: 'mh', fillOrder: 2 },
      { coding: 'mr', fillBits: true, resolutionUnit: 'cm' },
    ];
    for (const o of options) {
      const file = writeTiff(pages, o);
      const doc = readTiff(file);
      for (const [i, p] of doc.pages.entries()) expect(p.strip, JSON.stringify(o)).toEqual(stripOf(file, i));
      const again = writeTiffStrips(
        doc.pages.map((p) => ({ page: p.page, strip: p.strip as Uint8Array, quality: p.quality })),
        o,
      );
      expect(Buffer.from(again).equals(Buffer.from(file)), JSON.stringify(o)).toBe(true);
    }
    // no strip for uncompressed pages
    expect(readTiff(writeTiff(pages, { coding: 'none' })).pages[0].strip).toBeUndefined();
    expectContainerError(() => writeTiffStrips([]), 'invalid');
    expectContainerError(
      () =>
        writeTiffStrips([{ page: { width: 8, height: 0, resolution: 'fine' }, strip: new Uint8Array(1) }]),
      'invalid',
    );
  });
});
