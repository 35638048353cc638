// Line time. A fax line moves bits at the negotiated rate; the simulator turns that into a
// delay scaled by the time factor (0 = no waiting at all, 1 = real time). Timers only, no
// busy loops: with factor 0 work is deferred with setImmediate so sockets keep flowing.

/** Real-time milliseconds to move `bytes` over a line of `bitRate` bit/s. */
export function lineMs(bytes: number, bitRate: number): number {
  return (bytes * 8 * 1000) / bitRate;
}

export interface Clock {
  /** Runs fn after `realMs` of simulated time; returns a cancel function. */
  after(realMs: number, fn: () => void): () => void;
}

export function scaledClock(timeFactor: () => number): Clock {
  return {
    after(realMs, fn) {
      const ms = realMs * timeFactor();
      if (ms < 1) {
        const h = setImmediate(fn);
        return () => clearImmediate(h);
      }
      const t = setTimeout(fn, ms);
      return () => clearTimeout(t);
    },
  };
}
