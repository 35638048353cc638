import { CapiCodecError } from './errors.js';

/** A controller profile (capi-reference §8.5). */
export interface CapiProfile {
  /** Number of installed controllers (the only field for controller 0). */
  controllers: number;
  bChannels: number;
  globalOptions: number;
  /** Bit n = B1 protocol n supported. */
  b1: number;
  b2: number;
  b3: number;
  /** The 24 reserved and 20 manufacturer-specific bytes. */
  reserved: Uint8Array;
  manufacturerSpecific: Uint8Array;
}

export const GlobalOption = {
  INTERNAL_CONTROLLER: 1 << 0,
  EXTERNAL_EQUIPMENT: 1 << 1,
  HANDSET: 1 << 2,
  DTMF: 1 << 3,
  SUPPLEMENTARY_SERVICES: 1 << 4,
  CHANNEL_ALLOCATION: 1 << 5,
  B_CHANNEL_OPERATION: 1 << 6,
  LINE_INTERCONNECT: 1 << 7,
} as const;

/**
 * Parses a 64-byte profile. Shorter input is allowed (controller 0 delivers only the first
 * 2 bytes meaningfully) and reads as zeros; fewer than 2 bytes is an error.
 */
export function parseProfile(bytes: Uint8Array): CapiProfile {
  if (bytes.length < 2) throw new CapiCodecError('truncated', bytes.length, 'profile shorter than 2 bytes');
  const b = new Uint8Array(64);
  b.set(bytes.subarray(0, 64));
  const dv = new DataView(b.buffer);
  return {
    controllers: dv.getUint16(0, true),
    bChannels: dv.getUint16(2, true),
    globalOptions: dv.getUint32(4, true),
    b1: dv.getUint32(8, true),
    b2: dv.getUint32(12, true),
    b3: dv.getUint32(16, true),
    reserved: b.slice(20, 44),
    manufacturerSpecific: b.slice(44, 64),
  };
}

/** Builds a 64-byte profile (for simulators and tests). */
export function buildProfile(p: Partial<CapiProfile>): Uint8Array {
  const b = new Uint8Array(64);
  const dv = new DataView(b.buffer);
  dv.setUint16(0, p.controllers ?? 0, true);
  dv.setUint16(2, p.bChannels ?? 0, true);
  dv.setUint32(4, (p.globalOptions ?? 0) >>> 0, true);
  dv.setUint32(8, (p.b1 ?? 0) >>> 0, true);
  dv.setUint32(12, (p.b2 ?? 0) >>> 0, true);
  dv.setUint32(16, (p.b3 ?? 0) >>> 0, true);
  if (p.reserved) b.set(p.reserved.subarray(0, 24), 20);
  if (p.manufacturerSpecific) b.set(p.manufacturerSpecific.subarray(0, 20), 44);
  return b;
}

/** Fax G3 support: B1 4, B2 4 and B3 4 (or 5 with `extended`). */
export function profileSupportsFax(p: CapiProfile, extended = false): boolean {
  const bit = (mask: number, n: number) => ((mask >>> n) & 1) === 1;
  return bit(p.b1, 4) && bit(p.b2, 4) && bit(p.b3, extended ? 5 : 4);
}
