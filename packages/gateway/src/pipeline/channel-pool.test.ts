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

  it('holds calls to maxCalls (queue.concurrency) when that is fewer than the channels', () => {
    const pool = new ChannelPool([{ controller: 1, channels: 4 }], 1, 2);
    expect(pool.usable).toBe(2);
    const a = pool.acquire();
    expect(pool.acquire()).toBeDefined();
    expect(pool.acquire()).toBeUndefined();
    a?.release();
    expect(pool.acquire()).toBeDefined();
    expect(new ChannelPool([{ controller: 1, channels: 4 }], 3, 2).usable).toBe(1);
  });

  it('has no usable channel when the reserve takes them all', () => {
    const pool = new ChannelPool([{ controller: 1, channels: 2 }], 5);
    expect(pool.usable).toBe(0);
    expect(pool.acquire()).toBeUndefined();
  });
});

describe('ChannelPool.acquireWait', () => {
  const one = () => new ChannelPool([{ controller: 1, channels: 1 }], 0);

  it('hands a released channel to the longest waiter, in order, and lets nobody jump the queue', async () => {
    const pool = one();
    const first = await pool.acquireWait(1000);
    expect(first?.controller).toBe(1);
    const order: string[] = [];
    const a = pool.acquireWait(1000).then((l) => {
      order.push('a');
      return l;
    });
    const b = pool.acquireWait(1000).then((l) => {
      order.push('b');
      return l;
    });
    expect(pool.waiting).toBe(2);
    first?.release();
    expect(pool.acquire()).toBeUndefined(); // given to 'a' in the same tick, not to a newcomer
    const la = await a;
    expect(la?.controller).toBe(1);
    expect(pool.waiting).toBe(1);
    la?.release();
    const lb = await b;
    expect(order).toEqual(['a', 'b']);
    expect(pool.inUse).toBe(1);
    lb?.release();
    expect(pool.inUse).toBe(0);
  });

  it('gives up after the timeout and when cancelled, leaving no waiter behind', async () => {
    const pool = one();
    const held = pool.acquire();
    expect(await pool.acquireWait(20)).toBeUndefined();
    expect(pool.waiting).toBe(0);
    const w = pool.acquireWait(10_000);
    pool.cancelWaiters();
    expect(await w).toBeUndefined();
    held?.release();
    expect(pool.inUse).toBe(0);
    expect(pool.acquire()).toBeDefined();
  });
});
