import { describe, expect, it } from 'vitest';
import { ChannelPool } from './channel-pool.js';

describe('ChannelPool', () => {
  it('keeps the receive reserve free on each controller and spreads calls over controllers', () => {
    const pool = new ChannelPool(
      [
        { controller: 1, channels: 2 },
        { controller: 2, channels: 2 },
      ],
      1,
    );
    expect(pool.usable).toBe(2); // one channel of each controller is kept for receiving
    const a = pool.acquire(11);
    const b = pool.acquire(12);
    expect([a?.controller, b?.controller].sort()).toEqual([1, 2]);
    expect(pool.acquire()).toBeUndefined(); // the 3rd and 4th channels are the reserves
    a?.release();
    a?.release(); // twice is once
    expect(pool.inUse).toBe(1);
    expect(pool.acquire()?.controller).toBe(a?.controller);
    expect(pool.acquire()).toBeUndefined();
  });

  it('an incoming call holds its channel: still accepted beside a send (reserve 1), and no send dials into a full controller', () => {
    const pool = new ChannelPool(
      [
        { controller: 1, channels: 2 },
        { controller: 2, channels: 2 },
      ],
      1,
    );
    const s1 = pool.acquire(1);
    const s2 = pool.acquire(2);
    expect([s1?.controller, s2?.controller].sort()).toEqual([1, 2]);
    // Both controllers send on one channel: the reserve is the other one, free for this call.
    const r1 = pool.occupy(1, 7);
    const onOne = s1?.controller === 1 ? 1 : 2;
    expect(pool.snapshot()[0].slots).toEqual([
      { channel: 1, state: 'sending', faxId: onOne },
      { channel: 2, state: 'receiving', faxId: 7 },
    ]);
    s1?.release();
    s2?.release();
    // Controller 1 now holds 1 incoming call; a second one fills it: sends go to controller 2 only.
    const r2 = pool.occupy(1);
    pool.label(r2, 8);
    const x = pool.acquire(3);
    expect(x?.controller).toBe(2);
    expect(pool.acquire(4)).toBeUndefined(); // controller 1 is full, controller 2 keeps its reserve
    expect(pool.snapshot()[0]).toMatchObject({
      controller: 1,
      sending: 0,
      receiving: 2,
      slots: [
        { channel: 1, state: 'receiving', faxId: 8 },
        { channel: 2, state: 'receiving', faxId: 7 },
      ],
    });
    r1.release();
    expect(pool.acquire(5)?.controller).toBe(1);
    expect(pool.receiving).toBe(1);
  });

  it('with no reserve, a send waits for a channel an incoming call holds instead of dialling into a full controller', async () => {
    const pool = new ChannelPool([{ controller: 1, channels: 2 }], 0);
    const r1 = pool.occupy(1, 1);
    const r2 = pool.occupy(1, 2);
    const wait = pool.acquireWait(10_000, 9);
    expect(pool.waiting).toBe(1);
    r1.release();
    const lease = await wait;
    expect(lease).toMatchObject({ controller: 1, channel: 1 });
    expect(pool.snapshot()[0].slots).toEqual([
      { channel: 1, state: 'sending', faxId: 9 },
      { channel: 2, state: 'receiving', faxId: 2 },
    ]);
    r2.release();
    lease?.release();
    expect(pool.snapshot()[0].slots.map((s) => s.state)).toEqual(['idle', 'idle']);
  });

  it('places no call on a controller whose line is down; calls resume when it is back', async () => {
    const pool = new ChannelPool(
      [
        { controller: 1, channels: 2 },
        { controller: 2, channels: 2 },
      ],
      0,
    );
    pool.setAvailable(1, false);
    const a = pool.acquire();
    const b = pool.acquire();
    expect([a?.controller, b?.controller]).toEqual([2, 2]);
    expect(pool.acquire()).toBeUndefined();
    pool.setAvailable(2, false);
    a?.release();
    const wait = pool.acquireWait(10_000);
    expect(pool.waiting).toBe(1);
    pool.setAvailable(1, true);
    expect((await wait)?.controller).toBe(1);
    expect(pool.snapshot().map((c) => c.up)).toEqual([true, false]);
  });

  it('learns the channel count of a controller read later (capacity event)', () => {
    const pool = new ChannelPool(
      [
        { controller: 1, channels: 0 },
        { controller: 2, channels: 2 },
      ],
      1,
    );
    const seen: number[] = [];
    pool.on('capacity', (n) => seen.push(n));
    expect(pool.usable).toBe(1);
    pool.setChannels(1, 2);
    expect(seen).toEqual([2]);
    expect(pool.total).toBe(4);
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
