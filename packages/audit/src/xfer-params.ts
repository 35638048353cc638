// xferfaxlog column 10 and 19: the negotiated session as HylaFAX writes it — Class2Params'
// packed word (the version with bit 21 set, which HylaFAX 6 and HylaFAX+ write and their
// xferfaxstats/recvstats decode) and the T.30 DCS as hex bytes (what the HylaFAX 6.0 scripts
// read the data format from in 19-column records). Written from facts in HylaFAX's
// xferfaxlog(5) and its stats scripts; no HylaFAX code.

/** What a call negotiated; anything left out is written as HylaFAX's default. */
export interface XferSession {
  /** Signalling rate in bit/s (2,400 … 33,600 in steps of 2,400). */
  bitRate: number;
  /** Vertical resolution: standard 3.85 lines/mm (98 lpi), fine 7.7 (196), superfine 15.4 (391). Default standard. */
  resolution?: 'standard' | 'fine' | 'superfine';
  /** Pixels per row: 1728 (A4, default), 2048 (B4), 2432 (A3). */
  width?: number;
  /** Page length: a4 (default), b4, unlimited. */
  length?: 'a4' | 'b4' | 'unlimited';
  /** Data format on the line: mh (1-D, default), mr (2-D), uncompressed (2-D uncompressed mode), mmr (T.6). */
  compression?: 'mh' | 'mr' | 'uncompressed' | 'mmr';
  /** Error correction mode used. Default off. */
  ecm?: boolean;
  /** Minimum scan line time in ms: 0 (default), 5, 10, 20, 40. */
  minScanlineMs?: 0 | 5 | 10 | 20 | 40;
}

/** A decoded params column. `form` says how it was written. */
export interface XferParams {
  /**
   * packed: HylaFAX's session word (bit 21 set); none: 0, no session was negotiated;
   * bit-rate: a row faxgate wrote before it packed params — the column held the bit rate.
   */
  form: 'packed' | 'none' | 'bit-rate';
  /** bit/s; 0 when unknown. */
  bitRate: number;
  resolution: 'standard' | 'fine' | 'superfine' | 'other';
  width: number;
  length: 'a4' | 'b4' | 'unlimited';
  compression: 'mh' | 'mr' | 'uncompressed' | 'mmr';
  ecm: boolean;
  minScanlineMs: number;
}

const VERSION = 1 << 21;
const RATES = [2400, 4800, 7200, 9600, 12000, 14400, 16800, 19200, 21600, 24000, 26400, 28800, 31200, 33600];
const WIDTHS = [1728, 2048, 2432, 1216, 864];
const LENGTHS = ['a4', 'b4', 'unlimited'] as const;
const FORMATS = ['mh', 'mr', 'uncompressed', 'mmr'] as const;
// HylaFAX ST codes 0…7: 0, 5, 10 (5 at fine), 10, 20 (10 at fine), 20, 40 (20 at fine), 40 ms.
const SCAN_MS = [0, 5, 10, 10, 20, 20, 40, 40];
const SCAN_CODE: Record<number, number> = { 0: 0, 5: 1, 10: 3, 20: 5, 40: 7 };

/** The rate code (BR_*): the highest table rate not above `bitRate` (2,400 at least). */
function rateCode(bitRate: number): number {
  let code = 0;
  for (let i = 0; i < RATES.length; i++) if (bitRate >= RATES[i]) code = i;
  return code;
}

/** HylaFAX's packed session word for what the call negotiated; 0 when nothing was (no bit rate). */
export function encodeXferParams(s: XferSession | undefined): number {
  if (!s || !(s.bitRate > 0)) return 0;
  const wd = WIDTHS.indexOf(s.width ?? 1728);
  const st = SCAN_CODE[s.minScanlineMs ?? 0];
  return (
    // HylaFAX's VR bitmap: VR_NORMAL 0, VR_FINE 1, VR_R8 2
    (s.resolution === 'fine' ? 1 : s.resolution === 'superfine' ? 2 : 0) |
    (rateCode(s.bitRate) << 3) |
    (Math.max(wd, 0) << 9) |
    (LENGTHS.indexOf(s.length ?? 'a4') << 12) |
    (FORMATS.indexOf(s.compression ?? 'mh') << 14) |
    ((s.ecm ? 1 : 0) << 16) |
    ((st ?? 0) << 18) |
    VERSION
  );
}

/**
 * Reads a params column. A value without bit 21 other than 0 is a row faxgate wrote before
 * it packed params (the column held the bit rate then); faxgate never wrote HylaFAX's
 * original (pre-bit-21) packing, so there is no ambiguity in its own log.
 */
export function decodeXferParams(v: number): XferParams {
  if (v === 0 || !Number.isSafeInteger(v) || v < 0) return { ...DEFAULTS, form: 'none' };
  if (v >= VERSION && v < VERSION * 2) {
    const vr = v & 7;
    return {
      form: 'packed',
      bitRate: RATES[(v >> 3) & 15] ?? 0,
      resolution: vr === 0 ? 'standard' : vr === 1 ? 'fine' : vr === 2 ? 'superfine' : 'other',
      width: WIDTHS[(v >> 9) & 7] ?? 1728,
      length: LENGTHS[(v >> 12) & 3] ?? 'a4',
      compression: FORMATS[(v >> 14) & 3],
      ecm: ((v >> 16) & 1) === 1,
      minScanlineMs: SCAN_MS[(v >> 18) & 7],
    };
  }
  return { ...DEFAULTS, form: 'bit-rate', bitRate: v };
}

const DEFAULTS: Omit<XferParams, 'form'> = {
  bitRate: 0,
  resolution: 'standard',
  width: 1728,
  length: 'a4',
  compression: 'mh',
  ecm: false,
  minScanlineMs: 0,
};

/** The params column as exported: packed words and 0 as stored, an old bit-rate row packed. */
export function xferParamsWord(stored: number): number {
  const p = decodeXferParams(stored);
  return p.form === 'bit-rate' ? encodeXferParams({ bitRate: p.bitRate }) : p.form === 'none' ? 0 : stored;
}

// T.30 DCS bits (numbered from 1; bit 1 is the top bit of the first byte, as HylaFAX prints it).
const DCS_RATE: Record<number, number[]> = {
  2400: [],
  4800: [12],
  7200: [11, 12], // V.29
  9600: [11], // V.29
  12000: [12, 14], // V.17
  14400: [14], // V.17
};

/**
 * The DCS of a packed params word as HylaFAX logs it: hex bytes separated by spaces
 * ("00 46 C0 00"). Above 14,400 bit/s (V.34) the DCS carries no rate (bits 11–14 zero);
 * the params word keeps it. '' for a word that is not packed.
 */
export function xferDcsText(params: number): string {
  const p = decodeXferParams(params);
  if (p.form !== 'packed') return '';
  const bits = [10, 24, ...(DCS_RATE[p.bitRate] ?? [])];
  if (p.resolution === 'fine') bits.push(15);
  if (p.compression === 'mr') bits.push(16);
  if (p.width === 2432) bits.push(18);
  if (p.width === 2048) bits.push(17);
  if (p.length === 'unlimited') bits.push(20);
  if (p.length === 'b4') bits.push(19);
  // 21–23: 20 ms 000, 40 ms 100, 10 ms 010, 5 ms 001, 0 ms 111
  const scan: Record<number, number[]> = { 0: [21, 22, 23], 5: [23], 10: [22], 20: [], 40: [21] };
  bits.push(...(scan[p.minScanlineMs] ?? []));
  if (p.compression === 'uncompressed') bits.push(26);
  if (p.ecm) bits.push(27);
  if (p.compression === 'mmr') bits.push(31);
  const bytes = [0, 0, 0, 0];
  for (const b of bits) bytes[(b - 1) >> 3] |= 0x80 >> ((b - 1) & 7);
  return bytes.map((x) => x.toString(16).toUpperCase().padStart(2, '0')).join(' ');
}
