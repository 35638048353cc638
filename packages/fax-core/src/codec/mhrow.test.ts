// The single-row helpers the SFF container uses: one MH row, no EOL, byte padded.
import { describe, expect, it } from 'vitest';
import { createPage, row } from '../page.js';
import { rng } from '../test-support/codec-pages.js';
import { ghostscriptSff, madePages } from '../test-support/made-corpus.js';
import { decodeMhRow } from './decode.js';
import { encodeMhRow } from './encode.js';

describe('encodeMhRow / decodeMhRow', () => {
  it('codes a white A4 row as ghostscript writes it into SFF', () => {
    const white = new Uint8Array(216);
    expect(Array.from(encodeMhRow(white, 1728, 'lsb'))).toEqual([0xb2, 0x59, 0x01]);
    // MSB first: make-up 1728 010011011, terminating 0 00110101, zero pad
    expect(Array.from(encodeMhRow(white, 1728, 'msb'))).toEqual([0x4d, 0x9a, 0x80]);
  });

  it('round-trips random rows of many widths in both bit orders', () => {
    const r = rng(51);
    for (const width of [1, 2, 7, 8, 9, 63, 64, 65, 1001, 1728, 2048, 2432, 2624, 4864]) {
      const stride = (width + 7) >>> 3;
      for (const density of [0, 0.01, 0.5, 0.99, 1]) {
        const src = new Uint8Array(stride);
        for (let x = 0; x < width; x++) if (r() < density) src[x >>> 3] |= 0x80 >>> (x & 7);
        for (const order of ['msb', 'lsb'] as const) {
          const code = encodeMhRow(src, width, order);
          const out = new Uint8Array(stride).fill(0x5a);
          expect(decodeMhRow(code, width, out, order)).toBe(true);
          expect(Array.from(out)).toEqual(Array.from(src));
        }
      }
    }
  });

  it('accepts a leading EOL and trailing zero bytes', () => {
    const src = new Uint8Array(216);
    src[10] = 0x3c;
    const code = encodeMhRow(src, 1728, 'msb');
    const framed = new Uint8Array(2 + code.length + 3);
    framed.set([0x00, 0x01]); // 4 fill bits and an EOL
    framed.set(code, 2);
    const out = new Uint8Array(216);
    expect(decodeMhRow(framed, 1728, out, 'msb')).toBe(true);
    expect(Array.from(out)).toEqual(Array.from(src));
  });

  it('reports a corrupt row and leaves the output row unchanged', () => {
    const src = new Uint8Array(216);
    src[100] = 0xff;
    const code = encodeMhRow(src, 1728, 'msb');
    const previous = new Uint8Array(216).fill(0x81);
    // too short: the last code cut off
    expect(decodeMhRow(code.subarray(0, 2), 1728, previous, 'msb')).toBe(false);
    // wrong width: the runs add up to 1728, not 1000
    expect(decodeMhRow(code, 1000, previous, 'msb')).toBe(false);
    // garbage after the row
    const tail = new Uint8Array(code.length + 1);
    tail.set(code);
    tail[code.length] = 0xff;
    expect(decodeMhRow(tail, 1728, previous, 'msb')).toBe(false);
    expect(decodeMhRow(new Uint8Array(0), 1728, previous, 'msb')).toBe(false);
    expect(Array.from(previous)).toEqual(new Array(216).fill(0x81));
  });

  it('decodes the rows of the SFF file ghostscript (cfax) wrote of generated pages (LSB first)', () => {
    const [expected] = madePages();
    const sff = ghostscriptSff();
    // minimal SFF walk: document header, first page header, line records up to the next page
    let at = sff[10] | (sff[11] << 8);
    expect(sff[at]).toBe(0xfe);
    const width = sff[at + 6] | (sff[at + 7] << 8);
    at += 2 + sff[at + 1];
    const got = createPage(width, expected.height);
    let y = 0;
    let bad = 0;
    while (at < sff.length && sff[at] !== 0xfe && y < got.height) {
      const rec = sff[at];
      if (rec >= 1 && rec <= 216) {
        if (!decodeMhRow(sff.subarray(at + 1, at + 1 + rec), width, row(got, y), 'lsb')) bad++;
        y++;
        at += 1 + rec;
      } else if (rec === 0) {
        const len = sff[at + 1] | (sff[at + 2] << 8);
        if (!decodeMhRow(sff.subarray(at + 3, at + 3 + len), width, row(got, y), 'lsb')) bad++;
        y++;
        at += 3 + len;
      } else if (rec <= 253) {
        y += rec - 216;
        at++;
      } else throw new Error(`unexpected SFF record ${rec}`);
    }
    expect(bad).toBe(0);
    expect(y).toBe(expected.height);
    expect(Buffer.from(got.data).equals(Buffer.from(expected.data))).toBe(true);
  });
});
