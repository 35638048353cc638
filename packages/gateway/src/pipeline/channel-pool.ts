// B channels of this process, per controller. Outgoing calls never take the last `reserve`
// channels of a controller (kept free for incoming faxes, M 5.75, HylaFAX ModemGroup limit),
// and never dial into a controller whose channels are all held — incoming calls hold their
// channel here too (occupy()). A controller whose line is down (setAvailable(false)) gets no
// call at all. Jobs waiting for a channel queue first come, first served: a released channel
// goes to the longest waiter in the same tick, so a hand-over is never lost and never jumped.
import { EventEmitter } from 'node:events';

export interface ControllerChannels {
  controller: number;
  channels: number;
}

export interface ChannelLease {
  controller: number;
  /** The B channel of this process's book (1 … channels) the call holds. */
  channel: number;
  release(): void;
}

/** What one B channel does now. */
export interface ChannelSlot {
  channel: number;
  state: 'idle' | 'sending' | 'receiving';
  faxId?: number;
}

export interface ControllerView {
  controller: number;
  channels: number;
  /** False while the line is down: no call is placed on it. */
  up: boolean;
  sending: number;
  receiving: number;
  slots: ChannelSlot[];
}

interface Waiter {
  resolve(lease: ChannelLease | undefined): void;
  timer: NodeJS.Timeout;
  faxId?: number;
}

interface Held {
  kind: 'sending' | 'receiving';
  faxId?: number;
}

interface ControllerBook {
  controller: number;
  channels: number;
  up: boolean;
  /** Index = channel - 1; entries beyond `channels` are calls the exchange gave us anyway. */
  held: (Held | undefined)[];
  sending: number;
}

/** A call took a channel (metrics count calls per controller and B channel). */
export interface ChannelTaken {
  controller: number;
  channel: number;
  kind: 'sending' | 'receiving';
}

/** `change`: a channel was taken, released or labelled (the console's live channel view). */
export class ChannelPool extends EventEmitter<{ capacity: [number]; taken: [ChannelTaken]; change: [] }> {
  private readonly books: ControllerBook[];
  private readonly waiters: Waiter[] = [];
  private sendingCount = 0;

  constructor(
    controllers: readonly ControllerChannels[],
    /** Channels kept free for incoming calls on each controller (queue.receiveReserve). */
    readonly reserve: number,
    /** Calls at once this process may make (queue.concurrency), when fewer than the channels. */
    readonly maxCalls?: number,
  ) {
    super();
    this.books = controllers.map((c) => ({
      controller: c.controller,
      channels: Math.max(0, c.channels),
      up: true,
      held: [],
      sending: 0,
    }));
  }

  get controllers(): ControllerChannels[] {
    return this.books.map((b) => ({ controller: b.controller, channels: b.channels }));
  }

  get total(): number {
    return this.books.reduce((n, b) => n + b.channels, 0);
  }

  /** Channels outgoing calls may use at once (lines up or not: the capacity, not the moment). */
  get usable(): number {
    const free = this.books.reduce((n, b) => n + Math.max(0, b.channels - this.reserve), 0);
    return this.maxCalls === undefined ? free : Math.min(free, this.maxCalls);
  }

  /** Outgoing calls of this process now. */
  get inUse(): number {
    return this.sendingCount;
  }

  /** Incoming calls holding a channel now. */
  get receiving(): number {
    return this.books.reduce((n, b) => n + b.held.filter((h) => h?.kind === 'receiving').length, 0);
  }

  private book(controller: number): ControllerBook | undefined {
    return this.books.find((b) => b.controller === controller);
  }

  /** The B channel count read from the controller's profile (changes capacity). */
  setChannels(controller: number, channels: number): void {
    const b = this.book(controller);
    if (!b || b.channels === channels) return;
    const before = this.usable;
    b.channels = Math.max(0, channels);
    if (this.usable !== before) this.emit('capacity', this.usable);
    this.handOver();
  }

  /** A controller's line went down (no call placed on it) or came back. */
  setAvailable(controller: number, up: boolean): void {
    const b = this.book(controller);
    if (!b || b.up === up) return;
    b.up = up;
    if (up) this.handOver();
  }

  isAvailable(controller: number): boolean {
    return this.book(controller)?.up ?? false;
  }

  /**
   * A channel on the controller with the most free channels, or undefined when none may be
   * used now (or others are waiting for one: they come first).
   */
  acquire(faxId?: number): ChannelLease | undefined {
    return this.waiters.length > 0 ? undefined : this.take(faxId);
  }

  private occupied(b: ControllerBook): number {
    return b.held.filter((h) => h !== undefined).length;
  }

  private take(faxId?: number): ChannelLease | undefined {
    if (this.sendingCount >= this.usable) return undefined;
    let best: ControllerBook | undefined;
    let bestFree = 0;
    for (const b of this.books) {
      if (!b.up || b.sending >= b.channels - this.reserve) continue;
      const free = b.channels - this.occupied(b);
      if (free > bestFree) {
        best = b;
        bestFree = free;
      }
    }
    if (!best) return undefined;
    this.sendingCount++;
    best.sending++;
    return this.hold(best, { kind: 'sending', faxId });
  }

  private hold(b: ControllerBook, what: Held): ChannelLease {
    let i = 0;
    while (i < b.channels && b.held[i] !== undefined) i++;
    if (i >= b.channels) {
      i = b.channels;
      while (b.held[i] !== undefined) i++;
    }
    b.held[i] = what;
    this.emit('taken', { controller: b.controller, channel: i + 1, kind: what.kind });
    this.emit('change');
    let released = false;
    return {
      controller: b.controller,
      channel: i + 1,
      release: () => {
        if (released) return;
        released = true;
        b.held[i] = undefined;
        while (b.held.length > 0 && b.held[b.held.length - 1] === undefined) b.held.pop();
        if (what.kind === 'sending') {
          b.sending--;
          this.sendingCount--;
        }
        this.emit('change');
        this.handOver();
      },
    };
  }

  /**
   * An incoming call holds a channel of `controller` until released: outgoing calls count it
   * and never dial into a controller it filled. The exchange gave the call a channel, so it
   * is held even beyond the count (shown as a channel above `channels`).
   */
  occupy(controller: number, faxId?: number): ChannelLease {
    let b = this.book(controller);
    if (!b) {
      // A call on a controller this process does not send on: shown, never dialled.
      b = { controller, channels: 0, up: true, held: [], sending: 0 };
      this.books.push(b);
    }
    return this.hold(b, { kind: 'receiving', faxId });
  }

  /** Names the fax an incoming call is receiving, once it has a row. */
  label(lease: ChannelLease, faxId: number): void {
    const h = this.book(lease.controller)?.held[lease.channel - 1];
    if (!h) return;
    h.faxId = faxId;
    this.emit('change');
  }

  /** Every controller and B channel: idle, sending fax N, receiving fax N. */
  snapshot(): ControllerView[] {
    return this.books.map((b) => {
      const n = Math.max(b.channels, b.held.length);
      const slots: ChannelSlot[] = [];
      for (let i = 0; i < n; i++) {
        const h = b.held[i];
        slots.push(h ? { channel: i + 1, state: h.kind, faxId: h.faxId } : { channel: i + 1, state: 'idle' });
      }
      return {
        controller: b.controller,
        channels: b.channels,
        up: b.up,
        sending: b.sending,
        receiving: b.held.filter((h) => h?.kind === 'receiving').length,
        slots,
      };
    });
  }

  /** Jobs waiting in acquireWait(). */
  get waiting(): number {
    return this.waiters.length;
  }

  /**
   * A channel as soon as one is free, in the order of asking; undefined after `timeoutMs`
   * (the caller gives its job back, so another process may run it) or on cancelWaiters().
   */
  acquireWait(timeoutMs: number, faxId?: number): Promise<ChannelLease | undefined> {
    const now = this.acquire(faxId);
    if (now) return Promise.resolve(now);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        resolve,
        faxId,
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
      const lease = this.take(this.waiters[0].faxId);
      if (!lease) return;
      const w = this.waiters.shift() as Waiter;
      clearTimeout(w.timer);
      w.resolve(lease);
    }
  }
}
