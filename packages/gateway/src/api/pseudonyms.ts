// Which callers see remote numbers only as pseudonyms (privacy.pseudonymiseNumbersFor), for
// the routes that export numbers. A missing or loose key file is a 503: never clear numbers.
import { type Pseudonymise, PseudonymKeyError, pseudonymiserFor } from '../review/pseudonym.js';
import type { ApiServices, Principal } from './context.js';
import { ApiError } from './errors.js';

export function pseudonymiserOf(services: ApiServices, p: Principal): Pseudonymise | null {
  try {
    return pseudonymiserFor(services.config.privacy, p.user.roles);
  } catch (e) {
    if (e instanceof PseudonymKeyError) throw new ApiError(503, 'unavailable', e.message);
    throw e;
  }
}
