// How the daemon and the demo stop: the first SIGINT or SIGTERM starts a clean stop. A later
// one, at least a second after the first, means "stop now" (the calls' grace is over); one
// within that second is ignored: npm forwards Ctrl-C to its child, which the terminal
// signalled already, so one Ctrl-C arrives twice. A timer bounds the whole stop.

/** Later signals this soon after the first are the same Ctrl-C delivered twice. */
const REPEAT_IGNORED_MS = 1000;
/** What a clean stop may take beyond the calls' grace (recording, closing pools). */
export const STOP_MARGIN_MS = 20_000;

export interface StopSignals {
  /** What asked for the stop: 'SIGINT', 'SIGTERM', a reason given to mark(), or null. */
  readonly received: string | null;
  /** A stop not asked for by a signal (e.g. a failed start): later signals are ignored. */
  mark(reason: string): void;
  /** Removes the handlers. */
  release(): void;
}

/**
 * Installs the handlers; `stop` runs once, on the first signal; `now` (optional) on the first
 * later signal that is not a repeat of it.
 */
export function onStopSignals(
  stop: (signal: string) => void,
  now?: (signal: string) => void,
  clock: () => number = Date.now,
): StopSignals {
  let received: string | null = null;
  let firstAt = 0;
  let hurried = false;
  const on = (signal: string) => {
    if (received) {
      if (hurried || !now || (received !== 'SIGINT' && received !== 'SIGTERM')) return;
      if (clock() - firstAt < REPEAT_IGNORED_MS) return;
      hurried = true;
      now(signal);
      return;
    }
    received = signal;
    firstAt = clock();
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
export function exitIfStopHangs(message: () => string, ms = STOP_MARGIN_MS): void {
  setTimeout(() => {
    process.stderr.write(`${message()}\n`);
    process.exit(1);
  }, ms).unref();
}
