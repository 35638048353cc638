// Property tests: random valid numbers in any written form normalise idempotently, and the dial
// string leads back to the same number; random garbage gives a NumberError or a valid result.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NumberError } from './errors.js';
import { E164_MAX_DIGITS, normaliseNumber } from './normalise.js';
import { type NumberingPlan, numberingPlan } from './plan.js';

// Bounded in CI; ROUTER_PROPERTY_RUNS=20000 for a longer search on demand.
const RUNS = Number(process.env.ROUTER_PROPERTY_RUNS ?? 500);
const digitString = (min: number, max: number) =>
  fc.array(fc.integer({ min: 0, max: 9 }), { minLength: min, maxLength: max }).map((d) => d.join(''));
const leading = (first: string, min: number, max: number) =>
  fc.tuple(fc.constantFrom(...first.split('')), digitString(min - 1, max - 1)).map(([a, b]) => a + b);

/** A plan for Germany with random PBX and dial options. */
const germanPlan: fc.Arbitrary<NumberingPlan> = fc
  .record({
    areaCode: fc.constantFrom(undefined, '30', '89', '221', '3301', '33203'),
    outsideLinePrefix: fc.constantFrom(undefined, '0', '9'),
    dialLocal: fc.boolean(),
    dialInternational: fc.boolean(),
  })
  .map((o) => numberingPlan({ countryCode: '49', internationalPrefix: '00', nationalPrefix: '0', ...o }));

/** German national significant numbers: geographic, mobile, service, premium. */
const germanNsn = fc.oneof(
  fc.tuple(leading('23456789', 2, 5), leading('23456789', 3, 8)).map(([a, s]) => a + s),
  fc.tuple(fc.constantFrom('151', '160', '170', '176', '179'), digitString(7, 8)).map(([p, s]) => p + s),
  fc.tuple(fc.constantFrom('1805', '1371', '800', '700', '900'), digitString(6, 7)).map(([p, s]) => p + s),
);

/** Writes digits the way people do: spaces, dashes, slashes, dots between random groups. */
const written = (digits: string) =>
  fc
    .array(fc.constantFrom('', '', ' ', '-', '/', '.'), {
      minLength: digits.length,
      maxLength: digits.length,
    })
    .map((seps) =>
      digits
        .split('')
        .map((d, i) => (i > 0 ? seps[i] : '') + d)
        .join(''),
    );

const germanInput = germanNsn.chain((nsn) =>
  fc.oneof(
    written(nsn).map((w) => `+49 ${w}`),
    written(nsn).map((w) => `0049${w}`),
    written(nsn).map((w) => `0${w}`),
  ),
);

const foreignInput = fc
  .tuple(fc.constantFrom('1', '33', '43', '44', '352', '420', '86'), leading('123456789', 6, 11))
  .chain(([cc, rest]) =>
    fc.oneof(
      written(cc + rest).map((w) => `+${w}`),
      written(cc + rest).map((w) => `00${w}`),
    ),
  );

function roundTrip(input: string, plan: NumberingPlan): void {
  const first = normaliseNumber(input, plan);
  expect(first.e164).toMatch(new RegExp(`^\\+[1-9][0-9]{2,${E164_MAX_DIGITS - 1}}$`));
  // idempotent: normalising the E.164 form gives the very same answer
  expect(normaliseNumber(first.e164, plan)).toEqual(first);
  // what we dial, read back as a PBX user would type it, is the same number
  const dialled = { ...plan, inputHasOutsideLinePrefix: plan.outsideLinePrefix !== undefined };
  expect(normaliseNumber(first.dialString, dialled).e164).toBe(first.e164);
}

describe('normaliseNumber properties', () => {
  it('German numbers in any written form: idempotent, dial string round-trips', () => {
    fc.assert(
      fc.property(germanInput, germanPlan, (input, plan) => roundTrip(input, plan)),
      { numRuns: RUNS },
    );
  });

  it('mobile numbers are national, never local or service', () => {
    fc.assert(
      fc.property(
        fc.tuple(fc.constantFrom('15', '16', '17'), digitString(1, 1), digitString(7, 8)),
        germanPlan,
        ([a, b, s], plan) => {
          expect(normaliseNumber(`0${a}${b} ${s}`, plan).kind).toBe('national');
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('foreign numbers are international and round-trip', () => {
    fc.assert(
      fc.property(foreignInput, germanPlan, (input, plan) => {
        roundTrip(input, plan);
        expect(normaliseNumber(input, plan).kind).toBe('international');
      }),
      { numRuns: RUNS },
    );
  });

  it('local numbers get the area code', () => {
    fc.assert(
      fc.property(leading('23456789', 5, 8), (local) => {
        const plan = numberingPlan({
          countryCode: '49',
          areaCode: '30',
          internationalPrefix: '00',
          nationalPrefix: '0',
        });
        expect(normaliseNumber(local, plan)).toMatchObject({ e164: `+4930${local}`, kind: 'local' });
        roundTrip(local, plan);
      }),
      { numRuns: RUNS },
    );
  });

  it('anything else: a NumberError or a valid, idempotent result — never another exception', () => {
    const junk = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.stringMatching(/^[+0-9 ()./-]{0,30}$/),
      digitString(0, 20),
    );
    fc.assert(
      fc.property(junk, germanPlan, (input, plan) => {
        try {
          roundTrip(input, plan);
        } catch (e) {
          if (!(e instanceof NumberError)) throw e;
          expect(e.message).toMatch(/^number ".*": /s);
        }
      }),
      { numRuns: RUNS * 2 },
    );
  });
});
