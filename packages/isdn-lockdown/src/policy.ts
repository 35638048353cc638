// The lockdown policy (M 4.59, NET.4.3.A3): what the card may be used for. Everything not
// named here is refused. Defaults are the strict fax-only set.
import { Cip } from '@faxgate/capi-bindings';
import { PolicyError } from './errors.js';

export type LockdownMode = 'send-receive' | 'outgoing-only';

/** What happens to a fax call for a number no mailbox owns. */
export type UnknownNumberAction = 'postoffice' | 'reject';

export interface LockdownPolicy {
  mode: LockdownMode;
  /** CIP values accepted for incoming calls (LISTEN mask and CONNECT_IND check). */
  incomingServices: number[];
  /** CIP values we may dial out with (CONNECT_REQ). */
  outgoingServices: number[];
  /** B3 protocols allowed with B1 = 4 / B2 = 4: 4 (T.30) and/or 5 (T.30 extended). */
  b3Protocols: Array<4 | 5>;
  /** Error correction mode may be used (B3 = 5 without the "no ECM" option). */
  ecm: boolean;
  /** Colour/JPEG, JBIG and polling: off unless allowed. */
  colour: boolean;
  jbig: boolean;
  polling: boolean;
  /** Caller numbers refused (M 4.37): exact digits, or a prefix ending in `*`. */
  callerBlocklist: string[];
  /** Remote station ids (TSI) refused: case-insensitive regular expressions. */
  tsiBlocklist: string[];
  unknownNumber: UnknownNumberAction;
}

/** The services the brief allows by default: 3.1 kHz audio and G3 fax. */
export const DEFAULT_INCOMING_SERVICES = [Cip.AUDIO_3_1_KHZ, Cip.FAX_G2_G3];
/** Speech/telephony: only when an admin allows analog fax arriving through a PBX. */
export const ANALOG_VIA_PBX_SERVICES = [Cip.SPEECH, Cip.TELEPHONY];
const ALLOWED_SERVICES = new Set<number>([...DEFAULT_INCOMING_SERVICES, ...ANALOG_VIA_PBX_SERVICES]);

export const DEFAULT_POLICY: Readonly<LockdownPolicy> = Object.freeze<LockdownPolicy>({
  mode: 'send-receive',
  incomingServices: [...DEFAULT_INCOMING_SERVICES],
  outgoingServices: [...DEFAULT_INCOMING_SERVICES],
  b3Protocols: [4, 5] as Array<4 | 5>,
  ecm: true,
  colour: false,
  jbig: false,
  polling: false,
  callerBlocklist: [],
  tsiBlocklist: [],
  unknownNumber: 'postoffice',
});

/** Fills in defaults and refuses settings that would offer more than fax. */
export function resolvePolicy(input: Partial<LockdownPolicy> = {}): LockdownPolicy {
  const p: LockdownPolicy = { ...DEFAULT_POLICY, ...input } as LockdownPolicy;
  if (p.mode !== 'send-receive' && p.mode !== 'outgoing-only') {
    throw new PolicyError('lockdown.mode', `must be send-receive or outgoing-only, got ${String(p.mode)}`);
  }
  for (const key of ['incomingServices', 'outgoingServices'] as const) {
    const list = p[key];
    if (!Array.isArray(list)) throw new PolicyError(`lockdown.${key}`, 'must be a list of CIP values');
    for (const v of list) {
      if (!ALLOWED_SERVICES.has(v)) {
        throw new PolicyError(
          `lockdown.${key}`,
          `CIP ${v} is not a fax service (allowed: 4 audio, 17 fax, and 1/16 speech/telephony for analog fax via a PBX)`,
        );
      }
    }
  }
  if (!Array.isArray(p.b3Protocols) || p.b3Protocols.length === 0) {
    throw new PolicyError('lockdown.b3Protocols', 'must list 4 and/or 5');
  }
  for (const b3 of p.b3Protocols) {
    if (b3 !== 4 && b3 !== 5) throw new PolicyError('lockdown.b3Protocols', `B3 ${b3} is not a fax protocol`);
  }
  for (const pattern of p.callerBlocklist) {
    if (!/^\+?[0-9]+\*?$/.test(pattern)) {
      throw new PolicyError(
        'lockdown.callerBlocklist',
        `"${pattern}" is not digits with an optional trailing *`,
      );
    }
  }
  for (const pattern of p.tsiBlocklist) {
    try {
      new RegExp(pattern, 'i');
    } catch (e) {
      throw new PolicyError(
        'lockdown.tsiBlocklist',
        `"${pattern}" is not a regular expression: ${(e as Error).message}`,
      );
    }
  }
  if (p.unknownNumber !== 'postoffice' && p.unknownNumber !== 'reject') {
    throw new PolicyError('lockdown.unknownNumber', 'must be postoffice or reject');
  }
  return p;
}

/** The CIP mask to LISTEN with: nothing at all in outgoing-only mode. */
export function listenCipMask(policy: LockdownPolicy): number {
  if (policy.mode === 'outgoing-only') return 0;
  let mask = 0;
  for (const v of policy.incomingServices) mask = (mask | (1 << v)) >>> 0;
  return mask;
}

/**
 * How caller numbers and caller blocklist entries are brought to one form (E.164) before they
 * are compared, so `+49891111111` blocks `0891111111` and `891111111` typed national. The
 * gateway builds it from the routing numbering plan (this package knows no plan).
 */
export interface CallerNumbering {
  /** A caller as the network presented it: digits and Q.931 type of number (0..7) → E.164. */
  caller(digits: string, typeOfNumber: number): string | undefined;
  /** A blocklist entry as written: a whole number, or (`prefix`) the part before its `*`. */
  entry(text: string, prefix: boolean): string | undefined;
}

/**
 * Is the caller on the blocklist? The digits as presented are compared with each entry as
 * written; with `numbering`, also both in E.164 (an entry that cannot be normalised is
 * compared as written only).
 */
export function callerBlocked(
  policy: LockdownPolicy,
  caller: string | undefined,
  numbering?: CallerNumbering,
  typeOfNumber = 0,
): boolean {
  if (!caller) return false;
  const digits = caller.replace(/[^0-9+]/g, '');
  const e164 = numbering && digits ? numbering.caller(digits, typeOfNumber) : undefined;
  return policy.callerBlocklist.some((p) => {
    const prefix = p.endsWith('*');
    const written = prefix ? p.slice(0, -1) : p;
    if (prefix ? digits.startsWith(written) : digits === written) return true;
    if (e164 === undefined || !numbering) return false;
    const entry = numbering.entry(written, prefix);
    return entry !== undefined && (prefix ? e164.startsWith(entry) : e164 === entry);
  });
}

export function tsiBlocked(policy: LockdownPolicy, tsi: string | undefined): boolean {
  if (!tsi) return false;
  const id = tsi.trim();
  return policy.tsiBlocklist.some((p) => new RegExp(p, 'i').test(id));
}
