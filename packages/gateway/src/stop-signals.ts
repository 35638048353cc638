// How the daemon and the demo stop: the first SIGINT or SIGTERM starts a clean stop; later
// ones are ignored (npm forwards Ctrl-C to its child, which the terminal signalled already);
// a grace timer bounds the stop.

const SHUTDOWN_GRACE_MS = 10_000;

export interface StopSignals {
  /** What asked for the stop: 'SIGINT', 'SIGTERM', a reason given to mark(), or null. */
  readonly received: string | null;
  /** A stop not asked for by a signal (e.g. a failed start): later signals are ignored. */
  mark(reason: string): void;
  /** Removes the handlers. */
  release(): void;
}

/** Installs the handlers; `stop` runs once, on the first signal. */
export function onStopSignals(stop: (signal: string) => void): StopSignals {
  let received: string | null = null;
  const on = (signal: string) => {
    if (received) return;
    received = signal;
    stop(signal);
  };
  const onInt = () => on('SIGINT');
  const onTerm = () => on('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return {
    get received() {
      return received;
    },
    mark(reason) {
      received ??= reason;
    },
    release() {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    },
  };
}

/** A safety net only: a clean stop ends the process by itself, well before this. */
export function exitIfStopHangs(message: () => string, ms = SHUTDOWN_GRACE_MS): void {
  setTimeout(() => {
    process.stderr.write(`${message()}\n`);
    process.exit(1);
  }, ms).unref();
}
