import { describe, expect, it } from 'vitest';
import { createChunkStream } from './chunk-stream.js';

describe('createChunkStream', () => {
  it('holds the producer once the consumer is more than highWater chunks behind', async () => {
    const s = createChunkStream(1);
    const settled: number[] = [];
    await s.push(Uint8Array.of(1)); // 1 buffered: within highWater
    const p2 = s.push(Uint8Array.of(2)).then(() => settled.push(2)); // 2 buffered: held
    const it = s[Symbol.asyncIterator]();
    await new Promise((r) => setImmediate(r)); // let every pending microtask run
    expect(settled).toEqual([]);
    expect((await it.next()).value).toEqual(Uint8Array.of(1)); // back to 1 buffered: released
    await p2;
    expect(settled).toEqual([2]);
    s.end();
    expect((await it.next()).value).toEqual(Uint8Array.of(2));
    expect((await it.next()).done).toBe(true);
    await expect(s.push(Uint8Array.of(4))).rejects.toThrow(/ended/);
  });

  it('end(err) throws after the buffered chunks', async () => {
    const s = createChunkStream();
    await s.push(Uint8Array.of(9));
    s.end(new Error('line dropped'));
    const got: number[] = [];
    await expect(
      (async () => {
        for await (const c of s) got.push(c[0]);
      })(),
    ).rejects.toThrow('line dropped');
    expect(got).toEqual([9]);
  });
});
