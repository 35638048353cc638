/** A lockdown setting that cannot be enforced as written. */
export class PolicyError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(`${key}: ${message}`);
    this.name = 'PolicyError';
  }
}

/**
 * A CAPI message the policy forbids. It was not sent to the card. `code` is stable for
 * callers; `message` says which rule refused what.
 */
export class LockdownViolationError extends Error {
  readonly code = 'ERR_LOCKDOWN_VIOLATION';
  constructor(
    readonly rule: string,
    readonly messageName: string,
    message: string,
  ) {
    super(`lockdown refused ${messageName}: ${message}`);
    this.name = 'LockdownViolationError';
  }
}
