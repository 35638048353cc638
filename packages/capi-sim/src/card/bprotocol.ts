// B-protocol checks a fax card makes on CONNECT_REQ, CONNECT_RESP and SELECT_B_PROTOCOL_REQ
// (capi-reference §8.5/8.6, modelled on mISDNcapid lplci.c): profile bits first, then the
// fax combination, then config lengths and the fax configs themselves.

import {
  B1Protocol,
  B2Protocol,
  B3Protocol,
  type BProtocol,
  decodeFaxB1Config,
  decodeFaxB3Config,
  type FaxB1Config,
  type FaxB3Config,
  FaxFormat,
  FaxOptions,
  Info,
} from '@faxgate/capi-bindings';
import type { ProfileMasks } from '../config.js';

/** What the card will run on the B channel. */
export interface BStack {
  b1: number;
  b2: number;
  b3: number;
  fax: boolean;
  /** From B1config for B1 = 4; 0 = adaptive. */
  maxRate: number;
  /** Asked for fine (high) resolution in B3config. */
  fine: boolean;
  /** Our station ID from B3config. */
  stationId: string;
}

export const FAX_RATES = new Set([0, 2400, 4800, 7200, 9600, 12000, 14400]);

export type BCheck = { ok: true; stack: BStack } | { ok: false; info: number };

function fail(info: number): BCheck {
  return { ok: false, info };
}

/** Default protocols when the BProtocol struct is empty: HDLC / X.75 / transparent. */
const DEFAULT_B: BProtocol = { b1: 0, b2: 0, b3: 0 };
const EMPTY = new Uint8Array(0);

export function checkBProtocol(input: BProtocol | undefined, profile: ProfileMasks): BCheck {
  const raw = input ?? DEFAULT_B;
  const p = {
    ...raw,
    b1Config: raw.b1Config ?? EMPTY,
    b2Config: raw.b2Config ?? EMPTY,
    b3Config: raw.b3Config ?? EMPTY,
  };
  const bit = (mask: number, v: number) => v < 32 && ((mask >>> v) & 1) === 1;
  if (!bit(profile.b1, p.b1)) return fail(Info.B1_NOT_SUPPORTED);
  if (!bit(profile.b2, p.b2)) return fail(Info.B2_NOT_SUPPORTED);
  if (!bit(profile.b3, p.b3)) return fail(Info.B3_NOT_SUPPORTED);
  const faxB1 = p.b1 === B1Protocol.T30_FAX_G3;
  const faxB2 = p.b2 === B2Protocol.T30_FAX_G3;
  const faxB3 = p.b3 === B3Protocol.T30_FAX_G3 || p.b3 === B3Protocol.T30_FAX_G3_EXT;
  if ((faxB1 || faxB2 || faxB3) && !(faxB1 && faxB2 && faxB3))
    return fail(Info.B_PROTOCOL_COMBINATION_NOT_SUPPORTED);
  if (p.b1Config.length > 15) return fail(Info.B1_PARAMETER_NOT_SUPPORTED);
  if (p.b2Config.length > 15) return fail(Info.B2_PARAMETER_NOT_SUPPORTED);
  if (p.b3Config.length > 79) return fail(Info.B3_PARAMETER_NOT_SUPPORTED);
  const stack: BStack = { b1: p.b1, b2: p.b2, b3: p.b3, fax: faxB1, maxRate: 0, fine: false, stationId: '' };
  if (!stack.fax) return { ok: true, stack };

  let b1: FaxB1Config;
  let b3: FaxB3Config | undefined;
  try {
    b1 = decodeFaxB1Config(p.b1Config);
    b3 = decodeFaxB3Config(p.b3 as 4 | 5, p.b3Config);
  } catch {
    return fail(Info.ILLEGAL_PARAMETER_CODING);
  }
  if (!FAX_RATES.has(b1.maxBitRate)) return fail(Info.B1_PARAMETER_NOT_SUPPORTED);
  stack.maxRate = b1.maxBitRate;
  if (p.b2Config.length > 0) return fail(Info.B2_PARAMETER_NOT_SUPPORTED);
  if (b3) {
    // The simulated card converts nothing: it carries SFF only.
    if (b3.format !== FaxFormat.SFF) return fail(Info.B3_PARAMETER_NOT_SUPPORTED);
    const res = b3.b3 === B3Protocol.T30_FAX_G3 ? b3.resolution : b3.options;
    if (b3.b3 === B3Protocol.T30_FAX_G3 && res > 1) return fail(Info.B3_PARAMETER_NOT_SUPPORTED);
    if (b3.stationId.length > 20) return fail(Info.B3_PARAMETER_NOT_SUPPORTED);
    stack.fine = (res & FaxOptions.HIGH_RESOLUTION) === FaxOptions.HIGH_RESOLUTION;
    stack.stationId = b3.stationId;
  }
  return { ok: true, stack };
}
