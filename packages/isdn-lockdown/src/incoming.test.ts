import { Cip, Reject } from '@faxgate/capi-bindings';
import { describe, expect, it } from 'vitest';
import { decideIncoming } from './incoming.js';
import { resolvePolicy } from './policy.js';

const call = (cip: number, caller = '4930555', called = '100') => ({
  cipValue: cip,
  calledPartyNumber: { typePlan: 0x80, digits: called },
  callingPartyNumber: { typePlan: 0x01, presentation: 0x80, digits: caller },
});

describe('decideIncoming', () => {
  const policy = resolvePolicy({ callerBlocklist: ['0900*', '4930666'], unknownNumber: 'reject' });
  const known = { hasMailbox: (n: string) => n === '100' };

  it.each([
    ['G3 fax', Cip.FAX_G2_G3, 'offer', undefined],
    ['3.1 kHz audio', Cip.AUDIO_3_1_KHZ, 'offer', undefined],
    ['speech', Cip.SPEECH, 'reject', Reject.INCOMPATIBLE_DESTINATION],
    ['telephony', Cip.TELEPHONY, 'reject', Reject.INCOMPATIBLE_DESTINATION],
    ['data', Cip.UNRESTRICTED_DIGITAL, 'reject', Reject.INCOMPATIBLE_DESTINATION],
    ['video', Cip.VIDEO, 'reject', Reject.INCOMPATIBLE_DESTINATION],
    ['video telephony', Cip.VIDEO_TELEPHONY_1, 'reject', Reject.INCOMPATIBLE_DESTINATION],
  ])('%s → %s', (_label, cip, action, reject) => {
    const d = decideIncoming(policy, call(cip), known);
    expect(d.action).toBe(action);
    if (d.action === 'reject') expect(d.reject).toBe(reject);
  });

  it('rejects blocked callers by exact number and by prefix', () => {
    expect(decideIncoming(policy, call(Cip.FAX_G2_G3, '4930666'), known)).toMatchObject({
      rule: 'caller-blocked',
    });
    expect(decideIncoming(policy, call(Cip.FAX_G2_G3, '09001234'), known)).toMatchObject({
      rule: 'caller-blocked',
    });
    expect(decideIncoming(policy, call(Cip.FAX_G2_G3, '4930667'), known).action).toBe('offer');
  });

  it('with a numbering, compares caller and entries in E.164 (type of number counted)', () => {
    // A tiny plan for the test: country 49, national prefix 0, international 00 (the gateway
    // passes the routing plan's normalisation).
    const numbering = {
      caller: (d: string, ton: number) =>
        d.startsWith('+')
          ? d
          : ton === 1
            ? `+${d}`
            : ton === 2
              ? `+49${d.replace(/^0/, '')}`
              : d.startsWith('00')
                ? `+${d.slice(2)}`
                : d.startsWith('0')
                  ? `+49${d.slice(1)}`
                  : undefined,
      entry: (t: string) => (t.startsWith('+') ? t : t.startsWith('0') ? `+49${t.slice(1)}` : undefined),
    };
    const p = resolvePolicy({ callerBlocklist: ['+49891111111', '0900*'] });
    const from = (digits: string, typePlan: number) => ({
      cipValue: Cip.FAX_G2_G3,
      calledPartyNumber: { typePlan: 0x80, digits: '100' },
      callingPartyNumber: { typePlan, presentation: 0x80, digits },
    });
    for (const [digits, typePlan] of [
      ['0891111111', 0x01],
      ['891111111', 0x21],
      ['49891111111', 0x11],
      ['+49891111111', 0x01],
      ['0049891111111', 0x01],
      ['49900123', 0x11],
    ] as const) {
      expect(decideIncoming(p, from(digits, typePlan), { numbering }), digits).toMatchObject({
        rule: 'caller-blocked',
      });
      // without the numbering only the digits as written count (the old behaviour)
      if (digits !== '+49891111111')
        expect(decideIncoming(p, from(digits, typePlan)).action, digits).toBe('offer');
    }
    expect(decideIncoming(p, from('0891111112', 0x01), { numbering }).action).toBe('offer');
    expect(decideIncoming(p, from('891111111', 0x41), { numbering }).action).toBe('offer'); // subscriber: not in 089
  });

  it('rejects numbers without a mailbox only when configured to', () => {
    expect(decideIncoming(policy, call(Cip.FAX_G2_G3, '4930555', '999'), known)).toMatchObject({
      rule: 'no-mailbox',
    });
    const postoffice = resolvePolicy({ unknownNumber: 'postoffice' });
    expect(decideIncoming(postoffice, call(Cip.FAX_G2_G3, '4930555', '999'), known).action).toBe('offer');
  });

  it('rejects every call in outgoing-only mode, fax included', () => {
    const out = resolvePolicy({ mode: 'outgoing-only' });
    for (const cip of [Cip.FAX_G2_G3, Cip.AUDIO_3_1_KHZ, Cip.SPEECH]) {
      expect(decideIncoming(out, call(cip))).toMatchObject({
        action: 'reject',
        rule: 'outgoing-only',
        reject: Reject.NORMAL_CLEARING,
      });
    }
  });
});
