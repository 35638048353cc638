// The conformance harness's own logic, without the corpus: manifest rows and their check
// markers, the summary's counting (must / ? / ~, tests without a record), the raster diff and
// the quarter turn used to compare turned pages.
import { describe, expect, it } from 'vitest';
import { place, turn } from './doc-references.js';
import { applyOverrides, parseCheck, parseManifest } from './manifest.js';
import { diffRasters, type Raster } from './raster.js';
import type { ConformanceRecord } from './record.js';
import { buildSummary, type SummaryEntry } from './summary.js';

describe('manifest', () => {
  it('reads rows, check arguments and the ? / ~ markers, skipping comments', () => {
    const rows = parseManifest(
      '# path\tchecks\twhat\na/x.tif\tlibtiff,ref:a/refs/o.tiff,libtiff~\tG3\n\nb/y.pdf\tpages:1?,prefix-sfftobmp:b/z.sff:12\tdoc\n',
    );
    expect(rows.map((r) => r.path)).toEqual(['a/x.tif', 'b/y.pdf']);
    expect(rows[0].checks).toEqual([
      { spec: 'libtiff', name: 'libtiff', args: [], mode: 'must' },
      { spec: 'ref:a/refs/o.tiff', name: 'ref', args: ['a/refs/o.tiff'], mode: 'must' },
      { spec: 'libtiff', name: 'libtiff', args: [], mode: 'wrong' },
    ]);
    expect(rows[1].checks[0]).toEqual({ spec: 'pages:1', name: 'pages', args: ['1'], mode: 'warn' });
    expect(rows[1].checks[1].args).toEqual(['b/z.sff', '12']);
    expect(rows[1].line).toBe(4);
  });

  it('refuses a row without checks, naming the line', () => {
    expect(() => parseManifest('# c\nonly-a-path\n')).toThrow(/line 2/);
    expect(parseCheck('badlines>0').name).toBe('badlines>0');
  });
});

describe('manifest overrides', () => {
  const text = '# c\nimg/a.gif\trefuse\tGIF\nimg/b.png\tpages:1\tPNG\n';
  it('replace a check and say why in the row', () => {
    const rows = applyOverrides(parseManifest(text), {
      'img/a.gif': { from: 'refuse', to: 'pages:1', why: 'decided in issue 16' },
    });
    expect(rows[0].checks).toEqual([parseCheck('pages:1')]);
    expect(rows[0].what).toContain('not refuse: decided in issue 16');
    expect(rows[1].checks).toEqual([parseCheck('pages:1')]);
  });
  it('throw when the manifest no longer has the overridden file or check', () => {
    const o = { from: 'refuse', to: 'pages:1', why: 'x' };
    expect(() => applyOverrides(parseManifest(text), { 'img/gone.gif': o })).toThrow(/img\/gone.gif/);
    expect(() => applyOverrides(parseManifest(text), { 'img/b.png': o })).toThrow(/no check "refuse"/);
  });
});

describe('summary', () => {
  const rec = (
    file: string,
    check: string,
    mode: ConformanceRecord['mode'],
    ok: boolean,
  ): ConformanceRecord => ({
    manifest: 'fax',
    group: file.split('/')[0],
    file,
    check,
    mode,
    ok,
    detail: ok ? '' : 'rows differ',
  });
  const entry = (record: ConformanceRecord, state: SummaryEntry['state']): SummaryEntry => ({
    module: 'x.conformance.test.ts',
    state,
    name: `${record.file} ${record.check}`,
    record,
  });

  it('counts passed, failed, WARN and known-wrong checks per folder and lists the ones that did not pass', () => {
    const text = buildSummary([
      entry(rec('lib/a.tif', 'libtiff', 'must', true), 'passed'),
      entry(rec('lib/a.tif', 'gs', 'must', false), 'failed'),
      entry(rec('lib/b.tif', 'libtiff', 'wrong', false), 'passed'),
      entry(rec('lib/b.tif', 'ref:lib/refs/b.tif', 'warn', false), 'passed'),
      { module: 'packages/fax-core/src/codec/ccitt.conformance.test.ts', state: 'passed', name: 'decodes' },
      {
        module: 'packages/fax-core/src/codec/ccitt.conformance.test.ts',
        state: 'failed',
        name: 'writes\nall',
      },
    ]);
    const lines = text.split('\n');
    expect(lines).toContain('| fax/lib | 2 | 1 | 1 | 1 | 0 / 1 | gs, libtiff, libtiff refs, libtiff~ |');
    const other = '| tests: fax-core/codec/ccitt |  | 1 | 1 | 0 |  | its own assertions |';
    expect(lines.indexOf(other)).toBe(3); // after the corpus folders, before the total
    expect(lines[4]).toBe('| **total** | 2 | 2 | 2 | 1 | 1 | |');
    expect(text).toContain(
      'Failed (2):\n\n- fax/lib/a.tif gs: rows differ\n- packages/fax-core/src/codec/ccitt.conformance.test.ts: writes all (failed)',
    );
    expect(text).toContain(
      'WARN (report-only checks) (1):\n\n- fax/lib/b.tif ref:lib/refs/b.tif: rows differ',
    );
    expect(text).toContain('- fax/lib/b.tif libtiff: rows differ');
  });

  it('counts a passing record in a failed test as failed', () => {
    const text = buildSummary([entry(rec('lib/a.tif', 'libtiff', 'must', true), 'failed')]);
    expect(text).toContain('| fax/lib | 1 | 0 | 1 | 0 |');
  });
});

describe('rasters', () => {
  const raster = (rows: string[]): Raster => {
    const width = rows[0].length;
    const stride = (width + 7) >>> 3;
    const data = new Uint8Array(stride * rows.length);
    rows.forEach((r, y) => {
      for (let x = 0; x < width; x++) if (r[x] === '#') data[y * stride + (x >>> 3)] |= 0x80 >>> (x & 7);
    });
    return { width, height: rows.length, data };
  };

  it('names the first differing row, ignores padding bits and compares a prefix', () => {
    const a = raster(['#..', '.#.', '..#']);
    const b = raster(['#..', '.#.', '#.#']);
    expect(diffRasters(a, a)).toBeUndefined();
    expect(diffRasters(a, b)).toBe('1 of 3 rows differ, the first is row 2');
    expect(diffRasters(a, b, 2)).toBeUndefined();
    const padded = { ...a, data: a.data.map((v) => v | 0x01) };
    expect(diffRasters(padded, a)).toBeUndefined();
    expect(diffRasters(a, raster(['#..', '.#.']))).toBe('height 3, reference 2');
  });

  it('turns a quarter each way and places a page centred at the top', () => {
    const r = raster(['##.', '...']);
    expect(turn(r, true)).toEqual(raster(['.#', '.#', '..']));
    expect(turn(r, false)).toEqual(raster(['..', '#.', '#.']));
    expect(turn(turn(r, true), false)).toEqual(r);
    expect(place(r, 7, 3)).toEqual(raster(['..##...', '.......', '.......']));
  });
});
