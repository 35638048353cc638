// B channel numbers: the exchange hands out the channel released longest ago, which the
// utilisation benchmark relies on to read per-channel idle gaps from the call records.
import { describe, expect, it } from 'vitest';
import { Controller } from './controller.js';

const cfg = { bChannels: 3, msns: [], ddi: [], profile: { globalOptions: 0, b1: 0, b2: 0, b3: 0 } };

describe('Controller B channels', () => {
  it('seizes 1..n, then none; a released channel goes behind the ones free longer', () => {
    const c = new Controller(1, cfg);
    expect([c.seizeChannel(), c.seizeChannel(), c.seizeChannel()]).toEqual([1, 2, 3]);
    expect(c.seizeChannel()).toBeUndefined();
    expect(c.channelsBusy).toBe(3);
    c.releaseChannel(2);
    c.releaseChannel(1);
    expect(c.channelsBusy).toBe(1);
    expect(c.seizeChannel()).toBe(2);
    c.releaseChannel(3);
    expect([c.seizeChannel(), c.seizeChannel()]).toEqual([1, 3]);
  });

  it('ignores a release of a free or unknown channel', () => {
    const c = new Controller(1, cfg);
    c.releaseChannel(1);
    c.releaseChannel(9);
    expect(c.channelsBusy).toBe(0);
    expect([c.seizeChannel(), c.seizeChannel(), c.seizeChannel(), c.seizeChannel()]).toEqual([
      1,
      2,
      3,
      undefined,
    ]);
  });
});
