// The sandbox under hostile input: every bad document ends its own job with a typed error
// inside the limits, and the pool goes on serving (a good document renders after each).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePage } from '../codec/index.js';
import { pagesEqual } from '../page.js';
import * as fx from '../test-support/render-fixtures.js';
import { DocumentError, RenderLimitError, RenderWorkerError, UnsupportedDocumentError } from './errors.js';
import { createRenderPool, type RenderPool } from './pool.js';

const MB = 1024 * 1024;
const LIMITS = { timeMs: 15_000, pages: 50, pixels: 60_000_000, memoryBytes: 768 * MB, inputBytes: 16 * MB };

let pool: RenderPool;
let good: Uint8Array;
let twoPages: Uint8Array;
let longer: Uint8Array;

beforeAll(async () => {
  pool = createRenderPool({ workers: 2, limits: LIMITS });
  [good, twoPages, longer] = await Promise.all([fx.makeTextPdf(1), fx.makeTextPdf(2), fx.makeTextPdf(12)]);
  await pool.ready();
});

afterAll(async () => {
  await pool?.close();
});

/** Renders `bytes`, expects a refusal, then checks the pool still renders a good document. */
async function refused(
  bytes: Uint8Array,
  limits?: Partial<typeof LIMITS>,
): Promise<Error & Record<string, unknown>> {
  const started = performance.now();
  const err = await pool.render(bytes, {}, limits).then(
    () => {
      throw new Error('the hostile document was rendered');
    },
    (e: Error) => e,
  );
  const elapsed = performance.now() - started;
  expect(elapsed).toBeLessThan((limits?.timeMs ?? LIMITS.timeMs) + 2_000);
  const after = await pool.render(good);
  expect(after.pages.length).toBe(1);
  expect(after.sourceType).toBe('pdf');
  return err as Error & Record<string, unknown>;
}

describe('render pool under hostile input', () => {
  it('zero bytes: empty document', async () => {
    const e = await refused(new Uint8Array(0));
    expect(e).toBeInstanceOf(DocumentError);
    expect(e.problem).toBe('empty');
  });

  it('random bytes: unsupported type, naming the first bytes', async () => {
    let seed = 12345;
    const next = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return (seed >>> 24) | 0x80;
    };
    const bytes = Uint8Array.from({ length: 65536 }, next);
    const e = await refused(bytes);
    expect(e).toBeInstanceOf(UnsupportedDocumentError);
    expect(e.message).toMatch(
      /^unsupported document type: .*\(first bytes [0-9a-f]{2} [0-9a-f]{2} [0-9a-f]{2} [0-9a-f]{2}\)$/,
    );
  });

  it('a ZIP archive is named as such', async () => {
    const e = await refused(Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0, 8, 0]));
    expect(e.message).toContain('ZIP archive');
    expect(e.message).toContain('50 4b 03 04');
  });

  it('PNG decompression bomb (50,000 × 50,000 white, ~400 KB): pixel limit before decoding', async () => {
    const png = await fx.makeWhitePng(50_000, 50_000);
    expect(png.length).toBeLessThan(1_000_000);
    const started = performance.now();
    const e = await refused(png);
    expect(e).toBeInstanceOf(RenderLimitError);
    expect(e.limit).toBe('pixels');
    expect(e.actual).toBe(2_500_000_000);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('an image whose header says 100,000 × 100,000: pixel limit', async () => {
    const e = await refused(await fx.makeWhitePng(100_000, 100_000, 1));
    expect(e).toBeInstanceOf(RenderLimitError);
    expect(e.limit).toBe('pixels');
    expect(e.message).toContain('100000×100000');
  });

  it('a PDF with 10,000 pages: page limit before rendering', async () => {
    const pdf = await fx.makeManyPagesPdf(10_000);
    const e = await refused(pdf);
    expect(e).toBeInstanceOf(RenderLimitError);
    expect(e.limit).toBe('pages');
    expect(e.actual).toBe(10_000);
  });

  it('a PDF with a 50,000 × 50,000 Flate image: pixel limit before the image is decoded', async () => {
    const e = await refused(await fx.makeImageBombPdf(50_000, 50_000));
    expect(e).toBeInstanceOf(RenderLimitError);
    expect(e.limit).toBe('pixels');
  });

  it('a PDF whose content stream inflates to 1.5 GB: killed at the memory or time limit, worker replaced', async () => {
    const before = pool.stats().killed;
    const e = await refused(await fx.makeContentBombPdf(1536), { timeMs: 8_000 });
    expect(e).toBeInstanceOf(RenderLimitError);
    expect(['memory', 'time']).toContain(e.limit);
    expect(pool.stats().killed).toBeGreaterThan(before);
  });

  it('a truncated PDF: corrupt document', async () => {
    const e = await refused(twoPages.subarray(0, Math.floor(twoPages.length * 0.6)));
    expect(e).toBeInstanceOf(DocumentError);
    expect(e.problem).toBe('corrupt');
  });

  it('an encrypted PDF (standard security handler, user password): encrypted document', async () => {
    const e = await refused(fx.makeEncryptedPdf());
    expect(e).toBeInstanceOf(DocumentError);
    expect(e.problem).toBe('encrypted');
    expect(e.message).toMatch(/encrypted/);
  });

  it('an input above the size limit is refused before it reaches a worker', async () => {
    const e = await refused(new Uint8Array(17 * MB));
    expect(e).toBeInstanceOf(RenderLimitError);
    expect(e.limit).toBe('input-size');
  });

  it('a job over its wall time is killed with a time error; the next job is unaffected', async () => {
    const e = await refused(longer, { timeMs: 100 });
    expect(e).toBeInstanceOf(RenderLimitError);
    expect(e.limit).toBe('time');
  });

  it('a worker that dies mid-job fails that job only', async () => {
    const job = pool.render(longer);
    // A crash inside a decoder looks like this from the outside: the process is gone.
    const [pid] = pool.stats().busyPids;
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, 'SIGKILL');
    await expect(job).rejects.toBeInstanceOf(RenderWorkerError);
    const after = await pool.render(good);
    expect(after.pages.length).toBe(1);
  });

  it('renders many jobs in parallel with both workers', async () => {
    const results = await Promise.all(Array.from({ length: 6 }, () => pool.render(twoPages)));
    for (const r of results) expect(r.pages.length).toBe(2);
    const coded = await pool.render(twoPages, { mmr: 'only' });
    expect(coded.pages).toEqual([]);
    expect(coded.pageCount).toBe(2);
    expect(coded.mmr?.length).toBe(2);
    expect(coded.mmr?.[0].length).toBeGreaterThan(1000);
    // the worker's T.6 code decodes to exactly the page it rendered
    const both = await pool.render(twoPages, { mmr: true });
    const back = decodePage(both.mmr![1], { coding: 'mmr', width: 1728, height: both.pages[1].height });
    expect(pagesEqual(back.page, both.pages[1])).toBe(true);
  });
});
