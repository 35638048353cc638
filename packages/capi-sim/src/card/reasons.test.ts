// The numbers the card puts on the wire, pinned as literals: the split of card.ts into
// concerns named them after capi-bindings' constants and must not have changed one.
import { describe, expect, it } from 'vitest';
import {
  calledNumber,
  callingNumber,
  connectedNumber,
  isVoiceBand,
  MAX_CIP,
  outcomeOfReason,
  rejectReason,
} from './reasons.js';

describe('reasons', () => {
  it('maps CONNECT_RESP Reject values to the network Reason the caller hears', () => {
    const got = [2, 3, 4, 5, 6, 7, 8].map(rejectReason);
    expect(got).toEqual([0x3490, 0x3491, 0x34a2, 0x349d, 0x34a2, 0x34d8, 0x349b]);
    expect(rejectReason(0x3400)).toBe(0x3400);
    expect(rejectReason(0x34ff)).toBe(0x34ff);
    expect(rejectReason(9)).toBe(0x3490);
    expect(rejectReason(0x3500)).toBe(0x3490);
  });

  it('gives the outcome of a network clearing before answer', () => {
    const cases: [number, string][] = [
      [0x3491, 'busy'],
      [0x3492, 'no-answer'],
      [0x3493, 'no-answer'],
      [0x3481, 'unallocated'],
      [0x34d8, 'incompatible'],
      [0x34a2, 'no-channel'],
      [0x3301, 'line-drop'],
      [0x3495, 'rejected'],
      [0x349c, 'rejected'],
    ];
    for (const [reason, outcome] of cases) expect(outcomeOfReason(reason)).toBe(outcome);
  });

  it('knows the voice-band services and the highest CIP', () => {
    expect([0, 1, 2, 3, 4, 16, 17, 28].filter(isVoiceBand)).toEqual([0, 1, 4, 16, 17]);
    expect(MAX_CIP).toBe(28);
  });

  it('reports the party numbers with the type/plan and presentation bytes of before', () => {
    expect(connectedNumber('3001')).toEqual({ typePlan: 0x81, presentation: 0x80, digits: '3001' });
    expect(calledNumber('3001')).toEqual({ typePlan: 0x81, digits: '3001' });
    expect(callingNumber('0301234')).toEqual({ typePlan: 0x21, presentation: 0x81, digits: '0301234' });
    expect(callingNumber('1', 0x11)).toMatchObject({ typePlan: 0x11 });
  });
});
