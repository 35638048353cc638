// The cap on fax submissions processed at once (intake.maxConcurrentSubmissions): one more is
// turned away at once — 503 with Retry-After, its upload never read — instead of queueing
// uploads and decodes until memory or the event loop give out.

export class SubmissionGate {
  private inside = 0;
  constructor(readonly max: number) {
    if (!(Number.isInteger(max) && max >= 1)) throw new RangeError('SubmissionGate: max must be ≥ 1');
  }

  /** Submissions being processed now. */
  get active(): number {
    return this.inside;
  }

  /** A place, with the function that gives it back (once), or undefined when all are taken. */
  tryEnter(): (() => void) | undefined {
    if (this.inside >= this.max) return undefined;
    this.inside++;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.inside--;
    };
  }
}

/** Seconds a turned-away client is asked to wait (Retry-After). */
export const RETRY_AFTER_SECONDS = 5;
