// A fax page as a 1-bit greyscale PNG (RFC 2083): the lossless picture a browser shows,
// at 1 bit per pixel so a page stays a few dozen KB. PNG's 0 is black, the page's 1 is
// black: rows are inverted on the way out.
import { crc32, deflateSync } from 'node:zlib';
import { type BilevelPage, LINES_PER_INCH, PELS_PER_INCH } from '../page.js';

const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);
const METRES_PER_INCH = 0.0254;

function chunk(type: string, body: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + body.length);
  out.writeUInt32BE(body.length, 0);
  out.write(type, 4, 'latin1');
  out.set(body, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + body.length)), 8 + body.length);
  return out;
}

export function writePng(page: BilevelPage): Uint8Array {
  const { width, height, stride, data } = page;
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(Math.max(1, height), 4);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // greyscale
  // pHYs: fax pixels are not square (204 × 98/196 dpi); viewers that honour it scale right.
  const phys = Buffer.alloc(9);
  phys.writeUInt32BE(Math.round(PELS_PER_INCH / METRES_PER_INCH), 0);
  phys.writeUInt32BE(Math.round(LINES_PER_INCH[page.resolution] / METRES_PER_INCH), 4);
  phys[8] = 1; // unit: metre
  const rows = Math.max(1, height);
  const raw = Buffer.alloc(rows * (stride + 1));
  // Padding bits past the width are inverted too; decoders ignore them.
  for (let y = 0; y < height; y++) {
    const o = y * (stride + 1); // filter byte 0 (none) first
    for (let x = 0; x < stride; x++) raw[o + 1 + x] = ~data[y * stride + x] & 0xff;
  }
  if (height === 0) raw.fill(0xff, 1); // PNG has no empty image: one white row
  return Buffer.concat([
    SIGNATURE,
    chunk('IHDR', ihdr),
    chunk('pHYs', phys),
    chunk('IDAT', deflateSync(raw, { level: 6 })),
    chunk('IEND', new Uint8Array(0)),
  ]);
}
