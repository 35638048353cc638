// A self-service password change checks the old password: that check is throttled and
// counted exactly like a login (login-throttle.ts), whichever route it comes through
// (POST /sessions/current/password or PATCH /users/{me}) — a stolen session cannot be used
// to guess the password.
import type { FastifyReply } from 'fastify';
import { DirectoryForbiddenError, OLD_PASSWORD_WRONG } from '../services/directory/index.js';
import { ApiError } from './errors.js';
import type { AttemptVerdict, LoginThrottle } from './login-throttle.js';

/** The 429 of a refused attempt, with Retry-After. */
export function tooManyAttempts(reply: FastifyReply, verdict: AttemptVerdict & { allowed: false }): ApiError {
  reply.header('retry-after', String(verdict.retryAfter));
  return new ApiError(
    429,
    'too_many_attempts',
    `too many login attempts; try again in ${verdict.retryAfter} s`,
  );
}

/** Runs `change` (which checks the old password) as one counted attempt of `user` from `addr`. */
export async function throttledPasswordChange<T>(
  throttle: LoginThrottle,
  reply: FastifyReply,
  user: string,
  addr: string,
  change: () => Promise<T>,
): Promise<T> {
  const verdict = await throttle.begin(user, addr);
  if (!verdict.allowed) {
    await throttle.failed(user, addr, 'throttled', verdict.by);
    throw tooManyAttempts(reply, verdict);
  }
  try {
    const result = await change();
    await throttle.succeeded(user, addr);
    return result;
  } catch (e) {
    if (e instanceof DirectoryForbiddenError && e.reason === OLD_PASSWORD_WRONG) {
      await throttle.failed(user, addr, 'bad_old_password');
    }
    throw e;
  }
}
