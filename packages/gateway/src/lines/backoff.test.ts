import { describe, expect, it } from 'vitest';
import { backoffDelay, LINE_BACKOFF } from './backoff.js';

describe('backoffDelay', () => {
  it('doubles from the base and never exceeds the cap, jitter within the upper half of each step', () => {
    const low = () => 0;
    const high = () => 1;
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, LINE_BACKOFF, high))).toEqual([500, 1000, 2000, 4000]);
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, LINE_BACKOFF, low))).toEqual([250, 500, 1000, 2000]);
    for (let n = 1; n < 100; n++) {
      const d = backoffDelay(n);
      expect(d).toBeLessThanOrEqual(30_000);
      expect(d).toBeGreaterThanOrEqual(Math.min(30_000, 500 * 2 ** (n - 1)) / 2);
    }
    expect(backoffDelay(40, LINE_BACKOFF, high)).toBe(30_000);
    expect(backoffDelay(40, LINE_BACKOFF, low)).toBe(15_000);
  });

  it('spreads the delays of many gateways (jitter)', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(6)));
    expect(delays.size).toBeGreaterThan(10);
  });
});
