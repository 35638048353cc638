// Test support: writes an uncompressed, single-strip, MinIsWhite bilevel TIFF, so that libtiff's
// tiffcp can encode our generated pages as an independent reference.
import type { BilevelPage } from '../page.js';

export function uncompressedTiff(page: BilevelPage): Uint8Array {
  const entries: [number, number, number][] = []; // tag, type (3 short / 4 long / 5 rational), value
  const yres = page.resolution === 'standard' ? 98 : page.resolution === 'fine' ? 196 : 391;
  const count = 12;
  const ifdOffset = 8;
  const ifdSize = 2 + count * 12 + 4;
  const xresAt = ifdOffset + ifdSize;
  const yresAt = xresAt + 8;
  const dataAt = yresAt + 8;
  const dataLen = page.stride * page.height;
  entries.push([256, 4, page.width]);
  entries.push([257, 4, page.height]);
  entries.push([258, 3, 1]);
  entries.push([259, 3, 1]);
  entries.push([262, 3, 0]); // WhiteIsZero: 1 = black, like the page
  entries.push([273, 4, dataAt]);
  entries.push([277, 3, 1]);
  entries.push([278, 4, page.height]);
  entries.push([279, 4, dataLen]);
  entries.push([282, 5, xresAt]);
  entries.push([283, 5, yresAt]);
  entries.push([296, 3, 2]);
  const out = new Uint8Array(dataAt + dataLen);
  const dv = new DataView(out.buffer);
  out.set([0x49, 0x49, 42, 0]);
  dv.setUint32(4, ifdOffset, true);
  dv.setUint16(ifdOffset, count, true);
  entries.forEach(([tag, type, value], i) => {
    const e = ifdOffset + 2 + i * 12;
    dv.setUint16(e, tag, true);
    dv.setUint16(e + 2, type, true);
    dv.setUint32(e + 4, 1, true);
    if (type === 3) dv.setUint16(e + 8, value, true);
    else dv.setUint32(e + 8, value, true);
  });
  dv.setUint32(ifdOffset + 2 + count * 12, 0, true);
  dv.setUint32(xresAt, 204, true);
  dv.setUint32(xresAt + 4, 1, true);
  dv.setUint32(yresAt, yres, true);
  dv.setUint32(yresAt + 4, 1, true);
  out.set(page.data.subarray(0, dataLen), dataAt);
  return out;
}
