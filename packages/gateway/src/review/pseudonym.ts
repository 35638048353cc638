// Remote numbers pseudonymised in exports for roles that need no numbers (works-council
// scope of logging): a keyed hash (HMAC-SHA-256) with a secret from a key file, so the same
// number maps to the same pseudonym within one installation — patterns stay visible — but
// nobody without the key can go back (a plain hash of a phone number is reversed by trying
// every number; a keyed one is not).
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import type { Role } from '@faxgate/store';

export class PseudonymKeyError extends Error {}

/** A pseudonym function, or null when numbers are shown as they are. */
export type Pseudonymise = (number: string | null | undefined) => string | null;

const MIN_KEY_BYTES = 16;

/** Reads the key file: at least 16 bytes, not readable by others. */
export function readPseudonymKey(file: string): Buffer {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    throw new PseudonymKeyError(
      `privacy.pseudonymKeyFile ${file} does not exist: create it with 32 random bytes (e.g. head -c 32 /dev/urandom > ${file}; chmod 600)`,
    );
  }
  if (!st.isFile()) throw new PseudonymKeyError(`privacy.pseudonymKeyFile ${file} is not a file`);
  if ((st.mode & 0o077) !== 0)
    throw new PseudonymKeyError(
      `privacy.pseudonymKeyFile ${file} must not be readable by group or others (chmod 600)`,
    );
  const key = fs.readFileSync(file);
  if (key.length < MIN_KEY_BYTES)
    throw new PseudonymKeyError(`privacy.pseudonymKeyFile ${file} holds fewer than ${MIN_KEY_BYTES} bytes`);
  return key;
}

/**
 * The pseudonym of one number: `pn-` and 16 hex digits of its HMAC. A number is hashed by its
 * digits (spaces, dashes and slashes do not matter); a value without digits (a station id or
 * caller name) by its trimmed lower-case text, so different names stay apart.
 */
export function pseudonymOf(key: Buffer, number: string): string {
  const digits = number.replace(/[^0-9+*#]/g, '');
  const text = /[0-9]/.test(digits) ? digits : `t:${number.trim().toLowerCase()}`;
  return `pn-${createHmac('sha256', key).update(text).digest('hex').slice(0, 16)}`;
}

export interface PrivacyConfig {
  pseudonymiseNumbersFor: readonly Role[];
  pseudonymKeyFile: string;
}

/** Does a caller with these roles see numbers only as pseudonyms? Only when every role of it is listed. */
export function needsPseudonyms(privacy: PrivacyConfig, roles: readonly Role[]): boolean {
  const listed = new Set(privacy.pseudonymiseNumbersFor);
  return roles.length > 0 && roles.every((r) => listed.has(r));
}

/** The pseudonymiser for a caller, or null when it sees numbers; a missing key is an error, never clear numbers. */
export function pseudonymiserFor(privacy: PrivacyConfig, roles: readonly Role[]): Pseudonymise | null {
  if (!needsPseudonyms(privacy, roles)) return null;
  const key = readPseudonymKey(privacy.pseudonymKeyFile);
  return (n) => (n ? pseudonymOf(key, n) : (n ?? null));
}
