// Transcoding coded pages to SFF without pixels (sffRecordsFromCoded, sffFromTiffs): byte for byte
// what the pixel path (decode, then encodeSffPageRecords / writeSff) gives, on generated pages,
// on damaged data (left to the pixel path) and on TIFFs libtiff wrote of generated pages (the
// CCITT corpus' TIFFs: tiff-to-sff.conformance.test.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodePage, type EncodeOptions, encodePage } from '../codec/index.js';
import { type BilevelPage, convertResolution, createPage, setPixel } from '../page.js';
import {
  blackPage,
  noisePage,
  prng,
  samplePages,
  textPage,
  whitePage,
} from '../test-support/container-pages.js';
import { MADE_MODES, madePage, madePages, madeTiff } from '../test-support/made-corpus.js';
import { expectContainerError, requireTool, runOk, withTempDir } from '../test-support/tools.js';
import { ContainerError } from './common.js';
import { encodeSffPageRecords, writeSff } from './sff.js';
import { sffRecordsFromCoded } from './sff-transcode.js';
import { readTiff, writeTiff, writeTiffStrips } from './tiff.js';
import { sffFromTiffs } from './tiff-to-sff.js';

const same = (a: Uint8Array | null, b: Uint8Array) => a !== null && Buffer.from(a).equals(Buffer.from(b));

/** White rows, full black rows, single pixels at the edges and text, in runs of each. */
function mixedPage(width: number, resolution: 'standard' | 'fine'): BilevelPage {
  const p = createPage(width, 120, resolution);
  const text = textPage(width, 40, resolution, width);
  p.data.set(text.data, 10 * p.stride);
  for (let y = 60; y < 70; y++) p.data.fill(0xff, y * p.stride, (y + 1) * p.stride);
  for (let y = 80; y < 90; y++) {
    setPixel(p, 0, y, true);
    setPixel(p, width - 1, y, true);
  }
  return p;
}

function pagesAt(width: number): [string, BilevelPage][] {
  return [
    ...samplePages(width).map((s): [string, BilevelPage] => [s.name, s.page]),
    ['mixed fine', mixedPage(width, 'fine')],
    ['mixed standard', mixedPage(width, 'standard')],
  ];
}

const framings: EncodeOptions[] = [
  { coding: 'mmr' },
  { coding: 'mmr', eofb: false },
  { coding: 'mmr', bitOrder: 'lsb' },
  { coding: 'mh' },
  { coding: 'mh', eol: false, fillBits: true },
  { coding: 'mh', fillBits: true, rtc: true, bitOrder: 'lsb' },
  { coding: 'mr', k: 4 },
  { coding: 'mr', k: 2, fillBits: true, rtc: true },
];

function decodeOpts(f: EncodeOptions, page: BilevelPage) {
  return {
    coding: f.coding,
    width: page.width,
    height: page.height,
    bitOrder: f.bitOrder,
    eol: f.coding === 'mh' ? f.eol !== false : undefined,
    fillBits: f.coding === 'mh' && f.eol === false ? f.fillBits : undefined,
  };
}

describe('sffRecordsFromCoded', () => {
  for (const width of [1728, 2432, 1001, 13, 1]) {
    it(`gives the pixel path's records byte for byte: width ${width}, every coding and framing`, () => {
      for (const [name, page] of pagesAt(width)) {
        for (const f of framings) {
          const code = encodePage(page, f);
          const opts = decodeOpts(f, page);
          for (const whiteSkip of [true, false]) {
            const ctx = `${name} ${JSON.stringify(f)} whiteSkip ${whiteSkip}`;
            const pixelPath = encodeSffPageRecords(decodePage(code, opts).page, whiteSkip);
            expect(same(pixelPath, encodeSffPageRecords(page, whiteSkip)), ctx).toBe(true);
            expect(same(sffRecordsFromCoded(code, opts, whiteSkip), pixelPath), ctx).toBe(true);
          }
        }
      }
    });
  }

  it('leaves damaged pages to the pixel path: null where it repairs rows or the data ends early', () => {
    const r = prng(7);
    let nulls = 0;
    let equal = 0;
    for (let i = 0; i < 400; i++) {
      const width = r() < 0.6 ? 1728 : 1 + Math.floor(r() * 2500);
      const page = r() < 0.5 ? textPage(width, 80, 'fine', i) : noisePage(width, 24, r(), i);
      const f = framings[Math.floor(r() * framings.length)];
      let code = encodePage(page, f).slice();
      const flips = Math.floor(r() * 4);
      for (let k = 0; k < flips && code.length > 0; k++)
        code[Math.floor(r() * code.length)] ^= 1 << Math.floor(r() * 8);
      if (r() < 0.25) code = code.subarray(0, Math.floor(r() * code.length));
      const opts = decodeOpts(f, page);
      const decoded = decodePage(code, opts);
      const got = sffRecordsFromCoded(code, opts);
      if (decoded.badLines > 0 || decoded.rows < page.height) {
        expect(got, `case ${i}`).toBeNull();
        nulls++;
      } else {
        expect(same(got, encodeSffPageRecords(decoded.page)), `case ${i}`).toBe(true);
        equal++;
      }
    }
    expect(nulls).toBeGreaterThan(50);
    expect(equal).toBeGreaterThan(50);
  });

  it('takes bounded time on hostile data (noise, zeros, ones) and still agrees with the pixel path', () => {
    const r = prng(11);
    const junk = Uint8Array.from({ length: 1 << 20 }, () => Math.floor(r() * 256));
    for (const coding of ['mh', 'mr', 'mmr'] as const) {
      for (const data of [junk, new Uint8Array(1 << 20), new Uint8Array(1 << 20).fill(0xff)]) {
        const opts = { coding, width: 1728, height: 2376 };
        const t0 = performance.now();
        const got = sffRecordsFromCoded(data, opts);
        expect(performance.now() - t0).toBeLessThan(2000);
        const decoded = decodePage(data, opts);
        if (decoded.badLines > 0 || decoded.rows < 2376) expect(got).toBeNull();
        else expect(same(got, encodeSffPageRecords(decoded.page))).toBe(true);
      }
    }
  });

  it('transcodes generated pages as libtiff wrote them (MH, MR K=2/K=4, MMR) to the pages’ records', () => {
    for (let n = 0; n < madePages().length; n++) {
      const expected = encodeSffPageRecords(madePage(n));
      for (const v of MADE_MODES) {
        const tiff = madeTiff(n, v);
        const p = readTiff(tiff).pages[0];
        expect(p.strip, `made page ${n} ${v}`).toBeDefined();
        const opts = {
          coding: p.info.coding as 'mh' | 'mr' | 'mmr',
          width: p.info.width,
          height: p.info.height,
        };
        expect(same(sffRecordsFromCoded(p.strip as Uint8Array, opts), expected), `made page ${n} ${v}`).toBe(
          true,
        );
        const doc = sffFromTiffs([tiff]);
        expect(doc.transcoded, `made page ${n} ${v}`).toBe(1);
        expect(same(doc.sff, writeSff([p.page])), `made page ${n} ${v}`).toBe(true);
      }
    }
  });
});

describe('sffFromTiffs', () => {
  /** What the gateway stores: one single-page MMR TIFF per page. */
  const stored = (pages: BilevelPage[]) => pages.map((p) => writeTiff([p], { coding: 'mmr' }));

  it('makes writeSff of the pages from single-page MMR TIFFs, every page transcoded', () => {
    const pages = [
      textPage(1728, 400, 'fine', 1),
      whitePage(1728, 300, 'standard'),
      blackPage(1728, 30, 'fine'),
      mixedPage(1001, 'standard'),
      textPage(2432, 200, 'fine', 2),
    ];
    const doc = sffFromTiffs(stored(pages));
    expect(doc.pages).toBe(5);
    expect(doc.transcoded).toBe(5);
    expect(same(doc.sff, writeSff(pages))).toBe(true);
    const noSkip = sffFromTiffs(stored(pages), { whiteSkip: false });
    expect(same(noSkip.sff, writeSff(pages, { whiteSkip: false }))).toBe(true);
    // several pages in one TIFF, MH and MR too
    for (const coding of ['mh', 'mr', 'mmr'] as const) {
      const multi = sffFromTiffs([writeTiff(pages, { coding, fillOrder: 2 })]);
      expect(multi.transcoded).toBe(5);
      expect(same(multi.sff, writeSff(pages)), coding).toBe(true);
    }
  });

  it('converts pages finer than maxResolution on the pixel path', () => {
    const pages = [textPage(1728, 200, 'superfine', 3), textPage(1728, 100, 'fine', 4)];
    const doc = sffFromTiffs(stored(pages), { maxResolution: 'fine' });
    expect(doc.transcoded).toBe(1);
    expect(same(doc.sff, writeSff([convertResolution(pages[0], 'fine'), pages[1]]))).toBe(true);
    // without maxResolution a superfine page is sent as it is, and transcoded
    const asIs = sffFromTiffs(stored(pages));
    expect(asIs.transcoded).toBe(2);
    expect(same(asIs.sff, writeSff(pages))).toBe(true);
  });

  it('takes the pixel path for a damaged strip: the rows are repaired as readTiff repairs them', () => {
    const page = textPage(1728, 300, 'fine', 5);
    for (const coding of ['mh', 'mmr'] as const) {
      const strip = encodePage(page, { coding }).slice();
      strip.fill(0xff, strip.length >>> 1, (strip.length >>> 1) + 8);
      const tiff = writeTiffStrips([{ page, strip }], { coding });
      const read = readTiff(tiff).pages[0];
      expect(read.quality.badLines, coding).toBeGreaterThan(0);
      const doc = sffFromTiffs([tiff]);
      expect(doc.transcoded, coding).toBe(0);
      expect(same(doc.sff, writeSff([read.page])), coding).toBe(true);
    }
    // a strip cut short: the missing rows are white, as readTiff leaves them
    const cut = encodePage(page, { coding: 'mmr' }).subarray(0, 900);
    const tiff = writeTiffStrips([{ page, strip: cut }], { coding: 'mmr' });
    const doc = sffFromTiffs([tiff]);
    expect(doc.transcoded).toBe(0);
    expect(same(doc.sff, writeSff([readTiff(tiff).pages[0].page]))).toBe(true);
  });

  describe('TIFFs from libtiff (tiffcp)', () => {
    beforeAll(() => requireTool('tiffcp'));
    it('several strips and MinIsBlack go the pixel path, FillOrder 2 and big-endian are transcoded', () => {
      const pages = [textPage(1728, 300, 'fine', 6), noisePage(1001, 40, 0.3, 7, 'standard')];
      withTempDir((dir) => {
        const src = path.join(dir, 'src.tif');
        writeFileSync(src, writeTiff(pages, { coding: 'mh' }));
        const cases: [string, string[], number][] = [
          ['g4, 16 rows per strip', ['-c', 'g4', '-r', '16'], 0],
          ['g3 2-D fill, 16 rows per strip', ['-c', 'g3:2d:fill', '-r', '16'], 0],
          ['g4 fill order 2', ['-c', 'g4', '-f', 'lsb2msb'], 2],
          ['big-endian g3 1-D fill', ['-B', '-c', 'g3:1d:fill'], 2],
        ];
        for (const [name, args, transcoded] of cases) {
          const out = path.join(dir, 'out.tif');
          runOk('tiffcp', [...args, src, out]);
          const doc = sffFromTiffs([new Uint8Array(readFileSync(out))]);
          expect(doc.transcoded, name).toBe(transcoded);
          expect(same(doc.sff, writeSff(pages)), name).toBe(true);
        }
        const mib = path.join(dir, 'mib.tif');
        runOk('tiffcp', ['-c', 'g4', src, mib]);
        runOk('tiffset', ['-s', '262', '1', mib]);
        const data = new Uint8Array(readFileSync(mib));
        // tiffset changes the first IFD only: page 1 is MinIsBlack, page 2 is transcoded
        expect(readTiff(data).pages.map((p) => p.info.photometric)).toEqual([1, 0]);
        const doc = sffFromTiffs([data]);
        expect(doc.transcoded).toBe(1);
        expect(same(doc.sff, writeSff(readTiff(data).pages.map((p) => p.page)))).toBe(true);
      });
    });
  });

  it('on mutated TIFFs: the same document as the pixel path, or the same ContainerError', () => {
    const r = prng(12);
    const pages = [textPage(300, 60, 'fine', 10), noisePage(200, 8, 0.3, 11, 'standard'), whitePage(64, 5)];
    const seeds = (['mh', 'mr', 'mmr'] as const).map((coding) => writeTiff(pages, { coding }));
    const outcome = (f: () => Uint8Array) => {
      try {
        return Buffer.from(f()).toString('hex');
      } catch (e) {
        if (!(e instanceof ContainerError)) throw e;
        return `error ${e.code}`;
      }
    };
    let errors = 0;
    for (let i = 0; i < 600; i++) {
      const data = seeds[i % seeds.length].slice();
      const flips = 1 + Math.floor(r() * 6);
      for (let k = 0; k < flips; k++) data[Math.floor(r() * data.length)] = Math.floor(r() * 256);
      const pixelPath = outcome(() => writeSff(readTiff(data).pages.map((p) => p.page)));
      expect(
        outcome(() => sffFromTiffs([data]).sff),
        `case ${i}`,
      ).toBe(pixelPath);
      if (pixelPath.startsWith('error')) errors++;
    }
    expect(errors).toBeGreaterThan(20);
  });

  it('refuses what readTiff refuses', () => {
    expectContainerError(() => sffFromTiffs([new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8])]), 'garbage');
    const pages = [textPage(1728, 50, 'fine', 8), textPage(1728, 50, 'fine', 9)];
    expectContainerError(
      () => sffFromTiffs([writeTiff(pages, { coding: 'mmr' })], { limits: { maxPages: 1 } }),
      'limit',
    );
    expect(sffFromTiffs([]).pages).toBe(0);
  });
});
