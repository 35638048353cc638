import { describe, expect, it } from 'vitest';
import { ChannelPool } from './channel-pool.js';

describe('ChannelPool', () => {
  it('keeps the receive reserve free and spreads calls over controllers', () => {
    const pool = new ChannelPool(
      [
        { controller: 1, channels: 2 },
        { controller: 2, channels: 2 },
      ],
      1,
    );
    expect(pool.usable).toBe(3);
    const a = pool.acquire();
    const b = pool.acquire();
    const c = pool.acquire();
    expect([a?.controller, b?.controller].sort()).toEqual([1, 2]);
    expect(c).toBeDefined();
    expect(pool.acquire()).toBeUndefined(); // the 4th channel is the reserve
    a?.release();
    a?.release(); // twice is once
    expect(pool.inUse).toBe(2);
    expect(pool.acquire()?.controller).toBe(a?.controller);
    expect(pool.acquire()).toBeUndefined();
  });

  it('has no usable channel when the reserve takes them all', () => {
    const pool = new ChannelPool([{ controller: 1, channels: 2 }], 5);
    expect(pool.usable).toBe(0);
    expect(pool.acquire()).toBeUndefined();
  });
});
