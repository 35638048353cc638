// The utilisation arithmetic of bench:utilisation on hand-made call records.
import { describe, expect, it } from 'vitest';
import { channelUtilisation, percentile } from './channel-gaps.js';

const call = (channel: string, startedAt: number, endedAt: number) => ({ channel, startedAt, endedAt });

describe('channelUtilisation', () => {
  const calls = [
    call('a', 0, 100),
    call('b', 5, 100),
    call('b', 100, 190),
    call('a', 110, 200),
    call('b', 250, 400),
    call('a', 260, 300), // the last CONNECT_REQ: the backlog is empty from here on
  ];

  it('counts idle gaps between a call end and the next CONNECT_REQ while jobs waited', () => {
    const r = channelUtilisation(calls, ['a', 'b']);
    expect([r.windowStart, r.windowEnd]).toEqual([0, 260]);
    const [a, b] = r.channels;
    expect(a).toMatchObject({ channel: 'a', calls: 3, busyMs: 190, rampMs: 0, gaps: [10, 60], maxGap: 60 });
    expect(b).toMatchObject({ channel: 'b', calls: 3, busyMs: 195, rampMs: 5, gaps: [0, 60], maxGap: 60 });
    expect(r.gaps).toEqual([0, 10, 60, 60]);
    expect(r.utilisation).toBeCloseTo(385 / 520, 9);
    expect(r.steadyStart).toBe(5);
    expect(r.steadyUtilisation).toBeCloseTo(380 / 510, 9);
  });

  it('cuts a gap at the window end and counts an unused channel as idle throughout', () => {
    const r = channelUtilisation(calls, ['a', 'b', 'c'], { start: 0, end: 230 });
    expect(r.channels[0].gaps).toEqual([10, 30]); // a: 200 → cut at 230
    expect(r.channels[1].gaps).toEqual([0, 40]); // b: 190 → cut at 230
    expect(r.channels[2]).toMatchObject({ calls: 0, busyMs: 0, rampMs: 230, gaps: [], maxGap: 0 });
    expect(r.utilisation).toBeCloseTo((190 + 185) / (3 * 230), 9);
    expect(r.steadyStart).toBe(230);
  });

  it('refuses overlapping calls on one channel and calls on a channel not listed', () => {
    expect(() => channelUtilisation([call('a', 0, 100), call('a', 50, 120)], ['a'])).toThrow(
      /two calls at once/,
    );
    expect(() => channelUtilisation([call('z', 0, 100)], ['a'])).toThrow(/not a usable one/);
    expect(() => channelUtilisation([], ['a'])).toThrow(/no calls/);
  });
});

describe('percentile', () => {
  it('is the nearest rank', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(xs, 50), percentile(xs, 99), percentile(xs, 100)]).toEqual([50, 99, 100]);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 99)).toBe(0);
  });
});
