import { describe, expect, it } from 'vitest';
import { NumberError, type NumberProblem } from './errors.js';
import { normaliseNumber } from './normalise.js';
import { type NumberingPlanInput, numberingPlan } from './plan.js';

const berlin = numberingPlan({
  countryCode: '49',
  areaCode: '30',
  internationalPrefix: '00',
  nationalPrefix: '0',
});
const pbx = numberingPlan({
  countryCode: '49',
  areaCode: '30',
  internationalPrefix: '00',
  nationalPrefix: '0',
  outsideLinePrefix: '0',
});
const plan = (extra: Partial<NumberingPlanInput>) =>
  numberingPlan({
    countryCode: '49',
    areaCode: '30',
    internationalPrefix: '00',
    nationalPrefix: '0',
    ...extra,
  });

const problemOf = (input: unknown, p = berlin): NumberProblem => {
  try {
    normaliseNumber(input, p);
  } catch (e) {
    if (e instanceof NumberError) return e.problem;
    throw e;
  }
  throw new Error(`expected a NumberError for ${JSON.stringify(input)}`);
};

describe('normaliseNumber (Berlin, no PBX)', () => {
  it.each([
    // input, e164, dialString, kind
    ['+49 30 1234-567', '+49301234567', '0301234567', 'local'],
    ['0049301234567', '+49301234567', '0301234567', 'local'],
    ['030 1234567', '+49301234567', '0301234567', 'local'],
    ['030/123 45 67', '+49301234567', '0301234567', 'local'],
    ['(030) 123.45.67', '+49301234567', '0301234567', 'local'],
    ['+49 (0)30 1234567', '+49301234567', '0301234567', 'local'],
    ['1234567', '+49301234567', '0301234567', 'local'],
    ['089 1234567', '+49891234567', '0891234567', 'national'],
    ['0151 12345678', '+4915112345678', '015112345678', 'national'],
    ['0160 1234567', '+491601234567', '01601234567', 'national'],
    ['0176 12345678', '+4917612345678', '017612345678', 'national'],
    ['0900 1234567', '+499001234567', '09001234567', 'premium'],
    ['11880', '+4911880', '11880', 'premium'],
    ['0180 5 123456', '+491805123456', '01805123456', 'service'],
    ['0137 1234567', '+491371234567', '01371234567', 'service'],
    ['0800 1234567', '+498001234567', '08001234567', 'service'],
    ['115', '+49115', '115', 'service'],
    ['110', '+49110', '110', 'emergency'],
    ['112', '+49112', '112', 'emergency'],
    ['116117', '+49116117', '116117', 'emergency'],
    ['116 000', '+49116000', '116000', 'emergency'],
    ['19222', '+4919222', '19222', 'emergency'],
    ['030 112', '+4930112', '030112', 'emergency'],
    ['089 19222', '+498919222', '08919222', 'emergency'],
    ['+49 112', '+49112', '112', 'emergency'],
    ['030 19222', '+493019222', '03019222', 'emergency'],
    ['030 1219222', '+49301219222', '0301219222', 'local'],
    ['03301 4112', '+4933014112', '033014112', 'national'],
    ['089 112 345', '+4989112345', '089112345', 'national'],
    ['911', '+49911', '911', 'emergency'],
    ['999', '+49999', '999', 'emergency'],
    ['+1 911', '+1911', '001911', 'emergency'],
    ['00 44 999', '+44999', '0044999', 'emergency'],
    ['+33 1 23 45 67 89', '+33123456789', '0033123456789', 'international'],
    ['001 212 555 0100', '+12125550100', '0012125550100', 'international'],
  ])('%s → %s dial %s (%s)', (input, e164, dialString, kind) => {
    expect(normaliseNumber(input, berlin)).toEqual({ e164, dialString, kind });
  });
});

describe('normaliseNumber behind a PBX (outside line 0)', () => {
  it.each([
    ['030 1234567', '+49301234567', '00301234567', 'local'],
    ['+33123456789', '+33123456789', '00033123456789', 'international'],
    ['0176 12345678', '+4917612345678', '0017612345678', 'national'],
    ['112', '+49112', '0112', 'emergency'],
  ])('%s → %s dial %s (%s)', (input, e164, dialString, kind) => {
    expect(normaliseNumber(input, pbx)).toEqual({ e164, dialString, kind });
  });

  it('strips the outside-line prefix users type when configured, and requires it', () => {
    const typed = plan({ outsideLinePrefix: '0', inputHasOutsideLinePrefix: true });
    expect(normaliseNumber('0 030 1234567', typed).e164).toBe('+49301234567');
    expect(normaliseNumber('0 1234567', typed).e164).toBe('+49301234567');
    expect(normaliseNumber('0 0033 123456789', typed).e164).toBe('+33123456789');
    expect(normaliseNumber('+49 89 1234567', typed).dialString).toBe('00891234567');
    // emergency numbers are recognised with or without the PBX prefix
    expect(normaliseNumber('112', typed).kind).toBe('emergency');
    expect(normaliseNumber('0112', typed).kind).toBe('emergency');
    expect(problemOf('1234567', typed)).toBe('needs-outside-line-prefix');
  });

  it('dials in the configured form', () => {
    expect(normaliseNumber('030 1234567', plan({ dialLocal: true })).dialString).toBe('1234567');
    expect(normaliseNumber('089 1234567', plan({ dialLocal: true })).dialString).toBe('0891234567');
    expect(normaliseNumber('030 1234567', plan({ dialInternational: true })).dialString).toBe(
      '0049301234567',
    );
    expect(normaliseNumber('110', plan({ dialInternational: true })).dialString).toBe('110');
  });
});

describe('normaliseNumber refuses bad input with a typed error', () => {
  it.each<[unknown, NumberProblem]>([
    ['', 'empty'],
    ['  - ', 'empty'],
    ['+', 'empty'],
    [undefined, 'not-a-string'],
    [301234567, 'not-a-string'],
    ['030 CALL-ME', 'bad-character'],
    ['0301234567#', 'bad-character'],
    ['030*1234', 'bad-character'],
    ['49+301234567', 'misplaced-plus'],
    ['++49301234567', 'misplaced-plus'],
    ['+49 30 1234567890123', 'too-long'],
    ['0049 1234567890123456', 'too-long'],
    ['1'.repeat(65), 'too-long'],
    ['+0301234567', 'bad-country-code'],
    ['000301234567', 'bad-country-code'],
    ['+49', 'too-short'],
    ['+123', 'too-short'],
    ['030', 'too-short'],
    ['11', 'too-short'],
  ])('%j → %s', (input, problem) => {
    expect(problemOf(input)).toBe(problem);
  });

  it('names the problem in the message', () => {
    expect(() => normaliseNumber('030 CALL-ME', berlin)).toThrow(/letters are not allowed \(found "C"\)/);
    expect(() => normaliseNumber('+49 30 1234567890123', berlin)).toThrow(
      /17 digits, E.164 allows at most 15/,
    );
  });

  it('needs an area code for a local number', () => {
    const noArea = numberingPlan({ countryCode: '49', internationalPrefix: '00', nationalPrefix: '0' });
    expect(problemOf('1234567', noArea)).toBe('needs-area-code');
    expect(normaliseNumber('030 1234567', noArea)).toEqual({
      e164: '+49301234567',
      dialString: '0301234567',
      kind: 'national',
    });
  });

  it('refuses local numbers longer than localNumberLength', () => {
    expect(problemOf('301234567', plan({ localNumberLength: 8 }))).toBe('local-too-long');
    expect(normaliseNumber('12345678', plan({ localNumberLength: 8 })).e164).toBe('+493012345678');
  });

  it('refuses hostile input without parsing it', () => {
    expect(problemOf(`${'('.repeat(30)}${'-'.repeat(30)}x`)).toBe('bad-character');
    expect(problemOf('9'.repeat(100_000))).toBe('too-long');
    const e = (() => {
      try {
        normaliseNumber('x'.repeat(100_000), berlin);
      } catch (err) {
        return err as NumberError;
      }
    })();
    // the error keeps at most 64 characters of the input, so logs cannot be flooded
    expect(e?.input.length).toBe(64);
  });
});

describe('other numbering plans', () => {
  it('uses the generic defaults (112 only) and the configured prefixes', () => {
    const nanp = numberingPlan({
      countryCode: '1',
      areaCode: '212',
      internationalPrefix: '011',
      nationalPrefix: '1',
    });
    expect(normaliseNumber('011 49 30 1234567', nanp)).toEqual({
      e164: '+49301234567',
      dialString: '01149301234567',
      kind: 'international',
    });
    expect(normaliseNumber('1 415 555 0100', nanp).e164).toBe('+14155550100');
    expect(normaliseNumber('555 0100', nanp).e164).toBe('+12125550100');
    expect(normaliseNumber('911', nanp).kind).toBe('emergency');
  });

  it('treats every number as national where there is no national prefix', () => {
    const noTrunk = numberingPlan({ countryCode: '45', internationalPrefix: '00', nationalPrefix: '' });
    expect(normaliseNumber('3312 3456', noTrunk)).toEqual({
      e164: '+4533123456',
      dialString: '33123456',
      kind: 'national',
    });
  });
});
