// Refusals of the outgoing pipeline, typed so the API and CLI can show them as they are.
import { ForbiddenError, InvalidInputError, StoreError } from '@faxgate/store';

export { ForbiddenError, InvalidInputError };

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
