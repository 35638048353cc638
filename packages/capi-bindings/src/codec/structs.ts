/**
 * CAPI structs (capi-reference §8.1, §8.6, §8.7): party numbers, B protocol, additional
 * info, and the fax-specific B1/B3 configurations and NCPI. The `read*`/`write*` pairs are
 * used inside messages; the `encode*`/`decode*` functions work on a struct's contents
 * (without its length prefix), which is what message fields of type `Uint8Array` hold.
 */
import { CapiCodecError } from './errors.js';
import { CapiReader } from './reader.js';
import { CapiWriter } from './writer.js';

// ---------------------------------------------------------------------------------------------
// Strings: CAPI carries IA5/Latin-1 bytes. We map byte n <-> char code n, so every byte
// sequence survives a round trip.

export function latin1Decode(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
  return s;
}

export function latin1Encode(s: string, w?: CapiWriter): Uint8Array {
  if (typeof s !== 'string') {
    throw new CapiCodecError('bad-value', w?.offset ?? 0, 'expected a string', w?.field);
  }
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) {
      throw new CapiCodecError(
        'value-out-of-range',
        w?.offset ?? i,
        `character U+${c.toString(16).padStart(4, '0')} is not Latin-1`,
        w?.field,
      );
    }
    out[i] = c;
  }
  return out;
}

function trailing(r: CapiReader, what: string): void {
  if (r.offset !== r.end) {
    throw new CapiCodecError(
      'trailing-bytes',
      r.offset,
      `${r.end - r.offset} byte(s) after ${what}`,
      r.field,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Party numbers

/** CalledPartyNumber: type/plan byte (usually 0x80) + IA5 digits. */
export interface CalledPartyNumber {
  /** Octet 3 of Q.931: bit 7 ext, bits 4–6 type of number, bits 0–3 numbering plan. */
  typePlan: number;
  digits: string;
}

/** CallingPartyNumber / ConnectedNumber: type/plan, presentation/screening, digits. */
export interface CallingPartyNumber {
  typePlan: number;
  /**
   * Octet 3a: presentation and screening (0x80 allowed, 0xA0 restricted / CLIR). Absent only
   * when the struct is a single byte; when encoding with digits and no value, 0x80 is used.
   */
  presentation?: number;
  digits: string;
}

export const NumberType = {
  UNKNOWN: 0,
  INTERNATIONAL: 1,
  NATIONAL: 2,
  NETWORK_SPECIFIC: 3,
  SUBSCRIBER: 4,
  ABBREVIATED: 6,
} as const;

export const Presentation = { ALLOWED: 0x80, RESTRICTED: 0xa0, NOT_AVAILABLE: 0xc0 } as const;

/** Numbering plan (bits 0–3 of the type/plan byte, Q.931 octet 3). */
export const NumberingPlan = { UNKNOWN: 0, ISDN: 1 } as const;

/** Bit 7 of the type/plan byte: set when no presentation/screening octet (3a) follows. */
export const TYPE_PLAN_EXT = 0x80;

/** Screening indicator (bits 0–1 of the presentation/screening byte, Q.931 octet 3a). */
export const Screening = {
  USER_NOT_SCREENED: 0,
  USER_VERIFIED_PASSED: 1,
  USER_VERIFIED_FAILED: 2,
  NETWORK_PROVIDED: 3,
} as const;

/** The type/plan byte from a type of number and a numbering plan (ext bit not set). */
export function typePlanOf(type: number, plan: number): number {
  return ((type & 0x07) << 4) | (plan & 0x0f);
}

/** Type of number (bits 4–6 of the type/plan byte). */
export function numberType(typePlan: number): number {
  return (typePlan >> 4) & 0x07;
}
/** Numbering plan (bits 0–3). */
export function numberingPlan(typePlan: number): number {
  return typePlan & 0x0f;
}

export function decodeCalledPartyNumber(b: Uint8Array): CalledPartyNumber | undefined {
  if (b.length === 0) return undefined;
  return { typePlan: b[0], digits: latin1Decode(b.subarray(1)) };
}

export function encodeCalledPartyNumber(n: CalledPartyNumber | undefined, w?: CapiWriter): Uint8Array {
  if (n === undefined) return new Uint8Array(0);
  const digits = latin1Encode(n.digits ?? '', w);
  const out = new Uint8Array(1 + digits.length);
  out[0] = byteOf(n.typePlan ?? 0x80, w, 'typePlan');
  out.set(digits, 1);
  return out;
}

export function decodeCallingPartyNumber(b: Uint8Array): CallingPartyNumber | undefined {
  if (b.length === 0) return undefined;
  if (b.length === 1) return { typePlan: b[0], digits: '' };
  return { typePlan: b[0], presentation: b[1], digits: latin1Decode(b.subarray(2)) };
}

export function encodeCallingPartyNumber(n: CallingPartyNumber | undefined, w?: CapiWriter): Uint8Array {
  if (n === undefined) return new Uint8Array(0);
  const digits = latin1Encode(n.digits ?? '', w);
  const typePlan = byteOf(n.typePlan ?? 0x00, w, 'typePlan');
  if (n.presentation === undefined && digits.length === 0) return Uint8Array.of(typePlan);
  const out = new Uint8Array(2 + digits.length);
  out[0] = typePlan;
  out[1] = byteOf(n.presentation ?? Presentation.ALLOWED, w, 'presentation');
  out.set(digits, 2);
  return out;
}

function byteOf(v: number, w: CapiWriter | undefined, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xff) {
    throw new CapiCodecError('value-out-of-range', w?.offset ?? 0, `${what} ${v} not a byte`, w?.field);
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// B protocol

export interface BProtocol {
  b1: number;
  b2: number;
  b3: number;
  /** Struct contents; empty = defaults. See encodeFaxB1Config. */
  b1Config?: Uint8Array;
  b2Config?: Uint8Array;
  /** Struct contents; empty = defaults. See encodeFaxB3Config. */
  b3Config?: Uint8Array;
  /**
   * GlobalConfiguration. `undefined` → written as an empty struct (what libcapi20 does);
   * `null` → left out (a pre-extension BProtocol); decoding gives `null` when it is absent.
   */
  globalConfiguration?: Uint8Array | null;
}

export function readBProtocol(r: CapiReader): BProtocol {
  const b1 = r.u16();
  const b2 = r.u16();
  const b3 = r.u16();
  const b1Config = r.struct();
  const b2Config = r.struct();
  const b3Config = r.struct();
  const globalConfiguration = r.remaining > 0 ? r.struct() : null;
  trailing(r, 'BProtocol');
  return { b1, b2, b3, b1Config, b2Config, b3Config, globalConfiguration };
}

export function writeBProtocol(w: CapiWriter, bp: BProtocol): void {
  if (typeof bp !== 'object' || bp === null) {
    throw new CapiCodecError('bad-value', w.offset, 'BProtocol must be an object', w.field);
  }
  w.u16(bp.b1).u16(bp.b2).u16(bp.b3).struct(bp.b1Config).struct(bp.b2Config).struct(bp.b3Config);
  if (bp.globalConfiguration !== null) w.struct(bp.globalConfiguration);
}

export function decodeBProtocol(b: Uint8Array): BProtocol | undefined {
  if (b.length === 0) return undefined;
  return readBProtocol(new CapiReader(b));
}

export function encodeBProtocol(bp: BProtocol | undefined): Uint8Array {
  if (bp === undefined) return new Uint8Array(0);
  const w = new CapiWriter(64);
  writeBProtocol(w, bp);
  return w.toBuffer();
}

// ---------------------------------------------------------------------------------------------
// Additional info

export interface AdditionalInfo {
  bChannelInformation?: Uint8Array;
  keypadFacility?: Uint8Array;
  userUserData?: Uint8Array;
  facilityDataArray?: Uint8Array;
  /** `undefined` → empty struct written; `null` → left out (pre-extension form). */
  sendingComplete?: Uint8Array | null;
}

export function readAdditionalInfo(r: CapiReader): AdditionalInfo {
  const bChannelInformation = r.struct();
  const keypadFacility = r.struct();
  const userUserData = r.struct();
  const facilityDataArray = r.struct();
  const sendingComplete = r.remaining > 0 ? r.struct() : null;
  trailing(r, 'AdditionalInfo');
  return { bChannelInformation, keypadFacility, userUserData, facilityDataArray, sendingComplete };
}

export function writeAdditionalInfo(w: CapiWriter, ai: AdditionalInfo): void {
  if (typeof ai !== 'object' || ai === null) {
    throw new CapiCodecError('bad-value', w.offset, 'AdditionalInfo must be an object', w.field);
  }
  w.struct(ai.bChannelInformation)
    .struct(ai.keypadFacility)
    .struct(ai.userUserData)
    .struct(ai.facilityDataArray);
  if (ai.sendingComplete !== null) w.struct(ai.sendingComplete);
}

// ---------------------------------------------------------------------------------------------
// Fax B1 configuration (B1 = 4)

export interface FaxB1Config {
  /** Maximum bit rate; 0 = adaptive. mISDNcapid accepts 0/4800/7200/9600/12000/14400. */
  maxBitRate: number;
  /** The optional spec fields after the bit rate (transmit level, 2 reserved words). */
  transmitLevel?: number;
  reserved1?: number;
  reserved2?: number;
}

export function decodeFaxB1Config(b: Uint8Array): FaxB1Config {
  if (b.length === 0) return { maxBitRate: 0 };
  if (b.length % 2 !== 0 || b.length > 8) {
    throw new CapiCodecError('bad-struct', 0, `fax B1 config of ${b.length} bytes`);
  }
  const r = new CapiReader(b);
  const out: FaxB1Config = { maxBitRate: r.u16() };
  if (r.remaining) out.transmitLevel = r.u16();
  if (r.remaining) out.reserved1 = r.u16();
  if (r.remaining) out.reserved2 = r.u16();
  return out;
}

export function encodeFaxB1Config(c: FaxB1Config): Uint8Array {
  const w = new CapiWriter(8);
  w.u16(c.maxBitRate);
  if (c.transmitLevel !== undefined || c.reserved1 !== undefined || c.reserved2 !== undefined) {
    w.u16(c.transmitLevel ?? 0);
    if (c.reserved1 !== undefined || c.reserved2 !== undefined) w.u16(c.reserved1 ?? 0).u16(c.reserved2 ?? 0);
  }
  return w.toBuffer();
}

// ---------------------------------------------------------------------------------------------
// Fax B3 configuration (B3 = 4 / 5)

export interface FaxB3Config4 {
  b3: 4;
  /** 0 standard, 1 high (fine). */
  resolution: number;
  /** FaxFormat; 0 = SFF. */
  format: number;
  /** Our identity (≤ 20 characters by the spec; not enforced here). */
  stationId: string;
  /** Text the controller prints on each sent page (Latin-1 bytes; AVM cards expect CP437). */
  headLine: string;
}

export interface FaxB3Config5 {
  b3: 5;
  /** FaxOptions bits (0x0001 high resolution, 0x8000 no ECM …). */
  options: number;
  format: number;
  stationId: string;
  headLine: string;
}

export type FaxB3Config = FaxB3Config4 | FaxB3Config5;

/** Decodes a B3 config for B3 = 4 or 5; an empty struct (defaults) gives `undefined`. */
export function decodeFaxB3Config(b3: 4 | 5, b: Uint8Array): FaxB3Config | undefined {
  if (b.length === 0) return undefined;
  const r = new CapiReader(b);
  r.field = 'b3Config';
  const first = r.u16();
  const format = r.u16();
  const stationId = latin1Decode(r.struct());
  const headLine = latin1Decode(r.struct());
  trailing(r, 'fax B3 config');
  return b3 === 4
    ? { b3, resolution: first, format, stationId, headLine }
    : { b3, options: first, format, stationId, headLine };
}

export function encodeFaxB3Config(c: FaxB3Config): Uint8Array {
  const w = new CapiWriter(64);
  w.field = 'b3Config';
  w.u16(c.b3 === 4 ? c.resolution : c.options)
    .u16(c.format)
    .struct(latin1Encode(c.stationId ?? '', w))
    .struct(latin1Encode(c.headLine ?? '', w));
  return w.toBuffer();
}

/** The B protocol of a fax call: 4/4/4 or 4/4/5 with the given B3 (and optional B1) config. */
export function faxBProtocol(b3: FaxB3Config, b1?: FaxB1Config): BProtocol {
  return {
    b1: 4,
    b2: 4,
    b3: b3.b3,
    b1Config: b1 ? encodeFaxB1Config(b1) : new Uint8Array(0),
    b2Config: new Uint8Array(0),
    b3Config: encodeFaxB3Config(b3),
  };
}

// ---------------------------------------------------------------------------------------------
// Fax NCPI (B3 = 4 / 5)

export interface FaxNcpi4 {
  b3: 4;
  /** bit/s, e.g. 9600 or 14400. */
  rate: number;
  resolution: number;
  format: number;
  pages: number;
  /** The remote station's identity. */
  receiveId: string;
}

export interface FaxNcpi5 {
  b3: 5;
  rate: number;
  /** FaxOptions bits. */
  options: number;
  format: number;
  pages: number;
  receiveId: string;
}

export type FaxNcpi = FaxNcpi4 | FaxNcpi5;

/**
 * Decodes a fax NCPI. Empty → `undefined`. Bytes after ReceiveID are ignored (controllers
 * append private data). A shorter struct than the 9 bytes of the fixed part is 'bad-struct'.
 */
export function decodeFaxNcpi(b3: 4 | 5, b: Uint8Array): FaxNcpi | undefined {
  if (b.length === 0) return undefined;
  if (b.length < 9)
    throw new CapiCodecError('bad-struct', 0, `fax NCPI of ${b.length} bytes (need ≥ 9)`, 'ncpi');
  const r = new CapiReader(b);
  r.field = 'ncpi';
  const rate = r.u16();
  const second = r.u16();
  const format = r.u16();
  const pages = r.u16();
  const receiveId = latin1Decode(r.struct());
  return b3 === 4
    ? { b3, rate, resolution: second, format, pages, receiveId }
    : { b3, rate, options: second, format, pages, receiveId };
}

/** Like decodeFaxNcpi, but `undefined` instead of an error. */
export function tryDecodeFaxNcpi(b3: 4 | 5, b: Uint8Array | undefined): FaxNcpi | undefined {
  if (!b) return undefined;
  try {
    return decodeFaxNcpi(b3, b);
  } catch {
    return undefined;
  }
}

export function encodeFaxNcpi(n: FaxNcpi): Uint8Array {
  const w = new CapiWriter(32);
  w.field = 'ncpi';
  w.u16(n.rate)
    .u16(n.b3 === 4 ? n.resolution : n.options)
    .u16(n.format)
    .u16(n.pages)
    .struct(latin1Encode(n.receiveId ?? '', w));
  return w.toBuffer();
}

/** High resolution in either NCPI form (bit 0 of resolution / options). */
export function ncpiHighResolution(n: FaxNcpi): boolean {
  return ((n.b3 === 4 ? n.resolution : n.options) & 1) !== 0;
}
