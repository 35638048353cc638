// Test support: the first IFD of a TIFF file with its (single) strip and the fax tags — enough
// to compare our codec's output with the strips libtiff writes.
import { readFileSync } from 'node:fs';

export interface TiffStrip {
  width: number;
  height: number;
  compression: number;
  fillOrder: number;
  t4Options: number;
  yResolution: number;
  strip: Uint8Array;
}

/** Reads the first IFD of a TIFF and returns its (single) strip and the fax tags. */
export function readTiffStrip(file: string): TiffStrip {
  const b = new Uint8Array(readFileSync(file));
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const le = b[0] === 0x49;
  const u16 = (o: number) => dv.getUint16(o, le);
  const u32 = (o: number) => dv.getUint32(o, le);
  const ifd = u32(4);
  const count = u16(ifd);
  const tags = new Map<number, number[]>();
  for (let i = 0; i < count; i++) {
    const e = ifd + 2 + i * 12;
    const tag = u16(e);
    const type = u16(e + 2);
    const n = u32(e + 4);
    const size = type === 3 ? 2 : type === 4 ? 4 : type === 5 ? 8 : 1;
    const at = n * size > 4 ? u32(e + 8) : e + 8;
    const vals: number[] = [];
    for (let k = 0; k < n; k++) {
      if (type === 3) vals.push(u16(at + k * 2));
      else if (type === 4) vals.push(u32(at + k * 4));
      else if (type === 5) vals.push(u32(at + k * 8) / u32(at + k * 8 + 4));
      else vals.push(b[at + k]);
    }
    tags.set(tag, vals);
  }
  const offsets = tags.get(273) ?? [];
  const counts = tags.get(279) ?? [];
  if (offsets.length !== 1) throw new Error(`${file}: expected one strip, found ${offsets.length}`);
  return {
    width: tags.get(256)?.[0] ?? 0,
    height: tags.get(257)?.[0] ?? 0,
    compression: tags.get(259)?.[0] ?? 1,
    fillOrder: tags.get(266)?.[0] ?? 1,
    t4Options: tags.get(292)?.[0] ?? 0,
    yResolution: tags.get(283)?.[0] ?? 0,
    strip: b.slice(offsets[0], offsets[0] + counts[0]),
  };
}
