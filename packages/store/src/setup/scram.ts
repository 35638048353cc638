// SCRAM-SHA-256 password verifiers computed here, so a role's password is sent to the
// server already hashed (as PostgreSQL stores it) and never appears in its statement log.
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { InvalidInputError } from '../errors.js';

const ITERATIONS = 4096; // PostgreSQL's scram_iterations default

/**
 * `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>` (RFC 5802/7677, PostgreSQL's
 * format). Printable ASCII only: PostgreSQL would SASLprep other text, and we do not.
 */
export function scramSha256Verifier(password: string, salt: Buffer = randomBytes(16)): string {
  if (!/^[\x21-\x7e]{12,256}$/.test(password)) {
    throw new InvalidInputError(
      'a database password must be 12..256 printable ASCII characters without spaces',
    );
  }
  const salted = pbkdf2Sync(password, salt, ITERATIONS, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${ITERATIONS}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/** 32 random bytes as URL-safe text (usable in a connection URL without escaping). */
export function generatePassword(): string {
  return randomBytes(32).toString('base64url');
}
