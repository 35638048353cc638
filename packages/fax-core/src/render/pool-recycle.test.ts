// Workers are replaced between jobs — after recycleAfterJobs jobs, or when their resident set
// after a job is above recycleRssBytes — without failing a job, and counted in stats().
import { afterEach, describe, expect, it } from 'vitest';
import { makeTextPdf } from '../test-support/render-fixtures.js';
import { createRenderPool, type RenderPool } from './pool.js';

let pool: RenderPool | undefined;
afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

/** Waits until `test` holds, polling (the replacement starts after the job's answer). */
async function until(test: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('render pool recycling', () => {
  it('replaces a worker after recycleAfterJobs jobs, every job answered', async () => {
    pool = createRenderPool({ workers: 1, recycleAfterJobs: 2 });
    const p = pool;
    const doc = await makeTextPdf(1);
    await p.ready();
    for (let i = 0; i < 5; i++) expect((await p.render(doc)).pageCount).toBe(1);
    await until(() => p.stats().recycled === 2);
    const s = p.stats();
    expect(s.recycled).toBe(2); // after jobs 2 and 4
    expect(s.killed).toBe(0);
    // jobs 1–2 in the first worker, 3–4 in the second, 5 in the third
    expect(s.started).toBe(3);
  }, 60_000);

  it('replaces a worker whose resident set after a job is above recycleRssBytes', async () => {
    pool = createRenderPool({ workers: 1, recycleRssBytes: 1 });
    const p = pool;
    const doc = await makeTextPdf(1);
    await p.ready();
    expect((await p.render(doc)).pageCount).toBe(1);
    expect((await p.render(doc)).pageCount).toBe(1);
    await until(() => p.stats().recycled === 2);
    expect(p.stats().killed).toBe(0);
  }, 60_000);

  it('keeps a worker below both marks', async () => {
    pool = createRenderPool({ workers: 1 });
    const p = pool;
    const doc = await makeTextPdf(1);
    await p.ready();
    for (let i = 0; i < 3; i++) expect((await p.render(doc)).pageCount).toBe(1);
    expect(p.stats().recycled).toBe(0);
    expect(p.stats().started).toBe(1);
  }, 60_000);
});
