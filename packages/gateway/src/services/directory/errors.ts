// Errors of the directory services (users, groups, mailboxes, grants, tokens).
import { ForbiddenError } from '@faxgate/store';

export class DirectoryForbiddenError extends ForbiddenError {
  constructor(
    message: string,
    readonly details: Record<string, unknown>,
    /** Why, in words (e.g. OLD_PASSWORD_WRONG). */
    readonly reason: string = '',
  ) {
    super(message);
  }
}
