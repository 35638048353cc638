// The stop handlers: the first signal starts the clean stop; a repeat within a second (npm's
// forwarded copy of the same Ctrl-C) is ignored; a later one means "now", once.
import { afterEach, describe, expect, it } from 'vitest';
import { onStopSignals, type StopSignals } from './stop-signals.js';

let handlers: StopSignals | undefined;
afterEach(() => handlers?.release());

describe('onStopSignals', () => {
  it('stops once; a signal ≥ 1 s later hurries the stop, a repeat within the second does not', () => {
    let t = 1_000_000;
    const calls: string[] = [];
    handlers = onStopSignals(
      (s) => calls.push(`stop ${s}`),
      (s) => calls.push(`now ${s}`),
      () => t,
    );
    process.emit('SIGINT');
    t += 200;
    process.emit('SIGINT'); // npm's copy of the same Ctrl-C
    expect(calls).toEqual(['stop SIGINT']);
    expect(handlers.received).toBe('SIGINT');
    t += 1500;
    process.emit('SIGTERM');
    t += 1500;
    process.emit('SIGINT');
    expect(calls).toEqual(['stop SIGINT', 'now SIGTERM']);
  });

  it('after a stop not asked for by a signal (a failed start), later signals are ignored', () => {
    let t = 0;
    const calls: string[] = [];
    handlers = onStopSignals(
      (s) => calls.push(`stop ${s}`),
      (s) => calls.push(`now ${s}`),
      () => t,
    );
    handlers.mark('error');
    t += 5000;
    process.emit('SIGINT');
    expect(calls).toEqual([]);
    expect(handlers.received).toBe('error');
  });
});
