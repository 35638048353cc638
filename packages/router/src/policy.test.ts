import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normaliseNumber } from './normalise.js';
import { NUMBER_KINDS, numberingPlan } from './plan.js';
import { type DestinationPolicy, decideDestination } from './policy.js';

const berlin = numberingPlan({
  countryCode: '49',
  areaCode: '30',
  internationalPrefix: '00',
  nationalPrefix: '0',
});

const policy: DestinationPolicy = {
  deny: ['+49301234', '+4917612345678', '+33'],
  allow: ['+4990012345', '+43'],
  allowOnly: false,
  blockKinds: ['premium', 'international'],
  groups: {
    export: { allow: [], allowKinds: ['international'] },
    france: { allow: ['+33'], allowKinds: [] },
    hotline: { allow: ['+49900'], allowKinds: [] },
    everything: { allow: ['+'], allowKinds: ['premium', 'international', 'service'] },
  },
};

const decide = (number: string, groups: string[] = [], p = policy) => {
  const n = normaliseNumber(number, berlin);
  return decideDestination(n.e164, n.kind, p, groups);
};

describe('destination policy: each rule', () => {
  it.each([
    // number, groups, allowed, rule
    ['030 9876543', [], true, 'default'],
    ['089 1234567', [], true, 'default'],
    ['0176 11111111', [], true, 'default'],
    ['0180 5123456', [], true, 'default'],
    ['0900 5555555', [], false, 'block:premium'],
    ['11880', [], false, 'block:premium'],
    ['+44 20 7946 0000', [], false, 'block:international'],
    ['+43 1 234567', [], true, 'allow:+43'],
    ['0900 1234567', [], true, 'allow:+4990012345'],
    ['030 1234 999', [], false, 'deny:+49301234'],
    ['0176 12345678', [], false, 'deny:+4917612345678'],
    ['+44 20 7946 0000', ['export'], true, 'group:export:kind:international'],
    ['0900 5555555', ['export'], false, 'block:premium'],
    ['0900 5555555', ['hotline'], true, 'group:hotline:allow:+49900'],
    ['+44 20 7946 0000', ['unknown-group'], false, 'block:international'],
  ] as const)('%s groups=%j → %s %s', (number, groups, allowed, rule) => {
    const d = decide(number, [...groups]);
    expect({ allowed: d.allowed, rule: d.rule }).toEqual({ allowed, rule });
  });

  it('gives the user a reason', () => {
    expect(decide('0900 5555555')).toMatchObject({
      allowed: false,
      reason: expect.stringMatching(/premium-rate numbers are blocked/),
    });
    expect(decide('112')).toMatchObject({
      allowed: false,
      reason: expect.stringMatching(/\+49112 is an emergency number/),
    });
    expect(decide('030 1234 999')).toMatchObject({
      allowed: false,
      reason: expect.stringMatching(/starting with \+49301234 are blocked/),
    });
  });
});

describe('destination policy: precedence', () => {
  it.each(['110', '112', '116117', '19222', '030 112', '+1 911', '+44 999', '911'])(
    'emergency %s is refused even for a group that allows everything',
    (number) => {
      expect(decide(number, ['everything'])).toMatchObject({ allowed: false, rule: 'emergency' });
      const open: DestinationPolicy = {
        deny: [],
        allow: ['+'],
        allowOnly: false,
        blockKinds: [],
        groups: {},
      };
      expect(decide(number, [], open)).toMatchObject({ allowed: false, rule: 'emergency' });
    },
  );

  it('explicit deny beats a group allow (france may dial +33 but +33 is denied)', () => {
    expect(decide('+33 1 23456789', ['france'])).toMatchObject({ allowed: false, rule: 'deny:+33' });
    expect(decide('+33 1 23456789', ['everything'])).toMatchObject({ allowed: false, rule: 'deny:+33' });
  });

  it('group allow beats the global allow-only list', () => {
    const only: DestinationPolicy = { ...policy, deny: [], allow: ['+4930'], allowOnly: true };
    expect(decide('089 1234567', [], only)).toMatchObject({ allowed: false, rule: 'allow-only' });
    expect(decide('030 7654321', [], only)).toMatchObject({ allowed: true, rule: 'allow:+4930' });
    expect(decide('+44 20 7946 0000', ['export'], only)).toMatchObject({
      allowed: true,
      rule: 'group:export:kind:international',
    });
    expect(decide('+33 1 23456789', ['france'], only)).toMatchObject({
      allowed: true,
      rule: 'group:france:allow:+33',
    });
  });

  it('the global allow list beats the premium and international blocks', () => {
    expect(decide('+43 1 234567')).toMatchObject({ allowed: true, rule: 'allow:+43' });
    expect(decide('+44 1 234567')).toMatchObject({ allowed: false, rule: 'block:international' });
  });

  it('uses the longest matching prefix in the reported rule', () => {
    const p: DestinationPolicy = { ...policy, deny: ['+49', '+4930', '+493012'] };
    expect(decide('030 1234567', [], p).rule).toBe('deny:+493012');
  });

  it('reports the same group rule whatever order the groups come in', () => {
    expect(decide('+33 1 23456789', ['hotline', 'export'], { ...policy, deny: [] }).rule).toBe(
      decide('+33 1 23456789', ['export', 'hotline'], { ...policy, deny: [] }).rule,
    );
  });

  it('blocks service numbers only when configured', () => {
    const p: DestinationPolicy = { ...policy, blockKinds: ['service'] };
    expect(decide('0180 5123456', [], p)).toMatchObject({ allowed: false, rule: 'block:service' });
    expect(decide('0900 5555555', [], p)).toMatchObject({ allowed: true, rule: 'default' });
  });
});

describe('destination policy: property', () => {
  const prefix = fc.constantFrom('+', '+4', '+49', '+491', '+4911', '+49112', '+1', '+19', '+4930', '+44');
  const kinds = fc.subarray([...NUMBER_KINDS]);
  const anyPolicy: fc.Arbitrary<DestinationPolicy> = fc.record({
    deny: fc.array(prefix, { maxLength: 3 }),
    allow: fc.array(prefix, { maxLength: 3 }),
    allowOnly: fc.boolean(),
    blockKinds: kinds,
    groups: fc.dictionary(
      fc.constantFrom('a', 'b', 'c'),
      fc.record({ allow: fc.array(prefix, { maxLength: 3 }), allowKinds: kinds }),
    ),
  });

  it('no policy and no group ever lets an emergency number through', () => {
    const emergency = fc.constantFrom('110', '112', '116117', '19222', '030 112', '+1 911', '999', '+44 999');
    fc.assert(
      fc.property(emergency, anyPolicy, fc.subarray(['a', 'b', 'c']), (number, p, groups) => {
        expect(decide(number, groups, p)).toMatchObject({ allowed: false, rule: 'emergency' });
      }),
      { numRuns: 300 },
    );
  });

  it('a denied prefix is refused whatever the groups allow', () => {
    fc.assert(
      fc.property(anyPolicy, fc.subarray(['a', 'b', 'c']), (p, groups) => {
        const d = decide('030 1234567', groups, { ...p, deny: [...p.deny, '+4930'] });
        expect(d.allowed).toBe(false);
        expect(d.rule).toMatch(/^deny:\+/);
      }),
      { numRuns: 300 },
    );
  });
});
