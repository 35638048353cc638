// Outbound number normalisation: whatever a user typed → E.164, the string to dial, and its kind.
import { NumberError } from './errors.js';
import { type NumberingPlan, type NumberKind, UNIVERSAL_EMERGENCY_NUMBERS } from './plan.js';

export interface NormalisedNumber {
  /** '+' and up to 15 digits. */
  e164: string;
  /** What to dial on the line: outside-line prefix + national or international form. */
  dialString: string;
  kind: NumberKind;
}

/** E.164 allows at most 15 digits after the '+'. */
export const E164_MAX_DIGITS = 15;
/** Longer input is refused before any parsing, to keep time and memory bounded. */
const MAX_INPUT_LENGTH = 64;
/** Separators people write inside numbers: spaces, dashes, dots, slashes, parentheses. */
const SEPARATORS = /[\s\-./()]/g;
const UNIVERSAL = new Set(UNIVERSAL_EMERGENCY_NUMBERS);

/** Input cleaned to '+'? digits, or a NumberError naming the first problem. */
function clean(input: unknown): string {
  if (typeof input !== 'string') throw new NumberError('not-a-string', input, 'expected a string');
  if (input.length > MAX_INPUT_LENGTH) {
    throw new NumberError('too-long', input, `longer than ${MAX_INPUT_LENGTH} characters`);
  }
  // '+49 (0)30 …': the '(0)' is the national prefix written for domestic readers, never dialled.
  const s = input
    .trim()
    .replace(/^(\+\d{1,3})\s*\(0\)/, '$1')
    .replace(SEPARATORS, '');
  if (s === '') throw new NumberError('empty', input, 'no digits');
  const bad = /[^0-9+]/.exec(s);
  if (bad) {
    const what = /\p{L}/u.test(bad[0]) ? 'letters are not allowed' : 'only digits, +, spaces, - . / ( )';
    throw new NumberError('bad-character', input, `${what} (found ${JSON.stringify(bad[0])})`);
  }
  if (s.lastIndexOf('+') > 0) throw new NumberError('misplaced-plus', input, "'+' only at the start");
  if (s === '+') throw new NumberError('empty', input, 'no digits');
  return s;
}

function startsWithAny(s: string, prefixes: readonly string[]): boolean {
  return prefixes.some((p) => p !== '' && s.startsWith(p));
}

function isEmergencyCode(nsn: string, plan: NumberingPlan): boolean {
  return (
    UNIVERSAL.has(nsn) || plan.emergencyNumbers.includes(nsn) || startsWithAny(nsn, plan.emergencyPrefixes)
  );
}

/**
 * A national number that is an emergency number; or our own area code followed by one ('030 112');
 * or any 2–5 digit area code followed by one of `emergencyAfterAreaCode` ('089 19222'). Other
 * emergency numbers are not guessed behind foreign area codes: without a table of area codes a
 * short subscriber number ending in 112 (03301 4112) would be refused by mistake.
 */
function isHomeEmergency(nsn: string, plan: NumberingPlan): boolean {
  if (isEmergencyCode(nsn, plan)) return true;
  if (plan.areaCode && nsn.startsWith(plan.areaCode)) {
    // In our own area the split is known: no guessing.
    const rest = nsn.slice(plan.areaCode.length);
    return isEmergencyCode(rest, plan) || plan.emergencyAfterAreaCode.includes(rest);
  }
  if (!/^[2-9]/.test(nsn)) return false;
  for (let areaLength = 2; areaLength <= 5 && areaLength < nsn.length; areaLength++) {
    if (plan.emergencyAfterAreaCode.includes(nsn.slice(areaLength))) return true;
  }
  return false;
}

/** A foreign number that is only a country code (1–3 digits) and an emergency short code: '+1 911'. */
function isForeignEmergency(digits: string): boolean {
  for (let ccLength = 1; ccLength <= 3 && ccLength < digits.length; ccLength++) {
    if (UNIVERSAL.has(digits.slice(ccLength))) return true;
  }
  return false;
}

/** National short codes (110, 115, 116117, 118xx …) are dialled as they are, never behind a prefix. */
function isShortCode(nsn: string, plan: NumberingPlan): boolean {
  return isEmergencyCode(nsn, plan) || startsWithAny(nsn, plan.shortCodePrefixes);
}

function classifyHome(nsn: string, plan: NumberingPlan): NumberKind {
  if (isHomeEmergency(nsn, plan)) return 'emergency';
  if (startsWithAny(nsn, plan.premiumPrefixes)) return 'premium';
  if (startsWithAny(nsn, plan.servicePrefixes)) return 'service';
  if (plan.areaCode && nsn.startsWith(plan.areaCode)) return 'local';
  return 'national';
}

function homeDialString(nsn: string, kind: NumberKind, plan: NumberingPlan): string {
  if (isShortCode(nsn, plan)) return nsn;
  if (plan.dialInternational) return plan.internationalPrefix + plan.countryCode + nsn;
  if (plan.dialLocal && kind === 'local' && plan.areaCode) {
    // Only when the line reads the short form back as the same number.
    const local = nsn.slice(plan.areaCode.length);
    const ambiguous =
      local.length < 3 ||
      (plan.nationalPrefix !== '' && local.startsWith(plan.nationalPrefix)) ||
      local.startsWith(plan.internationalPrefix) ||
      isShortCode(local, plan);
    if (!ambiguous) return local;
  }
  return plan.nationalPrefix + nsn;
}

function checkLength(e164Digits: string, input: unknown): void {
  if (e164Digits.length > E164_MAX_DIGITS) {
    throw new NumberError(
      'too-long',
      input,
      `${e164Digits.length} digits, E.164 allows at most ${E164_MAX_DIGITS}`,
    );
  }
}

/** Digits of an international number (after '+' or the international prefix) → result. */
function fromInternational(digits: string, plan: NumberingPlan, input: unknown): NormalisedNumber {
  if (digits === '' || digits.startsWith('0')) {
    throw new NumberError('bad-country-code', input, 'a country code never starts with 0');
  }
  checkLength(digits, input);
  if (digits.startsWith(plan.countryCode))
    return fromNational(digits.slice(plan.countryCode.length), plan, input);
  if (digits.length < 4)
    throw new NumberError('too-short', input, 'too few digits for an international number');
  const kind: NumberKind = isForeignEmergency(digits) ? 'emergency' : 'international';
  return {
    e164: `+${digits}`,
    dialString: (plan.outsideLinePrefix ?? '') + plan.internationalPrefix + digits,
    kind,
  };
}

/** A national significant number of our own country → result. */
function fromNational(nsn: string, plan: NumberingPlan, input: unknown): NormalisedNumber {
  if (nsn === '') throw new NumberError('too-short', input, 'no digits after the country code');
  checkLength(plan.countryCode + nsn, input);
  const kind = classifyHome(nsn, plan);
  // Short codes have at least 3 digits (115, 11880), other national numbers at least 4.
  if (kind !== 'emergency' && nsn.length < (isShortCode(nsn, plan) ? 3 : 4)) {
    throw new NumberError('too-short', input, 'too few digits for a national number');
  }
  return {
    e164: `+${plan.countryCode}${nsn}`,
    dialString: (plan.outsideLinePrefix ?? '') + homeDialString(nsn, kind, plan),
    kind,
  };
}

/**
 * Normalises a destination as a user writes it ('+49 30 1234-567', '0049301234567',
 * '030 1234567', '1234567' with an area code configured, '0 030 1234567' behind a PBX when
 * `inputHasOutsideLinePrefix`). Throws NumberError naming the problem; never returns a guess.
 * Idempotent: normalising the returned e164 gives the same result.
 */
export function normaliseNumber(input: unknown, plan: NumberingPlan): NormalisedNumber {
  const s = clean(input);
  if (s.startsWith('+')) return fromInternational(s.slice(1), plan, input);
  let digits = s;
  // An emergency number typed as is (with or without the PBX prefix) is recognised before anything
  // else, so that '112' is refused as an emergency call, not as a malformed number.
  if (isEmergencyCode(digits, plan)) return fromNational(digits, plan, input);
  const outside = plan.outsideLinePrefix ?? '';
  if (plan.inputHasOutsideLinePrefix && outside !== '') {
    if (!digits.startsWith(outside)) {
      throw new NumberError(
        'needs-outside-line-prefix',
        input,
        `start with the outside-line prefix ${outside}, or write the number with +`,
      );
    }
    digits = digits.slice(outside.length);
    if (digits === '') throw new NumberError('empty', input, 'no digits after the outside-line prefix');
    if (isEmergencyCode(digits, plan)) return fromNational(digits, plan, input);
  }
  // International before national: '00' starts with '0'.
  if (plan.internationalPrefix !== '' && digits.startsWith(plan.internationalPrefix)) {
    return fromInternational(digits.slice(plan.internationalPrefix.length), plan, input);
  }
  // Without a national prefix (some plans have none) every such number is national.
  if (plan.nationalPrefix === '' || digits.startsWith(plan.nationalPrefix)) {
    return fromNational(digits.slice(plan.nationalPrefix.length), plan, input);
  }
  if (startsWithAny(digits, plan.shortCodePrefixes)) return fromNational(digits, plan, input);
  if (!plan.areaCode) {
    throw new NumberError(
      'needs-area-code',
      input,
      `a local number needs the area code (write it with ${plan.nationalPrefix || '+'}…, or configure areaCode)`,
    );
  }
  if (plan.localNumberLength !== undefined && digits.length > plan.localNumberLength) {
    throw new NumberError(
      'local-too-long',
      input,
      `${digits.length} digits is too long for a local number (at most ${plan.localNumberLength}); ` +
        `a national number starts with ${plan.nationalPrefix}`,
    );
  }
  return fromNational(plan.areaCode + digits, plan, input);
}
