import { type BilevelPage, pagesEqual, readSff, writeSff } from '@faxgate/fax-core';
import { describe, expect, it } from 'vitest';
import { testPage } from '../test-support/fax-app.js';
import { decodeWatched, SffCodingError, SffWatcher } from './sff.js';

const blocks = (data: Uint8Array, size: number) =>
  Array.from({ length: Math.ceil(data.length / size) }, (_, i) => data.subarray(i * size, (i + 1) * size));

function expectSamePages(got: BilevelPage[], want: BilevelPage[]): void {
  expect(got).toHaveLength(want.length);
  got.forEach((p, i) => {
    expect(pagesEqual(p, want[i])).toBe(true);
  });
}

/** Offset of page n's header (0-based) in a writeSff document: the document header links them. */
function pageHeaderAt(data: Uint8Array, n: number): number {
  let at = data[10] | (data[11] << 8);
  const u32 = (o: number) => (data[o] | (data[o + 1] << 8) | (data[o + 2] << 16) | (data[o + 3] << 24)) >>> 0;
  for (let i = 0; i < n; i++) at = u32(at + 14); // next-page offset
  return at;
}

describe('SffWatcher', () => {
  const pages = [testPage(1, 80), testPage(2, 60, 'standard'), testPage(3, 100)];
  const data = writeSff(pages);

  it('reports each page in the block that completes it; the pages decode later to what was sent', () => {
    const w = new SffWatcher();
    const seen: { block: number; resolution: string; height: number }[] = [];
    const bs = blocks(data, 100);
    bs.forEach((b, i) => {
      for (const p of w.push(b)) seen.push({ block: i, resolution: p.resolution, height: p.height });
    });
    expect(w.complete).toBe(true);
    expect(w.end()).toEqual([]);
    // a page is complete when the next page header (or the end record) starts
    const blockOf = (offset: number) => Math.floor(offset / 100);
    expect(seen).toEqual([
      { block: blockOf(pageHeaderAt(data, 1)), resolution: 'fine', height: 80 },
      { block: blockOf(pageHeaderAt(data, 2)), resolution: 'standard', height: 60 },
      { block: blockOf(data.length - 2), resolution: 'fine', height: 100 },
    ]);
    expect(w.pageCount).toBe(3);
    expect(Buffer.compare(w.bytes(), Buffer.from(data))).toBe(0);
    expectSamePages(decodeWatched(w.document()), pages);
    expectSamePages(decodeWatched(w.document(2)), pages.slice(0, 2));
  });

  it('repairs a line that does not decode as SffReader does, and does not refuse it', () => {
    const bad = data.slice();
    const first = pageHeaderAt(bad, 1) + 18; // the first record of page 2: a line
    expect(bad[first]).toBeGreaterThan(2);
    expect(bad[first]).toBeLessThanOrEqual(216);
    bad.fill(0xff, first + 1, first + 3);
    const eager = readSff(bad).pages;
    expect(eager.map((p) => p.quality.badLines)).toEqual([0, 1, 0]);
    const w = new SffWatcher();
    for (const b of blocks(bad, 37)) w.push(b);
    w.end();
    const lazy = decodeWatched(w.document());
    expectSamePages(
      lazy,
      eager.map((p) => p.page),
    );
    expect(pagesEqual(lazy[1], pages[1])).toBe(false);
  });

  it('refuses bad coding in the block that carries it; the pages before it still decode', () => {
    const bad = data.slice();
    const at = pageHeaderAt(bad, 2);
    bad[at + 4] = 1; // page 3 says MR coding: SFF is MH only
    const w = new SffWatcher();
    // up to the FE that starts page 3's header: pages 1 and 2 are complete
    expect(w.push(bad.subarray(0, at + 1))).toHaveLength(2);
    const bs = blocks(bad.subarray(at + 1), 5);
    let thrown = -1;
    for (let i = 0; i < bs.length; i++) {
      try {
        w.push(bs[i]);
      } catch (e) {
        expect(e).toBeInstanceOf(SffCodingError);
        thrown = i;
        break;
      }
    }
    // the header (length byte and 16 bytes after the FE) is checked when its last byte arrives
    expect(thrown).toBe(Math.floor(16 / 5));
    expect(w.pageCount).toBe(2);
    expect(w.byteCount).toBe(at + 1 + (thrown + 1) * 5);
    expectSamePages(decodeWatched(w.document()), pages.slice(0, 2));
  });

  it('a stream stopped between records keeps the page in progress; one cut inside a record is refused', () => {
    const w = new SffWatcher();
    w.push(data.subarray(0, data.length - 2)); // no end record
    expect(w.complete).toBe(false);
    expect(w.end().map((p) => p.height)).toEqual([100]);
    expectSamePages(decodeWatched(w.document()), pages);

    const cut = new SffWatcher();
    cut.push(data.subarray(0, pageHeaderAt(data, 1) + 5)); // inside page 2's header
    expect(() => cut.end()).toThrow(SffCodingError);
    expect(cut.pageCount).toBe(1);
    expectSamePages(decodeWatched(cut.document()), pages.slice(0, 1));
  });

  it('refuses more than 200 pages', () => {
    const w = new SffWatcher();
    expect(() => w.push(writeSff(Array.from({ length: 201 }, () => testPage(4, 2))))).toThrow(SffCodingError);
  });
});
