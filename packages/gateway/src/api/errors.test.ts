// How errors become answers: store, pipeline and PostgreSQL data errors are the client's
// (4xx); anything unknown is a 500 that says nothing about its cause.
import { InvalidInputError, NotFoundError } from '@faxgate/store';
import { describe, expect, it } from 'vitest';
import { toApiError } from './errors.js';

/** An error shaped like the pg driver's DatabaseError. */
function pgError(code: string, message: string) {
  return Object.assign(new Error(message), { code, severity: 'ERROR' });
}

describe('toApiError', () => {
  it.each([
    ['22003', 'value "9223372036854775808" is out of range for type bigint'],
    ['22021', 'invalid byte sequence for encoding "UTF8": 0x00'],
    ['22P02', 'invalid input syntax for type bigint: "x"'],
  ])('PostgreSQL data exception %s → 400 without the value', (code, message) => {
    const api = toApiError(pgError(code, message));
    expect(api.status).toBe(400);
    expect(api.code).toBe('invalid_input');
    expect(api.message).not.toContain('9223372036854775808');
    expect(api.message).not.toContain('0x00');
  });

  it('other PostgreSQL errors and unknown errors stay 500, saying nothing', () => {
    expect(toApiError(pgError('23505', 'duplicate key value violates unique constraint')).status).toBe(500);
    expect(toApiError(pgError('42P01', 'relation "x" does not exist')).status).toBe(500);
    const api = toApiError(new Error('secret detail'));
    expect([api.status, api.message]).toEqual([500, 'internal error (logged)']);
    // A non-driver error that happens to carry a class-22-like code is not trusted.
    expect(toApiError(Object.assign(new Error('x'), { code: '22003' })).status).toBe(500);
  });

  it('store errors map to 400 and 404', () => {
    expect(toApiError(new InvalidInputError('user name must not contain control characters')).status).toBe(
      400,
    );
    expect(toApiError(new NotFoundError('user', 'x')).status).toBe(404);
  });
});
