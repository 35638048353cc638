import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  createPage,
  pagesEqual,
  readPbm,
  readSff,
  readTiff,
  setPixel,
  writePbm,
  writeTiff,
} from '@faxgate/fax-core';
import { afterAll, describe, expect, it } from 'vitest';
import { testTiff } from '../../test-support/api-fixture.js';
import { runFaxgate } from '../../testing/run-cli.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'faxgate-cli-fax-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const f = (name: string) => path.join(dir, name);

/** Two generated pages: a frame with diagonal strokes, and a striped page. */
function pages() {
  const a = createPage(1728, 300);
  for (let y = 0; y < 300; y++) {
    setPixel(a, 0, y, true);
    setPixel(a, 1727, y, true);
    setPixel(a, (y * 5) % 1728, y, true);
    if (y % 40 < 3) for (let x = 100; x < 1600; x++) setPixel(a, x, y, true);
  }
  const b = createPage(1728, 120);
  for (let y = 0; y < 120; y++)
    for (let x = 0; x < 1728; x++) if (((x >> 4) + (y >> 3)) % 3 === 0) setPixel(b, x, y, true);
  return [a, b];
}

describe('faxgate convert / info', () => {
  const src = pages();
  writeFileSync(f('in.pbm'), writePbm(src));

  it('converts PBM -> TIFF -> SFF -> PBM without changing a pixel', async () => {
    let r = await runFaxgate(['convert', f('in.pbm'), f('a.tif')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/PBM, 2 pages.*TIFF, mh/);
    r = await runFaxgate(['convert', f('a.tif'), f('b.sff')]);
    expect(r.code).toBe(0);
    r = await runFaxgate(['convert', f('b.sff'), f('c.pbm')]);
    expect(r.code).toBe(0);
    const back = readPbm(readFileSync(f('c.pbm'))).pages;
    expect(back).toHaveLength(2);
    back.forEach((p, i) => {
      expect(pagesEqual(p, src[i])).toBe(true);
    });
    const sff = readSff(readFileSync(f('b.sff')));
    expect(sff.header.pageCount).toBe(2);
    expect(sff.pages[0].page.resolution).toBe('fine');
  });

  it('writes the requested TIFF compression, fill order and resolution', async () => {
    const r = await runFaxgate([
      'convert',
      f('in.pbm'),
      f('d.tiff'),
      '--compression',
      'mmr',
      '--fill-order',
      '2',
      '--resolution',
      'standard',
    ]);
    expect(r.code).toBe(0);
    const doc = readTiff(readFileSync(f('d.tiff')));
    expect(doc.pages.map((p) => [p.info.coding, p.info.fillOrder, p.page.resolution])).toEqual([
      ['mmr', 2, 'standard'],
      ['mmr', 2, 'standard'],
    ]);
    // PBM has no resolution: --resolution tags it, the rows stay
    expect(pagesEqual(doc.pages[0].page, src[0])).toBe(true);
    // a TIFF at fine converted to standard: half the rows
    const s = await runFaxgate([
      'convert',
      f('a.tif'),
      f('e.tif'),
      '--resolution',
      'standard',
      '--compression',
      'mr',
    ]);
    expect(s.code).toBe(0);
    const e = readTiff(readFileSync(f('e.tif')));
    expect(e.pages.map((p) => [p.info.coding, p.page.height, p.page.resolution])).toEqual([
      ['mr', 150, 'standard'],
      ['mr', 60, 'standard'],
    ]);
  });

  it('describes files: text and JSON', async () => {
    await runFaxgate(['convert', f('in.pbm'), f('g.tif'), '--compression', 'mr']);
    const t = await runFaxgate(['info', f('g.tif')]);
    expect(t.code).toBe(0);
    expect(t.stdout).toContain('format: TIFF (little-endian)');
    expect(t.stdout).toContain('pages: 2');
    expect(t.stdout).toMatch(
      /page 1: 1728x300, fine \(196 lpi\), mr, bad lines 0, fill order 1, TIFF Class F/,
    );
    await runFaxgate(['convert', f('in.pbm'), f('g.sff')]);
    const j = await runFaxgate(['info', '--json', f('g.sff')]);
    expect(j.code).toBe(0);
    const info = JSON.parse(j.stdout);
    expect(info.format).toBe('sff');
    expect(info.pages).toBe(2);
    expect(info.pageInfo[1]).toMatchObject({
      page: 2,
      width: 1728,
      height: 120,
      resolution: 'fine',
      coding: 'mh',
      badLines: 0,
    });
  });

  it('refuses bad input with exit code 2 and one clear line', async () => {
    writeFileSync(f('garbage.tif'), 'this is not a fax');
    const tif = readFileSync(f('a.tif'));
    writeFileSync(f('cut.tif'), tif.subarray(0, tif.length - 40));
    const cases: [string[], RegExp][] = [
      [['info', f('missing.tif')], /cannot read .*missing\.tif: no such file/],
      [['info', f('garbage.tif')], /unknown file format/],
      [['info', f('cut.tif')], /TIFF: .*beyond the end of the file/],
      [['convert', f('in.pbm'), f('out.png')], /cannot tell the output format/],
      [['convert', f('in.pbm'), f('out.sff'), '--compression', 'mmr'], /SFF holds MH only/],
      [['convert', f('in.pbm'), f('out.pbm'), '--fill-order', '2'], /--fill-order applies to TIFF/],
      [['convert', f('in.pbm'), f('out.tif'), '--compression', 'jbig'], /invalid/i],
      [['convert', f('in.pbm')], /convert needs an input file and an output file/],
    ];
    for (const [args, message] of cases) {
      const r = await runFaxgate(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
  });

  it('refuses a page damaged beyond intake.damage as send does; --accept-damaged writes it with a warning', async () => {
    // an MMR page (its strip starts at byte 8) with zero bytes in the middle: rows missing
    const tiff = new Uint8Array(testTiff(1, 300));
    tiff.fill(0, 8 + 60, 8 + 80);
    writeFileSync(f('damaged.tif'), tiff);
    const refused = await runFaxgate(['convert', f('damaged.tif'), f('damaged.pbm')]);
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(
      /^faxgate: page 1: \d+ of 300 rows damaged \(rows \d+–\d+\); convert with --accept-damaged/,
    );
    expect(() => readFileSync(f('damaged.pbm'))).toThrow();
    const accepted = await runFaxgate(['convert', '--accept-damaged', f('damaged.tif'), f('damaged.pbm')]);
    expect(accepted.code).toBe(0);
    expect(accepted.stderr).toMatch(/^WARNING: damaged\.tif: page 1: \d+ of 300 rows damaged/);
    expect(readPbm(readFileSync(f('damaged.pbm'))).pages).toHaveLength(1);
    // the same page undamaged converts without a word
    writeFileSync(f('sound.tif'), testTiff(1, 300));
    const sound = await runFaxgate(['convert', f('sound.tif'), f('sound.pbm')]);
    expect(sound.code).toBe(0);
    expect(sound.stderr).toBe('');
  });

  it('info shows the bad lines a reception repaired (BadFaxLines), which the re-encoded page no longer has', async () => {
    const [a] = pages();
    writeFileSync(
      f('received.tif'),
      writeTiff([{ page: a, quality: { badLines: 290, consecutiveBadLines: 40 } }, a], { coding: 'mmr' }),
    );
    const r = await runFaxgate(['info', f('received.tif')]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.find((l) => l.startsWith('page 1:'))).toMatch(
      /bad lines 0, .*received with 290 bad lines \(BadFaxLines, at most 40 in a row\)/,
    );
    expect(lines.find((l) => l.startsWith('page 2:'))).not.toMatch(/received with/);
  });
});
