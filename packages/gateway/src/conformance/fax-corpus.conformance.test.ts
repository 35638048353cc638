// The real-world fax files of the shared corpus (realworld/fax/MANIFEST.tsv: TIFF and SFF
// written by libtiff, Pillow, libtiff.net, image-tiff, AVM, HylaFAX, sfftools) decoded by
// fax-core and compared page by page, pixel for pixel, with the references the manifest names
// for each file; `faxgate info` and `faxgate convert` for the damaged and refused ones. One
// test per file and check; the summary reporter counts them (npm run test:conformance).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type FaxDocument, readFaxDocument } from '@faxgate/fax-core';
import {
  gsFaxPages,
  libtiffPages,
  sfftobmpPages,
  withDir,
} from '../test-support/conformance/fax-references.js';
import { type Check, corpusRoot, readManifest } from '../test-support/conformance/manifest.js';
import { describeManifest } from '../test-support/conformance/manifest-tests.js';
import { diffRasters, type Raster } from '../test-support/conformance/raster.js';
import { type CheckResult, fail, pass, runCheck } from '../test-support/conformance/record.js';
import { runFaxgate } from '../testing/run-cli.js';

const base = path.join(corpusRoot(), 'realworld/fax');
const rows = readManifest(path.join(base, 'MANIFEST.tsv'));

const decoded = new Map<string, FaxDocument>();
/** fax-core's decode of a corpus file (once per file). */
function ours(file: string): Raster[] {
  let doc = decoded.get(file);
  if (!doc) {
    doc = readFaxDocument(new Uint8Array(readFileSync(path.join(base, file))));
    decoded.set(file, doc);
  }
  return doc.pages.map((p) => ({ width: p.page.width, height: p.page.height, data: p.page.data }));
}

/** Every page identical (or only the first `rows` rows of page 1 and the sizes of all). */
function compare(mine: Raster[], ref: Raster[], rows?: number): CheckResult {
  if (mine.length !== ref.length) return fail(`${mine.length} pages, reference ${ref.length}`);
  const diffs = mine.flatMap((p, i) => {
    const d =
      rows === undefined
        ? diffRasters(p, ref[i])
        : p.width !== ref[i].width || p.height !== ref[i].height
          ? `size ${p.width}x${p.height}, reference ${ref[i].width}x${ref[i].height}`
          : i === 0
            ? diffRasters(p, ref[i], rows)
            : undefined;
    return d ? [`page ${i + 1}: ${d}`] : [];
  });
  return diffs.length ? fail(diffs.join('; ')) : pass();
}

async function badLines(file: string): Promise<CheckResult> {
  const r = await runFaxgate(['info', '--json', path.join(base, file)]);
  if (r.code !== 0) return fail(`faxgate info exited ${r.code}: ${r.stderr.trim()}`);
  const info = JSON.parse(r.stdout) as { pageInfo: Array<{ badLines: number }> };
  const n = info.pageInfo.reduce((s, p) => s + p.badLines, 0);
  return n > 0 ? pass() : fail('faxgate info reports no bad lines');
}

/** faxgate convert exits 2 with one "faxgate: ..." line, no stack trace, no output file. */
async function refused(input: string): Promise<CheckResult> {
  return withDir(async (dir) => {
    const out = path.join(dir, 'out.tif');
    const r = await runFaxgate(['convert', input, out]);
    const lines = r.stderr.trim().split('\n');
    if (r.code !== 2) return fail(`faxgate convert exited ${r.code}: ${lines[0] ?? ''}`);
    if (lines.length !== 1 || !lines[0].startsWith('faxgate: '))
      return fail(`stderr is not one "faxgate: ..." line: ${r.stderr.trim().slice(0, 300)}`);
    if (existsSync(out)) return fail('an output file was written');
    return pass();
  });
}

function check(file: string, c: Check): Promise<CheckResult> {
  return runCheck(async () => {
    const at = (f: string) => path.join(base, f);
    switch (c.name) {
      case 'libtiff':
        return compare(ours(file), libtiffPages(at(file)));
      case 'gs':
      case 'gs-noeol': {
        const g = gsFaxPages(at(file), c.name === 'gs-noeol');
        const r = compare(ours(file), g.pages);
        return r.ok || g.errors.length === 0 ? r : fail(`${r.detail} (gs: ${g.errors.join('; ')})`);
      }
      case 'ref':
        return compare(ours(file), libtiffPages(at(c.args[0])));
      case 'sfftobmp':
        return compare(ours(file), sfftobmpPages(at(file)));
      case 'prefix-libtiff':
        return compare(ours(file), libtiffPages(at(file)), Number(c.args[0]));
      case 'prefix-sfftobmp': {
        const [p1] = ours(file);
        const [r1] = sfftobmpPages(at(c.args[0]));
        const d = diffRasters(p1, r1, Number(c.args[1]));
        return d ? fail(`page 1: ${d}`) : pass();
      }
      case 'badlines>0':
        return badLines(file);
      case 'refuse':
        return refused(at(file));
      default:
        return fail(`unknown check ${c.spec}`);
    }
  });
}

// a reference tool run is limited to TOOL_TIMEOUT_MS; faxgate info/convert start a process
const TEST_TIMEOUT_MS = 180_000;

describeManifest(
  'realworld/fax: decoded like the references of MANIFEST.tsv',
  'fax',
  rows,
  check,
  TEST_TIMEOUT_MS,
);
