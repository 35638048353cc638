// B channels of this process across its controllers. Outgoing calls never take the last
// `reserve` channels (kept free for incoming faxes, M 5.75, HylaFAX ModemGroup limit).
// Jobs waiting for a channel queue first come, first served: a released channel goes to
// the longest waiter in the same tick, so a hand-over is never lost and never jumped.

export interface ControllerChannels {
  controller: number;
  channels: number;
}

export interface ChannelLease {
  controller: number;
  release(): void;
}

interface Waiter {
  resolve(lease: ChannelLease | undefined): void;
  timer: NodeJS.Timeout;
}

export class ChannelPool {
  private readonly busy = new Map<number, number>();
  private readonly waiters: Waiter[] = [];
  private inUseCount = 0;
  readonly total: number;

  constructor(
    readonly controllers: readonly ControllerChannels[],
    readonly reserve: number,
    /** Calls at once this process may make (queue.concurrency), when fewer than the channels. */
    readonly maxCalls?: number,
  ) {
    this.total = controllers.reduce((n, c) => n + Math.max(0, c.channels), 0);
    for (const c of controllers) this.busy.set(c.controller, 0);
  }

  /** Channels outgoing calls may use at once. */
  get usable(): number {
    const free = Math.max(0, this.total - this.reserve);
    return this.maxCalls === undefined ? free : Math.min(free, this.maxCalls);
  }

  get inUse(): number {
    return this.inUseCount;
  }

  /**
   * A channel on the controller with the most free channels, or undefined when none may be
   * used now (or others are waiting for one: they come first).
   */
  acquire(): ChannelLease | undefined {
    return this.waiters.length > 0 ? undefined : this.take();
  }

  private take(): ChannelLease | undefined {
    if (this.inUseCount >= this.usable) return undefined;
    let best: ControllerChannels | undefined;
    let bestFree = 0;
    for (const c of this.controllers) {
      const free = c.channels - (this.busy.get(c.controller) ?? 0);
      if (free > bestFree) {
        best = c;
        bestFree = free;
      }
    }
    if (!best) return undefined;
    const controller = best.controller;
    this.busy.set(controller, (this.busy.get(controller) ?? 0) + 1);
    this.inUseCount++;
    let released = false;
    return {
      controller,
      release: () => {
        if (released) return;
        released = true;
        this.busy.set(controller, (this.busy.get(controller) ?? 1) - 1);
        this.inUseCount--;
        this.handOver();
      },
    };
  }

  /** Jobs waiting in acquireWait(). */
  get waiting(): number {
    return this.waiters.length;
  }

  /**
   * A channel as soon as one is free, in the order of asking; undefined after `timeoutMs`
   * (the caller gives its job back, so another process may run it) or on cancelWaiters().
   */
  acquireWait(timeoutMs: number): Promise<ChannelLease | undefined> {
    const now = this.acquire();
    if (now) return Promise.resolve(now);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        resolve,
        timer: setTimeout(() => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          resolve(undefined);
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  /** Ends every wait with undefined (the worker is stopping). */
  cancelWaiters(): void {
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.resolve(undefined);
    }
  }

  private handOver(): void {
    while (this.waiters.length > 0) {
      const lease = this.take();
      if (!lease) return;
      const w = this.waiters.shift() as Waiter;
      clearTimeout(w.timer);
      w.resolve(lease);
    }
  }
}
