// The fax decode threads: the same pages as decoding in-process, the main thread free while a
// long file decodes, the time limit ends a decode (and the next file still decodes), the
// reader's complaints come back as FaxDecodeError.
import { createPage, readFaxDocument, setPixel, writeTiff } from '@faxgate/fax-core';
import { afterAll, describe, expect, it } from 'vitest';
import { FaxDecodeError, FaxDecodeLimitError } from './errors.js';
import { createFaxDecoder } from './fax-decoder.js';

function textLike(height: number, seed: number) {
  const p = createPage(1728, height, 'fine');
  for (let y = 5; y < height - 5; y += 7)
    for (let x = 100 + (seed % 13); x < 1600; x += 5) setPixel(p, x, y, true);
  return p;
}

const decoder = createFaxDecoder({ threads: 1, timeoutMs: 20_000 });
afterAll(() => decoder.close());

describe('fax decoder threads', () => {
  it('decodes to the same pages as the in-process reader, converted to the resolution asked for', async () => {
    const pages = [textLike(300, 1), textLike(200, 2)];
    const data = writeTiff(pages, { coding: 'mmr' });
    const got = await decoder.decode(data, { limits: { maxPages: 2 } });
    const want = readFaxDocument(data).pages.map((p) => p.page);
    expect(got.map((p) => [p.width, p.height, p.resolution])).toEqual(
      want.map((p) => [p.width, p.height, p.resolution]),
    );
    expect(got.map((p) => p.data.length)).toEqual(got.map((p) => p.stride * p.height));
    expect(got.every((p, i) => Buffer.from(p.data).equals(Buffer.from(want[i].data)))).toBe(true);
    const standard = await decoder.decode(data, { resolution: 'standard', limits: {} });
    expect(standard.map((p) => [p.resolution, p.height])).toEqual([
      ['standard', 150],
      ['standard', 100],
    ]);
  }, 30_000);

  it('keeps the main thread free while a long file decodes', async () => {
    const data = writeTiff(
      Array.from({ length: 60 }, (_, i) => textLike(2200, i)),
      { coding: 'mh' },
    );
    await decoder.decode(writeTiff([textLike(50, 0)]), { limits: {} }); // thread warm
    const ticks: number[] = [];
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      ticks.push(now - last);
      last = now;
    }, 5);
    const t = performance.now();
    const pages = await decoder.decode(data, { limits: {} });
    const took = performance.now() - t;
    clearInterval(timer);
    expect(pages).toHaveLength(60);
    // the decode is long enough to matter, yet the 5 ms timer kept firing throughout
    expect(ticks.length).toBeGreaterThan(took / 5 / 4);
    console.log(
      `60 MH pages decoded in ${took.toFixed(0)} ms off the main thread; ${ticks.length} timer ticks, longest gap ${Math.max(...ticks).toFixed(0)} ms`,
    );
  }, 60_000);

  it('ends a decode over the time limit, and the next file decodes in a new thread', async () => {
    const slow = createFaxDecoder({ threads: 1, timeoutMs: 1 });
    const quick = createFaxDecoder({ threads: 1, timeoutMs: 20_000 });
    try {
      const data = writeTiff(
        Array.from({ length: 20 }, (_, i) => textLike(2200, i)),
        { coding: 'mh' },
      );
      const e = await slow.decode(data, { limits: {} }).then(
        () => undefined,
        (x: Error) => x,
      );
      expect(e).toBeInstanceOf(FaxDecodeLimitError);
      expect((e as FaxDecodeLimitError).limit).toBe('time');
      expect(slow.stats().killed).toBe(1);
      expect(await quick.decode(writeTiff([textLike(40, 1)]), { limits: {} })).toHaveLength(1);
    } finally {
      await Promise.all([slow.close(), quick.close()]);
    }
  }, 60_000);

  it("reports the reader's complaint as FaxDecodeError, and the page limit it was given", async () => {
    const data = writeTiff([textLike(40, 1), textLike(40, 2)], { coding: 'mmr' });
    const cut = await decoder
      .decode(data.subarray(0, data.length - 20), { limits: {} })
      .catch((x: Error) => x);
    expect(cut).toBeInstanceOf(FaxDecodeError);
    expect((cut as FaxDecodeError).kind).toBe('ContainerError');
    const over = await decoder.decode(data, { limits: { maxPages: 1 } }).catch((x: Error) => x);
    expect(over).toBeInstanceOf(FaxDecodeError);
    expect((over as FaxDecodeError).message).toMatch(/more than 1 pages/);
  }, 30_000);
});
