// Refusals of the outgoing pipeline, typed so the API and CLI can show them as they are.
import {
  type FaxState,
  ForbiddenError,
  InvalidInputError,
  StateConflictError,
  StoreError,
} from '@faxgate/store';

export { ForbiddenError, InvalidInputError, StateConflictError };

/** The destination policy refused the number (M 4.36): nothing was queued or dialled. */
export class DestinationRefusedError extends StoreError {
  constructor(
    readonly number: string,
    readonly rule: string,
    readonly reason: string,
  ) {
    super('FORBIDDEN', `fax to ${number} refused: ${reason}`);
    this.name = 'DestinationRefusedError';
  }
}

/**
 * The fax is not in a state the job control allows (code CONFLICT); the message says what
 * to do instead, e.g. "stop it first".
 */
export class JobStateError extends StateConflictError {
  constructor(faxId: number, expected: readonly FaxState[], actual: FaxState, message: string) {
    super(faxId, expected, actual);
    this.message = message;
  }
}
