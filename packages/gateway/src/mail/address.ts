// E-mail addresses as faxgate stores and sends to them: a plain addr-spec (no display name, no
// comments, no quoted local part), so that nothing a user typed can add a header or a recipient.
// The database checks the same shape (store migration 0080).
import { InvalidInputError } from '@faxgate/store';

const LOCAL = /^[A-Za-z0-9.!#%&'*+/=^_{|}~-]{1,64}$/;
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** True when `s` is an address faxgate accepts (at most 254 characters, a domain with a dot). */
export function isMailAddress(s: unknown): s is string {
  if (typeof s !== 'string' || s.length > 254) return false;
  const at = s.lastIndexOf('@');
  if (at < 1) return false;
  const local = s.slice(0, at);
  const labels = s.slice(at + 1).split('.');
  if (!LOCAL.test(local) || local.startsWith('.') || local.endsWith('.') || local.includes('..'))
    return false;
  return labels.length >= 2 && labels.every((l) => LABEL.test(l));
}

/** The address, trimmed and with its domain in lower case; refuses anything else with a clear error. */
export function checkMailAddress(s: unknown, what = 'e-mail address'): string {
  const text = typeof s === 'string' ? s.trim() : s;
  if (!isMailAddress(text)) {
    throw new InvalidInputError(`${what} ${JSON.stringify(s)} is not a plain address like name@example.org`);
  }
  const at = text.lastIndexOf('@');
  return `${text.slice(0, at)}@${text.slice(at + 1).toLowerCase()}`;
}
