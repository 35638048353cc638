import { Cip } from '@faxgate/capi-bindings';
import { describe, expect, it } from 'vitest';
import { PolicyError } from './errors.js';
import { listenCipMask, resolvePolicy, tsiBlocked } from './policy.js';

describe('resolvePolicy', () => {
  it('defaults to fax only: 3.1 kHz audio and G3 fax, no colour, JBIG or polling', () => {
    const p = resolvePolicy();
    expect(p.incomingServices).toEqual([Cip.AUDIO_3_1_KHZ, Cip.FAX_G2_G3]);
    expect([p.colour, p.jbig, p.polling]).toEqual([false, false, false]);
    expect(listenCipMask(p)).toBe((1 << 4) | (1 << 17));
  });

  it('listens for nothing in outgoing-only mode', () => {
    expect(listenCipMask(resolvePolicy({ mode: 'outgoing-only' }))).toBe(0);
  });

  it('refuses services that are not fax and names the key', () => {
    expect(() => resolvePolicy({ incomingServices: [Cip.VIDEO] })).toThrow(PolicyError);
    expect(() => resolvePolicy({ incomingServices: [Cip.UNRESTRICTED_DIGITAL] })).toThrow(
      /lockdown.incomingServices/,
    );
    expect(() => resolvePolicy({ b3Protocols: [0 as 4] })).toThrow(/lockdown.b3Protocols/);
    expect(() => resolvePolicy({ callerBlocklist: ['12a'] })).toThrow(/lockdown.callerBlocklist/);
    expect(() => resolvePolicy({ tsiBlocklist: ['('] })).toThrow(/lockdown.tsiBlocklist/);
    expect(() => resolvePolicy({ mode: 'both' as 'send-receive' })).toThrow(/lockdown.mode/);
  });

  it('matches TSI blocklist patterns case-insensitively', () => {
    const p = resolvePolicy({ tsiBlocklist: ['^spam', '0900'] });
    expect(tsiBlocked(p, 'SPAM Corp')).toBe(true);
    expect(tsiBlocked(p, '+49 900 123')).toBe(false);
    expect(tsiBlocked(p, '+49 0900 123')).toBe(true);
    expect(tsiBlocked(p, undefined)).toBe(false);
  });
});
