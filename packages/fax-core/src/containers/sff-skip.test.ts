// SffReader with rows 'skip' against rows 'decode': for the same chunks, the same pages (every
// SffPageInfo field) and the same errors (code and message) at the same push, on real,
// generated, handmade, cut and damaged documents — and no page buffer.
import { describe, expect, it } from 'vitest';
import { encodeMhRow } from '../codec/index.js';
import { alternatingPage, noisePage, prng, textPage, whitePage } from '../test-support/container-pages.js';
import { ghostscriptSff } from '../test-support/made-corpus.js';
import { expectContainerError, randomChunks } from '../test-support/tools.js';
import { type ContainerLimits, concatBytes } from './common.js';
import { SFF_END, type SffPageInfo, SffReader, type SffRows, writeSff } from './sff.js';

interface Options {
  limits?: Partial<ContainerLimits>;
  requireEnd?: boolean;
}

/** What a reader made of the chunks: the page infos of each push and of end(), or the error. */
type Step = { pages: SffPageInfo[] } | { error: string };

function transcript(rows: SffRows, chunks: readonly Uint8Array[], options: Options = {}): Step[] {
  const steps: Step[] = [];
  const r =
    rows === 'decode'
      ? (() => {
          const reader = new SffReader(options);
          return {
            push: (c: Uint8Array) => reader.push(c).map((p) => p.info),
            end: () => reader.end().map((p) => p.info),
          };
        })()
      : new SffReader({ ...options, rows: 'skip' });
  const step = (f: () => SffPageInfo[]): boolean => {
    try {
      steps.push({ pages: f() });
      return true;
    } catch (e) {
      steps.push({ error: `${(e as { code?: string }).code}: ${(e as Error).message}` });
      return false;
    }
  };
  for (const c of chunks) if (!step(() => r.push(c))) return steps;
  step(() => r.end());
  return steps;
}

/** Both modes agree on the chunks; returns the transcript. */
function agree(chunks: readonly Uint8Array[], options: Options = {}): Step[] {
  const want = transcript('decode', chunks, options);
  expect(transcript('skip', chunks, options)).toEqual(want);
  return want;
}

const pagesOf = (steps: Step[]) => steps.flatMap((s) => ('pages' in s ? s.pages : []));
const errorOf = (steps: Step[]) => steps.flatMap((s) => ('error' in s ? [s.error] : []))[0];

/** An SFF document Ghostscript (cfax) wrote of generated pages: 5 fine A4 pages of 1,200 rows. */
const gsDocument = () => ghostscriptSff();

/** A small two-page document: text (line records, skips) and noise (long 00 + u16 lines). */
const small = () => writeSff([textPage(600, 90, 'fine', 3), noisePage(1728, 2, 0.5, 4, 'standard')]);

function handmade(width: number, recs: number[][], first = 20): Uint8Array {
  const head = new Uint8Array(first);
  head.set([0x53, 0x66, 0x66, 0x66, 1, 0, 0, 0, 0, 0, first & 0xff, first >> 8]);
  const ph = [0xfe, 16, 1, 0, 0, 0, width & 0xff, width >> 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  return concatBytes([head, Uint8Array.from(ph), ...recs.map((r) => Uint8Array.from(r))]);
}

describe("SffReader rows 'skip'", () => {
  it("finds the pages of Ghostscript's SFF as decode mode does, however it is cut", () => {
    const data = gsDocument();
    const whole = agree([data]);
    expect(pagesOf(whole).map((p) => [p.width, p.resolution])).toEqual(
      Array.from({ length: 5 }, () => [1728, 'fine']),
    );
    expect(pagesOf(whole).every((p) => p.height > 1000)).toBe(true);
    const rand = prng(11);
    for (let k = 0; k < 4; k++) expect(pagesOf(agree(randomChunks(data, rand)))).toEqual(pagesOf(whole));
  });

  it('agrees on generated pages: skips, long lines, standard and fine, odd widths', () => {
    const data = writeSff([
      textPage(1728, 300),
      noisePage(1728, 20, 0.5, 2, 'standard'),
      whitePage(2432, 100),
      alternatingPage(1001, 30),
    ]);
    const steps = agree(randomChunks(data, prng(5), 300));
    expect(pagesOf(steps).map((p) => [p.width, p.height, p.resolution])).toEqual([
      [1728, 300, 'fine'],
      [1728, 20, 'standard'],
      [2432, 100, 'fine'],
      [1001, 30, 'fine'],
    ]);
  });

  it('counts user information, bad lines, empty long lines and lines that do not decode as decode mode does', () => {
    const row = new Uint8Array(8).fill(0xf0);
    const code = encodeMhRow(row, 64, 'lsb');
    const data = handmade(
      64,
      [
        [0xff, 3, 1, 2, 3], // user info
        [code.length, ...code],
        [0xff, 0], // bad line
        [0, 0, 0], // a long line of no bytes: bad
        [2, 0xff, 0xff], // does not decode: repaired, still a row
        [216 + 37, 216 + 1], // 38 white rows
        [0, code.length, 0, ...code],
        [...SFF_END, 7, 7, 7], // bytes after the end record are ignored
      ],
      30, // user data before the first page header
    );
    for (const size of [1, 2, 5, data.length]) {
      const chunks = Array.from({ length: Math.ceil(data.length / size) }, (_, i) =>
        data.subarray(i * size, (i + 1) * size),
      );
      const [p] = pagesOf(agree(chunks));
      expect(p).toMatchObject({ width: 64, height: 43, records: 7, userInfoBytes: 3 });
    }
    // the line that does not decode is one of decode mode's repaired rows
    const [decoded] = new SffReader().push(data);
    expect(decoded.quality.badLines).toBe(3);
  });

  it('agrees at every cut of a document, with and without requireEnd', () => {
    const data = small();
    for (let cut = 0; cut <= data.length; cut++) {
      const head = data.subarray(0, cut);
      agree([head]);
      agree([head], { requireEnd: false });
    }
    expect(errorOf(agree([data.subarray(0, 10)]))).toMatch(/^truncated: /);
    expect(pagesOf(agree([data.subarray(0, data.length - 2)], { requireEnd: false }))).toHaveLength(2);
  });

  it('agrees on damaged documents: the same error at the same push, or the same pages', () => {
    const data = small();
    const rand = prng(23);
    let errors = 0;
    for (let k = 0; k < 600; k++) {
      const bad = data.slice();
      const hits = 1 + Math.floor(rand() * 4);
      for (let h = 0; h < hits; h++) {
        // most of the structure is in the first bytes of headers and records: hit them often
        const at = rand() < 0.3 ? Math.floor(rand() * 60) : Math.floor(rand() * bad.length);
        bad[at] = Math.floor(rand() * 256);
      }
      const steps = agree(randomChunks(bad, rand, 200), { requireEnd: rand() < 0.5 });
      if (errorOf(steps)) errors++;
    }
    // the damage is real: many documents are refused, many still read
    expect(errors).toBeGreaterThan(60);
    expect(errors).toBeLessThan(600);
  });

  it('applies the same limits: pages, rows, decoded bytes, width', () => {
    const data = gsDocument();
    const rand = prng(3);
    const limits: Partial<ContainerLimits>[] = [
      { maxPages: 3 },
      { maxHeight: 1000 },
      { maxTotalBytes: 1_000_000 },
      { maxWidth: 1700 },
    ];
    for (const l of limits) {
      expect(errorOf(agree([data], { limits: l }))).toMatch(/^limit: /);
      agree(randomChunks(data, rand), { limits: l });
    }
  });

  it('puts the limits exactly where decode mode puts them', () => {
    const data = concatBytes([handmade(64, [[216 + 37], [216 + 3]]), SFF_END]); // 40 rows of 8 bytes
    const height = (l: Partial<ContainerLimits>) => {
      const steps = agree([data], { limits: l });
      return errorOf(steps) ?? pagesOf(steps)[0].height;
    };
    expect(height({ maxHeight: 40 })).toBe(40);
    expect(height({ maxHeight: 39 })).toMatch(/^limit: /);
    expect(height({ maxTotalBytes: 320 })).toBe(40);
    expect(height({ maxTotalBytes: 319 })).toMatch(/^limit: /);
    expect(height({ maxWidth: 64 })).toBe(40);
    expect(height({ maxWidth: 63 })).toMatch(/^limit: /);
  });

  it('refuses push() after end()', () => {
    const s = new SffReader({ rows: 'skip' });
    s.push(small());
    expect(s.end()).toEqual([]);
    expect(s.complete).toBe(true);
    expectContainerError(() => s.push(Uint8Array.of(1)), 'state');
  });

  it('refuses onRow: skipped rows have no pixels', () => {
    // @ts-expect-error onRow is for rows 'decode' only
    expect(() => new SffReader({ rows: 'skip', onRow: () => {} })).toThrow(TypeError);
  });

  it('keeps nothing of the rows: a page of 30000 white rows costs no memory', () => {
    // 30000 rows of 4864 pixels would be 18 MB of bitmap; skip mode only counts them
    const skips = Array.from({ length: Math.ceil(30000 / 37) }, () => [216 + 37]);
    const data = concatBytes([handmade(4864, skips), SFF_END]);
    const s = new SffReader({ rows: 'skip' });
    const before = process.memoryUsage().arrayBuffers;
    const [p] = s.push(data);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1_000_000);
    expect(p.height).toBe(Math.ceil(30000 / 37) * 37);
  });
});
