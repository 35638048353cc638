// Inbound routing (design anchor 6, M 4.37): called number (MSN / DDI), caller and TSI → mailbox.
import { NumberError } from './errors.js';
import { normaliseNumber } from './normalise.js';
import type { NumberingPlan } from './plan.js';

/** The least a routing decision needs to know about a mailbox (a store `Mailbox` fits). */
export interface MailboxRef {
  id: number;
  name: string;
}

/** A number matcher; numbers are compared in E.164. */
export type NumberMatch =
  | { equals: string }
  /** Closed range of equally long E.164 numbers, e.g. a DDI block '+49301234500'..'+49301234599'. */
  | { from: string; to: string }
  | { regex: RegExp }
  /** Matches only when the number is absent or unreadable (CLIR, global call): reject anonymous senders. */
  | { absent: true };

export interface InboundRule<M extends MailboxRef = MailboxRef> {
  /** Name for logs and audit; defaults to 'rule N' (1-based position). */
  name: string;
  called?: NumberMatch;
  /** Caller number (CLI); can be suppressed or spoofed (M 4.37) — never the only guard for secrets. */
  caller?: NumberMatch;
  /** Transmitting subscriber identification, sent by the remote fax; as spoofable as the CLI. */
  tsi?: RegExp;
  action: { mailbox: M } | { reject: string };
}

/**
 * How to read the called party number of an incoming call (capi4hylafax model):
 * - msn: the number is one of our MSNs, written as the network delivers it (usually without area code);
 * - ddi: point-to-point line; the last `length` digits are the extension, appended to `base`
 *   (capi4hylafax `DDIOffset`/`DDILength`): base '+4930123450', length 2, called '…4512' → '+493012345012'.
 */
export type CalledNumberMode = { mode: 'msn' } | { mode: 'ddi'; base: string; length: number };

/** CAPI called/calling party number type (ETS 300 102 type of number). */
export type TypeOfNumber = 'unknown' | 'international' | 'national' | 'subscriber';

export interface IncomingCall {
  /** Called party number digits as CAPI delivers them; absent for a global call. */
  called?: string;
  calledType?: TypeOfNumber;
  caller?: string;
  callerType?: TypeOfNumber;
  /** TSI of the remote fax (T.30: at most 20 characters; longer input is cut). */
  tsi?: string;
}

export type InboundDecision<M extends MailboxRef = MailboxRef> =
  | { action: 'deliver'; mailbox: M; rule: string; called?: string; caller?: string }
  | { action: 'reject'; rule: string; reason: string; called?: string; caller?: string };

/** T.30 TSI/CSI is 20 characters; anything longer is not a real TSI. */
export const TSI_MAX_LENGTH = 20;
const MAX_DIGITS_INPUT = 64;

/** A number as the network sent it → E.164, or undefined when it cannot be understood. */
export function networkNumberToE164(
  digits: string | undefined,
  type: TypeOfNumber | undefined,
  plan: NumberingPlan,
): string | undefined {
  if (digits === undefined || digits.length === 0 || digits.length > MAX_DIGITS_INPUT) return undefined;
  // The network never puts a PBX prefix in front of a number it delivers to us.
  const netPlan: NumberingPlan = { ...plan, inputHasOutsideLinePrefix: false };
  // Some exchanges and PBXs present a number already written out ('0891234567', '+49…',
  // '0049…') with type national or international: read those as written. (A national
  // significant number never starts with the national prefix, a country code never with
  // the international one.)
  const as = type !== undefined && writtenOut(digits, type, plan) ? 'unknown' : type;
  const written =
    as === 'international'
      ? `+${digits}`
      : as === 'national'
        ? plan.nationalPrefix + digits
        : as === 'subscriber'
          ? plan.nationalPrefix + (plan.areaCode ?? '') + digits
          : digits;
  try {
    return normaliseNumber(written, netPlan).e164;
  } catch (e) {
    if (e instanceof NumberError) return undefined;
    throw e;
  }
}

function writtenOut(digits: string, type: TypeOfNumber, plan: NumberingPlan): boolean {
  if (digits.startsWith('+')) return true;
  if (type === 'international')
    return plan.internationalPrefix !== '' && digits.startsWith(plan.internationalPrefix);
  if (type === 'national') return plan.nationalPrefix !== '' && digits.startsWith(plan.nationalPrefix);
  return false;
}

/**
 * A number prefix as people write it ('0900', '+49900', '0049 900', '030 1234') → the E.164
 * prefix it stands for ('+49900', '+4930 1234' → '+49301234'): the international prefix
 * becomes '+', the national prefix our country code, anything else is local (our area code;
 * undefined without one). Undefined for what is not digits. For blocklists of caller numbers.
 */
export function numberPrefixToE164(text: string, plan: NumberingPlan): string | undefined {
  const t = text.replace(/[\s\-./()]/g, '');
  if (!/^\+?[0-9]+$/.test(t) || t.length > MAX_DIGITS_INPUT) return undefined;
  if (t.startsWith('+')) return t;
  if (plan.internationalPrefix !== '' && t.startsWith(plan.internationalPrefix))
    return `+${t.slice(plan.internationalPrefix.length)}`;
  if (plan.nationalPrefix !== '' && t.startsWith(plan.nationalPrefix))
    return `+${plan.countryCode}${t.slice(plan.nationalPrefix.length)}`;
  return plan.areaCode ? `+${plan.countryCode}${plan.areaCode}${t}` : undefined;
}

/** The called number of an incoming call in E.164, per the line's MSN/DDI mode. */
export function calledToE164(
  call: IncomingCall,
  mode: CalledNumberMode,
  plan: NumberingPlan,
): string | undefined {
  if (mode.mode === 'msn') return networkNumberToE164(call.called, call.calledType, plan);
  const digits = (call.called ?? '').replace(/\D/g, '');
  if (digits.length < mode.length || digits.length > MAX_DIGITS_INPUT) return undefined;
  return mode.base + digits.slice(digits.length - mode.length);
}

export function matchNumber(m: NumberMatch, e164: string | undefined): boolean {
  if ('absent' in m) return e164 === undefined;
  if (e164 === undefined) return false;
  if ('equals' in m) return e164 === m.equals;
  if ('from' in m) return e164.length === m.from.length && e164 >= m.from && e164 <= m.to;
  return m.regex.test(e164);
}

/** Numbers of a call already in E.164 (undefined = absent or not understood). */
export interface ResolvedCall {
  called?: string;
  caller?: string;
  tsi?: string;
}

/**
 * First matching rule wins; every condition a rule names must hold (an absent caller or TSI
 * fails a rule that asks for one). No rule matches → the default mailbox (the fax post office).
 */
export function matchRules<M extends MailboxRef>(
  call: ResolvedCall,
  rules: readonly InboundRule<M>[],
  defaultMailbox: M,
): InboundDecision<M> {
  const { called, caller } = call;
  const tsi = call.tsi?.slice(0, TSI_MAX_LENGTH).trim();
  const numbers = { ...(called ? { called } : {}), ...(caller ? { caller } : {}) };
  for (const rule of rules) {
    if (rule.called && !matchNumber(rule.called, called)) continue;
    if (rule.caller && !matchNumber(rule.caller, caller)) continue;
    if (rule.tsi && (tsi === undefined || !rule.tsi.test(tsi))) continue;
    if ('reject' in rule.action)
      return { action: 'reject', rule: rule.name, reason: rule.action.reject, ...numbers };
    return { action: 'deliver', mailbox: rule.action.mailbox, rule: rule.name, ...numbers };
  }
  return { action: 'deliver', mailbox: defaultMailbox, rule: 'default', ...numbers };
}

/** Routes an incoming call as the network delivered it. */
export function decideIncoming<M extends MailboxRef>(
  call: IncomingCall,
  rules: readonly InboundRule<M>[],
  defaultMailbox: M,
  mode: CalledNumberMode,
  plan: NumberingPlan,
): InboundDecision<M> {
  return matchRules(
    {
      called: calledToE164(call, mode, plan),
      caller: networkNumberToE164(call.caller, call.callerType, plan),
      tsi: call.tsi,
    },
    rules,
    defaultMailbox,
  );
}
