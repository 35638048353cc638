// The check both TIFF-writer tests make (generated pages against tiffcp's files, the CCITT
// pages against the golden files): our strip for a page is byte for byte libtiff's strip.
import { expect } from 'vitest';
import { inspectTiff, readTiff, writeTiff } from '../containers/tiff.js';
import { Tag } from '../containers/tiff-structure.js';
import type { BilevelPage } from '../page.js';

/** libtiff's variants: MH, MR with K=4 (fine) and K=2 (standard), MMR. */
export const LIBTIFF_VARIANTS = ['mh', 'mr_k4', 'mr_k2', 'mmr'] as const;
export type LibtiffVariant = (typeof LIBTIFF_VARIANTS)[number];

/** The page's one strip, as StripOffsets/StripByteCounts of its first IFD say. */
function firstStrip(d: Uint8Array): Uint8Array {
  expect(readTiff(d).pages).toHaveLength(1); // and it decodes
  const ifdOffset = inspectTiff(d).pages[0].ifdOffset;
  const view = new DataView(d.buffer, d.byteOffset);
  const count = view.getUint16(ifdOffset, true);
  let off = 0;
  let len = 0;
  for (let i = 0; i < count; i++) {
    const e = ifdOffset + 2 + i * 12;
    const tag = view.getUint16(e, true);
    const type = view.getUint16(e + 2, true);
    const value = type === 3 ? view.getUint16(e + 8, true) : view.getUint32(e + 8, true);
    if (tag === Tag.StripOffsets) off = value;
    if (tag === Tag.StripByteCounts) len = value;
  }
  return d.subarray(off, off + len);
}

/** Writes `page(variant)` in each variant and compares its strip with `golden(variant)`'s. */
export function expectLibtiffStrips(
  label: string,
  page: (v: LibtiffVariant) => BilevelPage,
  golden: (v: LibtiffVariant) => Uint8Array,
): void {
  for (const v of LIBTIFF_VARIANTS) {
    const coding = v === 'mh' ? 'mh' : v === 'mmr' ? 'mmr' : 'mr';
    const ours = writeTiff([page(v)], { coding, k: v === 'mr_k4' ? 4 : v === 'mr_k2' ? 2 : undefined });
    expect(Buffer.from(firstStrip(ours)).equals(Buffer.from(firstStrip(golden(v)))), `${label} ${v}`).toBe(
      true,
    );
  }
}
