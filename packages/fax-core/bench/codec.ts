// npm run bench:codec -- [--iterations N] [--quick] [--transcode-only]
// One thread, in-process, the 8 CCITT pages: ms/page for our encoders and decoders in MH, MR K=4
// and MMR, beside utif2 (the JavaScript TIFF decoder most projects use) and sharp (libvips +
// libtiff in Node), and beside libtiff and spandsp in C (bench/native/codec-harness.c, built
// here with cc, timed with the same clock around the codec calls) — all measured in the same
// run on this machine, so the ratios hold.
// Then the gateway's per-page codec work before and after transcoding (bench/transcode.ts).

import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import UTIF from 'utif2';
import { decodePage } from '../src/codec/decode.js';
import { encodePage } from '../src/codec/encode.js';
import type { Coding } from '../src/codec/types.js';
import { type BilevelPage, pagesEqual } from '../src/page.js';
import { ccittDir, goldenPbm, goldenTiff, readPbm, readTiffStrip } from '../src/test-support/ccitt.js';
import { codecHarness, type HarnessResult, HarnessUnavailableError, runHarness } from './native/build.js';
import { benchTranscode } from './transcode.js';

const { values } = parseArgs({
  options: {
    iterations: { type: 'string' },
    quick: { type: 'boolean' },
    clock: { type: 'string' },
    'transcode-only': { type: 'boolean' },
  },
});
const quick = values.quick === true;
// The machines are shared: CPU time of this process is steadier than wall time under load.
// Everything measured here runs on this thread (sharp is set to one libvips thread).
const clock = values.clock === 'wall' ? 'wall' : 'cpu';
const now =
  clock === 'wall'
    ? () => performance.now()
    : () => {
        const u = process.cpuUsage();
        return (u.user + u.system) / 1000;
      };
const ITER = Number(values.iterations ?? (quick ? 10 : 60));
const ITER_SLOW = quick ? 2 : 6; // utif2 and sharp: tens of ms per page

// libtiff and spandsp in C, built once per source version (bench/native/build.ts).
let harness: string | null = null;
let harnessMissing = '';
try {
  harness = codecHarness();
} catch (e) {
  if (!(e instanceof HarnessUnavailableError)) throw e;
  harnessMissing = e.message;
}

const dir = ccittDir();
if (dir === null) {
  console.error('shared/testdata/ccitt not found (set FAXGATE_SHARED)');
  process.exit(2);
}
const PAGES = [1, 2, 3, 4, 5, 6, 7, 8];
const pages: BilevelPage[] = PAGES.map((n) => readPbm(goldenPbm(dir, n)));

const transcodeBench = () =>
  benchTranscode({
    files: PAGES.map((n) => goldenTiff(dir, n, 'mmr')),
    iterations: quick ? 10 : 40,
    rounds: quick ? 3 : 7,
    now,
  });
if (values['transcode-only']) {
  transcodeBench();
  process.exit(0);
}

interface Mode {
  name: string;
  coding: Coding;
  file: 'mh' | 'mr_k4' | 'mmr';
}
const MODES: Mode[] = [
  { name: 'MH', coding: 'mh', file: 'mh' },
  { name: 'MR K=4', coding: 'mr', file: 'mr_k4' },
  { name: 'MMR', coding: 'mmr', file: 'mmr' },
];

sharp.concurrency(1);
sharp.cache(false);

/** Mean ms per page of `fn` over all pages, after a warm-up. */
function timeSync(iterations: number, fn: (i: number) => void): number {
  for (let w = 0; w < Math.max(2, iterations >> 2); w++) for (let i = 0; i < pages.length; i++) fn(i);
  const t0 = now();
  for (let k = 0; k < iterations; k++) for (let i = 0; i < pages.length; i++) fn(i);
  return (now() - t0) / iterations / pages.length;
}

async function timeAsync(iterations: number, fn: (i: number) => Promise<void>): Promise<number> {
  for (let i = 0; i < pages.length; i++) await fn(i);
  const t0 = now();
  for (let k = 0; k < iterations; k++) for (let i = 0; i < pages.length; i++) await fn(i);
  return (now() - t0) / iterations / pages.length;
}

function unpackGray(page: BilevelPage): Buffer {
  const out = Buffer.alloc(page.width * page.height);
  for (let y = 0; y < page.height; y++)
    for (let x = 0; x < page.width; x++)
      out[y * page.width + x] = (page.data[y * page.stride + (x >>> 3)] >>> (7 - (x & 7))) & 1 ? 0 : 255;
  return out;
}

interface Row {
  mode: string;
  ourEnc: number;
  ourDec: number;
  utifDec: number;
  sharpDec: number;
  sharpEnc: number | null;
  c: HarnessResult | null;
}

const rows: Row[] = [];
const notes: string[] = [];
for (const mode of MODES) {
  const files = PAGES.map((n) => readFileSync(goldenTiff(dir, n, mode.file)));
  const strips = PAGES.map((n) => readTiffStrip(goldenTiff(dir, n, mode.file)).strip);
  const encOpts = { coding: mode.coding, k: 4 };

  // correctness first: byte-exact encode, pixel-exact decode, and the competitors agree
  for (let i = 0; i < pages.length; i++) {
    const enc = encodePage(pages[i], encOpts);
    if (!Buffer.from(enc).equals(Buffer.from(strips[i])))
      throw new Error(`${mode.name} page ${i + 1}: encode differs`);
    const dec = decodePage(strips[i], { coding: mode.coding, width: 1728, height: 2376 });
    if (!pagesEqual(dec.page, pages[i])) throw new Error(`${mode.name} page ${i + 1}: decode differs`);
    const ifd = UTIF.decode(files[i])[0];
    UTIF.decodeImage(files[i], ifd);
    const u = ifd.data;
    let same = u.length >= pages[i].data.length;
    // utif2 returns the packed rows; it may store them inverted (BlackIsZero): accept either
    const inv = u[0] !== pages[i].data[0] ? 0xff : 0;
    for (let b = 0; same && b < pages[i].data.length; b++) same = ((u[b] ^ inv) & 0xff) === pages[i].data[b];
    if (!same && i === 0) notes.push(`utif2 output differs from the PBM on ${mode.name} page 1`);
  }

  const ourEnc = timeSync(ITER, (i) => {
    encodePage(pages[i], encOpts);
  });
  const ourDec = timeSync(ITER, (i) => {
    decodePage(strips[i], { coding: mode.coding, width: 1728, height: 2376 });
  });
  const utifDec = timeSync(ITER_SLOW, (i) => {
    const ifd = UTIF.decode(files[i])[0];
    UTIF.decodeImage(files[i], ifd);
  });
  const sharpDec = await timeAsync(ITER_SLOW, async (i) => {
    await sharp(files[i]).raw().toBuffer();
  });
  let sharpEnc: number | null = null;
  if (mode.coding === 'mmr') {
    const grays = pages.map(unpackGray);
    sharpEnc = await timeAsync(ITER_SLOW, async (i) => {
      await sharp(grays[i], { raw: { width: 1728, height: 2376, channels: 1 } })
        .toColourspace('b-w')
        .tiff({ compression: 'ccittfax4', bitdepth: 1 })
        .toBuffer();
    });
  }
  const c =
    harness === null
      ? null
      : runHarness(
          harness,
          clock,
          ITER,
          mode.coding,
          PAGES.map((n) => ({ tiff: goldenTiff(dir, n, mode.file), pbm: goldenPbm(dir, n) })),
        );
  if (c && !(c.libtiff.checked && c.spandsp.encChecked && c.spandsp.decChecked))
    notes.push(
      `${mode.name}: a C coder's output did not match the PBM (libtiff ${c.libtiff.checked}, spandsp enc ${c.spandsp.encChecked}, dec ${c.spandsp.decChecked})`,
    );
  rows.push({ mode: mode.name, ourEnc, ourDec, utifDec, sharpDec, sharpEnc, c });
}

const f = (x: number | null) => (x === null ? 'n/a' : x.toFixed(2));
const header = [
  'mode',
  'ours enc',
  'ours dec',
  'utif2 dec',
  'sharp dec',
  'sharp enc',
  'libtiff enc',
  'libtiff dec',
  'spandsp enc',
  'spandsp dec',
  'dec vs utif2',
];
const table = rows.map((r) => [
  r.mode,
  f(r.ourEnc),
  f(r.ourDec),
  f(r.utifDec),
  f(r.sharpDec),
  f(r.sharpEnc),
  f(r.c?.libtiff.enc ?? null),
  f(r.c?.libtiff.dec ?? null),
  f(r.c?.spandsp.enc ?? null),
  f(r.c?.spandsp.dec ?? null),
  `${(r.utifDec / r.ourDec).toFixed(0)}x`,
]);
const widths = header.map((h, c) => Math.max(h.length, ...table.map((t) => t[c].length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padStart(widths[i])).join(' | ')} |`;
console.log(
  `\nCodec speed, ms per page (${clock === 'cpu' ? 'CPU time of this process' : 'wall clock'}; mean over CCITT pages 1-8, 1728x2376; ${ITER} iterations for ours, ${ITER_SLOW} for utif2/sharp; node ${process.version}; load average ${loadavg()[0].toFixed(1)} on ${cpus().length} CPUs)`,
);
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const t of table) console.log(line(t));
console.log(
  harness
    ? '  libtiff / spandsp: C, in-process, one thread, same pages and clock, this run (bench/native/codec-harness.c;\n' +
        '  libtiff on in-memory TIFFs, spandsp 0.0.6 t4_tx/t4_rx; every output checked against the PBM).'
    : `  libtiff / spandsp: not measured — ${harnessMissing}`,
);
console.log(
  '  sharp decodes the whole TIFF to 8-bit raw; sharp (libvips) can write CCITT only as G4 (ccittfax4),',
);
console.log('  from 8-bit grey, so it has no MH / MR encoder to compare.');
for (const n of notes) console.log(`  note: ${n}`);

const targetDec = rows.every((r) => r.utifDec / r.ourDec >= 30);
const measured = rows.every((r) => r.c !== null);
const worstEnc = Math.max(...rows.map((r) => r.ourEnc / (r.c?.spandsp.enc ?? Number.NaN)));
const worstDec = Math.max(...rows.map((r) => r.ourDec / (r.c?.libtiff.dec ?? Number.NaN)));
console.log(
  `\ntargets: decode >= 30x utif2: ${targetDec ? 'met' : 'NOT met'}; ` +
    (measured
      ? `encode ${worstEnc.toFixed(2)}x spandsp (<= 2: ${worstEnc <= 2 ? 'met' : 'NOT met'}); decode ${worstDec.toFixed(2)}x libtiff (<= 2: ${worstDec <= 2 ? 'met' : 'NOT met'}) — same run`
      : 'encode vs spandsp, decode vs libtiff: not measured (no C harness)'),
);

transcodeBench();
