// Zero-length runs (libtiff issue #46, its test testfax4.sh): some encoders (AccuSoft ImageGear)
// write a run of length 0 and code the next row against a reference row that still holds it.
// Hand-made pages bit by bit, decoded by us and by libtiff (tiffcp -c none) to the same pixels.
// The real ImageGear file: zero-runs.conformance.test.ts.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readTiffStrip } from '../test-support/tiff-strip.js';
import { requireTool } from '../test-support/tools.js';
import { decodePage, decodePageRuns, PageDecoder } from './decode.js';
import type { DecodeOptions } from './types.js';

const WIDTH = 16;
const EOL = '000000000001';
const W: Record<number, string> = { 0: '00110101', 2: '0111', 4: '1011', 5: '1100', 8: '10011' };
const B: Record<number, string> = { 0: '0000110111', 2: '11', 3: '10', 8: '000101' };
const V0 = '1';
const VL1 = '010';
const H = (white: number, black: number) => `001${W[white]}${B[black]}`;

function bits(s: string): Uint8Array {
  const out = new Uint8Array(Math.ceil(s.length / 8));
  for (let i = 0; i < s.length; i++) if (s[i] === '1') out[i >> 3] |= 0x80 >> (i & 7);
  return out;
}

/**
 * T.6, 16 pixels wide. Row 1 has a vertical code to a0 itself (VL1 after H(2,2): white run 0),
 * row 3 starts with H(0,0); rows 2 and 4 are V0 only, so they come out right only when b1 is
 * found on a reference row that keeps the zero-length runs.
 */
const G4_ROWS = [
  `${H(5, 3)}${V0}`, // black 5..7
  `${H(2, 2)}${VL1}${V0}${V0}`, // runs 2,2,0,4,8: black 2..7
  `${V0}${V0}${V0}`, // b1 = 4 (the zero-length white run), not 8: black 2..3
  `${H(0, 0)}${V0}${V0}${V0}`, // runs 0,0,2,2,12: black 2..3
  `${V0}${V0}${V0}`, // b1 = 0 (the zero-length runs at 0): black 0..3
];
const G4 = bits(`${G4_ROWS.join('')}${EOL}${EOL}`);
const G4_PIXELS = [0x07, 0x00, 0x3f, 0x00, 0x30, 0x00, 0x30, 0x00, 0xf0, 0x00];

/** T.4 MR (K=2): a 1-D row with a zero-length black run, then a 2-D row coded against it. */
const MR = bits(`${EOL}1${W[4]}${B[0]}${W[4]}${B[8]}${EOL}0${V0}${V0}${`${EOL}1`.repeat(6)}`);
// row 0: white 4, black 0, white 4, black 8; row 1: V0 to b1 = 4 (not 8), V0 to the end
const MR_PIXELS = [0x00, 0xff, 0x0f, 0xff];

const work = mkdtempSync(path.join(tmpdir(), 'faxgate-zero-runs-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A one-strip TIFF around a coded strip (Compression 3 with T4Options 2-D, or 4). */
function codedTiff(strip: Uint8Array, height: number, compression: 3 | 4): Uint8Array {
  const tags: [number, number][] = [
    [256, WIDTH],
    [257, height],
    [258, 1],
    [259, compression],
    [262, 0],
    [273, 0], // strip offset, set below
    [277, 1],
    [278, height],
    [279, strip.length],
    ...(compression === 3 ? ([[292, 1]] as [number, number][]) : []),
  ];
  const ifdSize = 2 + tags.length * 12 + 4;
  const dataAt = 8 + ifdSize;
  const out = new Uint8Array(dataAt + strip.length);
  const dv = new DataView(out.buffer);
  out.set([0x49, 0x49, 42, 0]);
  dv.setUint32(4, 8, true);
  dv.setUint16(8, tags.length, true);
  tags.forEach(([tag, value], i) => {
    const e = 10 + i * 12;
    dv.setUint16(e, tag, true);
    dv.setUint16(e + 2, 4, true); // LONG
    dv.setUint32(e + 4, 1, true);
    dv.setUint32(e + 8, tag === 273 ? dataAt : value, true);
  });
  out.set(strip, dataAt);
  return out;
}

/** libtiff's decode of the strip: the rows as tiffcp -c none stores them. */
function libtiffRows(strip: Uint8Array, height: number, compression: 3 | 4): number[] {
  requireTool('tiffcp');
  const src = path.join(work, `in-${compression}.tif`);
  const dst = path.join(work, `out-${compression}.tif`);
  writeFileSync(src, codedTiff(strip, height, compression));
  execFileSync('tiffcp', ['-c', 'none', src, dst], { stdio: ['ignore', 'ignore', 'pipe'] });
  return Array.from(readTiffStrip(dst).strip);
}

function expectRows(data: Uint8Array, pixels: number[]): void {
  expect(Array.from(data)).toEqual(pixels);
}

describe('zero-length runs are accepted as libtiff accepts them', () => {
  it('libtiff decodes the hand-made pages to the expected pixels (the test pages are right)', () => {
    expect(libtiffRows(G4, G4_ROWS.length, 4)).toEqual(G4_PIXELS);
    expect(libtiffRows(MR, 2, 3)).toEqual(MR_PIXELS);
  });

  it('T.6: a vertical code to a0 and H(0,0) decode, and later rows find b1 on the zero-length runs', () => {
    const r = decodePage(G4, { coding: 'mmr', width: WIDTH });
    expect(r.badLines).toBe(0);
    expect(r.endedBy).toBe('eofb');
    expect(r.rows).toBe(G4_ROWS.length);
    expectRows(r.page.data, G4_PIXELS);
  });

  it('T.4 MR: a 1-D row keeps its zero-length run as the reference of the next 2-D row', () => {
    const r = decodePage(MR, { coding: 'mr', width: WIDTH });
    expect(r.badLines).toBe(0);
    expect(r.endedBy).toBe('rtc');
    expectRows(r.page.data, MR_PIXELS);
  });

  it('streaming gives the same page, one byte at a time', () => {
    const d = new PageDecoder({ coding: 'mmr', width: WIDTH });
    for (const b of G4) d.push(Uint8Array.of(b));
    const r = d.end();
    expect(r.badLines).toBe(0);
    expectRows(r.page.data, G4_PIXELS);
  });

  it('runs mode hands the sink strictly increasing elements (zero-length runs cancelled)', () => {
    const opts: DecodeOptions = { coding: 'mmr', width: WIDTH };
    const rows: number[][] = [];
    const res = decodePageRuns(G4, opts, (ch, n) => {
      rows.push(Array.from(ch.subarray(0, n)));
      expect(ch[n]).toBe(WIDTH);
    });
    expect(res.badLines).toBe(0);
    expect(rows).toEqual([
      [5, 8],
      [2, 8],
      [2, 4],
      [2, 4],
      [0, 4],
    ]);
  });

  it('an endless stream of H(0,0) or of zero-length MH runs is a bad row, in bounded time', () => {
    const h00 = bits(`${H(0, 0).repeat(5000)}${EOL}${EOL}`);
    const g4 = decodePage(h00, { coding: 'mmr', width: WIDTH });
    expect(g4.badLines).toBe(1);
    expect(g4.endedBy).toBe('error');
    const mh = bits(`${EOL}${`${W[0]}${B[0]}`.repeat(5000)}${EOL}${EOL}`);
    const r = decodePage(mh, { coding: 'mh', width: WIDTH, eol: true });
    expect(r.badLines).toBe(1);
    expect(r.rows).toBe(1);
  });
});
