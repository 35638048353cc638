// B channels of this process across its controllers. Outgoing calls never take the last
// `reserve` channels (kept free for incoming faxes, M 5.75, HylaFAX ModemGroup limit).

export interface ControllerChannels {
  controller: number;
  channels: number;
}

export interface ChannelLease {
  controller: number;
  release(): void;
}

export class ChannelPool {
  private readonly busy = new Map<number, number>();
  private inUseCount = 0;
  readonly total: number;

  constructor(
    readonly controllers: readonly ControllerChannels[],
    readonly reserve: number,
  ) {
    this.total = controllers.reduce((n, c) => n + Math.max(0, c.channels), 0);
    for (const c of controllers) this.busy.set(c.controller, 0);
  }

  /** Channels outgoing calls may use at once. */
  get usable(): number {
    return Math.max(0, this.total - this.reserve);
  }

  get inUse(): number {
    return this.inUseCount;
  }

  /** A channel on the controller with the most free channels, or undefined when none may be used. */
  acquire(): ChannelLease | undefined {
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
      },
    };
  }
}
