// The real-world documents of the shared corpus (realworld/docs/MANIFEST.tsv: PDFs from pdf.js
// and pypdf, images from Pillow) rendered as `faxgate send` renders them — the submission's
// document loader with the default configuration's options, sandboxed render pool — and
// checked against Ghostscript: its page count for the document as a fax, and no content it
// draws missing in ours (24-pixel blocks, doc-compare.ts). One test per file and check; the
// summary reporter counts them (npm run test:conformance).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { A4_WIDTH, type BilevelPage } from '@faxgate/fax-core';
import { afterAll } from 'vitest';
import { inkedBlocks, missingInkBlocks } from '../../../fax-core/src/test-support/doc-compare.js';
import { configSchema } from '../config/schema.js';
import { createDocumentLoader, DocumentInputError, documentLoaderOptions } from '../documents/load-pages.js';
import { gsPageBoxes, gsPageCandidates, gsPageCount } from '../test-support/conformance/doc-references.js';
import { type Check, corpusRoot, DOC_OVERRIDES, readManifest } from '../test-support/conformance/manifest.js';
import { describeManifest } from '../test-support/conformance/manifest-tests.js';
import { strideOf } from '../test-support/conformance/raster.js';
import { type CheckResult, fail, pass, runCheck } from '../test-support/conformance/record.js';

const base = path.join(corpusRoot(), 'realworld/docs');
const rows = readManifest(path.join(base, 'MANIFEST.tsv'), DOC_OVERRIDES);

// The daemon's loader options from the default configuration (intake budget, bubblewrap),
// its work directory a private one here as the daemon makes one under paths.tmp.
const tmp = mkdtempSync(path.join(os.tmpdir(), 'faxgate-conformance-render-'));
const defaults = configSchema.parse({});
const loader = createDocumentLoader({
  workers: 1,
  ...documentLoaderOptions({ ...defaults, paths: { ...defaults.paths, tmp } }),
});
afterAll(async () => {
  await loader.close();
  rmSync(tmp, { recursive: true, force: true });
});

type Rendered = { pages: BilevelPage[] } | { error: unknown };
const rendered = new Map<string, Promise<Rendered>>();
/** faxgate's pages of a corpus document at fine resolution, rendered once per file. */
function render(file: string): Promise<Rendered> {
  let r = rendered.get(file);
  if (!r) {
    const data = new Uint8Array(readFileSync(path.join(base, file)));
    r = loader.load([{ name: path.basename(file), data }], 'fine').then(
      (pages) => ({ pages }),
      (error: unknown) => ({ error }),
    );
    rendered.set(file, r);
  }
  return r;
}

async function pages(file: string): Promise<BilevelPage[]> {
  const r = await render(file);
  if ('error' in r) throw r.error;
  return r.pages;
}

const gsCounts = new Map<string, number>();
function gsCount(file: string): number {
  let n = gsCounts.get(file);
  if (n === undefined) {
    n = gsPageCount(path.join(base, file));
    gsCounts.set(file, n);
  }
  return n;
}

/** Blocks of 24 pixels, ours may be one block off (doc-compare.ts). */
const BLOCK = 24;
/**
 * A block counts as inked by Ghostscript from 4 black pixels: a speck of 1–3 pixels (gs draws
 * a 2-pixel one in empty space on TAMReview.pdf p. 16, where PDFium draws nothing) is no
 * content, and it comes and goes with sub-pixel placement; a full stop at 8 pt has about 9
 * pixels, a hairline across a block 24.
 */
const MIN_INK = 4;

/**
 * Every block Ghostscript inks has ink near it in ours, page by page; of gs's drawings of a
 * page (upright, or turned either way when ours is turned) the one closest to ours counts.
 */
async function contentPresent(file: string): Promise<CheckResult> {
  const ours = await pages(file);
  const n = gsCount(file);
  if (ours.length !== n) return fail(`${ours.length} pages, Ghostscript ${n}`);
  const boxes = gsPageBoxes(path.join(base, file));
  let gsInk = 0;
  const missing = ours.flatMap((p, i) => {
    const refs = gsPageCandidates(path.join(base, file), i + 1, boxes[i], p.width, p.height).map(
      (ref): BilevelPage => ({ ...ref, stride: strideOf(ref.width), resolution: p.resolution }),
    );
    gsInk += inkedBlocks(refs[0], BLOCK, MIN_INK);
    const m = refs
      .map((ref) => missingInkBlocks(p, ref, BLOCK, 1, MIN_INK))
      .reduce((a, b) => (b.length < a.length ? b : a));
    return m.length
      ? [
          `page ${i + 1}: ${m.length} blocks Ghostscript inks are white in ours (first at x ${m[0].bx * BLOCK}, y ${m[0].by * BLOCK})`,
        ]
      : [];
  });
  // A reference without ink would prove nothing.
  if (gsInk === 0) return fail('Ghostscript drew no ink on any page');
  return missing.length ? fail(missing.join('; ')) : pass();
}

function check(file: string, c: Check): Promise<CheckResult> {
  return runCheck(async () => {
    switch (c.name) {
      case 'pages': {
        const p = await pages(file);
        const want = Number(c.args[0]);
        if (p.length !== want) return fail(`${p.length} pages, want ${want}`);
        const odd = p.findIndex((x) => x.width !== A4_WIDTH);
        return odd < 0 ? pass() : fail(`page ${odd + 1} is ${p[odd].width} wide, not ${A4_WIDTH}`);
      }
      case 'refuse': {
        const r = await render(file);
        if (!('error' in r)) return fail(`rendered into ${r.pages.length} pages instead of refused`);
        return r.error instanceof DocumentInputError
          ? pass()
          : fail(`refused, but not as a DocumentInputError: ${String(r.error)}`);
      }
      case 'gspages': {
        const p = await pages(file);
        const n = gsCount(file);
        return p.length === n ? pass() : fail(`${p.length} pages, Ghostscript ${n}`);
      }
      case 'doccmp':
        return contentPresent(file);
      default:
        return fail(`unknown check ${c.spec}`);
    }
  });
}

// a long document renders for half a minute on 2 cores; gs runs have their own limit (TOOL_TIMEOUT_MS)
const TEST_TIMEOUT_MS = 300_000;

describeManifest(
  'realworld/docs: rendered as faxgate send does, against Ghostscript',
  'docs',
  rows,
  check,
  TEST_TIMEOUT_MS,
);
