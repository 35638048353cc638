import { describe, expect, it } from 'vitest';
import { numberOfMessage } from './number.js';

const domain = 'fax.example.org';

describe('numberOfMessage', () => {
  it('takes the number from a recipient at the fax domain, with separators, any case of domain', () => {
    expect(numberOfMessage(['+4930123456@fax.example.org'], '', domain)).toEqual({
      ok: true,
      number: '+4930123456',
      from: 'address',
    });
    expect(
      numberOfMessage(['boss@example.org', '030-123.456@FAX.example.org'], 'Fax: 999', domain),
    ).toMatchObject({
      number: '030-123.456',
      from: 'address',
    });
  });

  it('takes the subject when no recipient is at the fax domain', () => {
    expect(numberOfMessage(['fax@example.org'], 'Re: Fax: +49 30 123456 contract', domain)).toEqual({
      ok: true,
      number: '+49 30 123456',
      from: 'subject',
    });
  });

  it('refuses several numbers, a local part that is no number, and no number at all', () => {
    expect(numberOfMessage(['1234@fax.example.org', '5678@fax.example.org'], '', domain)).toMatchObject({
      ok: false,
    });
    const r = numberOfMessage(['sales@fax.example.org'], '', domain);
    expect(r).toEqual({ ok: false, why: '"sales"@fax.example.org is not a fax number' });
    const none = numberOfMessage(['x@example.org'], 'hello', domain);
    expect(none.ok).toBe(false);
    expect(!none.ok && none.why).toContain('no fax number');
  });
});
