// npm run bench:halftone — the default black/white conversion ('halftone') beside the plain
// threshold ('none') in the same run: rounds alternate the two, medians are printed.
//  1. the conversion alone (greyToBilevel) on grey pages as PDFium hands them over: an aliased
//     text page (0/255), the same with grey fills and a chart (tints), a scan on grey paper
//     with noise;
//  2. whole documents in-process (renderJob: PDFium draw + conversion + MMR): the generated
//     text PDF and scanned PDF of bench:render, and a page of grey fills.
import { PDFDocument, rgb } from 'pdf-lib';
import { encodePage } from '../src/codec/index.js';
import type { BilevelPage } from '../src/page.js';
import { createPage, getPixel } from '../src/page.js';
import { type GreyImage, greyToBilevel } from '../src/render/bilevel.js';
import { renderJob } from '../src/render/job.js';
import { DEFAULT_LIMITS, type DitherMode } from '../src/render/types.js';
import { makeScanPdf, makeTextPdf } from '../src/test-support/render-fixtures.js';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const ROUNDS = Number(args.get('rounds') ?? 5);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const MODES: DitherMode[] = ['none', 'halftone'];

function toGrey(p: BilevelPage, shade: (x: number, y: number, black: boolean) => number): GreyImage {
  const data = new Uint8Array(p.width * p.height);
  for (let y = 0; y < p.height; y++)
    for (let x = 0; x < p.width; x++) data[y * p.width + x] = shade(x, y, getPixel(p, x, y) === 1);
  return { data, width: p.width, height: p.height, stride: p.width };
}

async function fillsPdf(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([595.28, 841.89]);
  for (let i = 0; i < 12; i++) {
    const g = 0.5 + (i % 4) * 0.13;
    page.drawRectangle({ x: 60 + i * 40, y: 300, width: 30, height: 40 + i * 30, color: rgb(g, g, g) });
  }
  page.drawRectangle({ x: 50, y: 700, width: 495, height: 80, color: rgb(0.9, 0.9, 0.9) });
  return doc.save();
}

async function main(): Promise<void> {
  const text = await makeTextPdf(10);
  const scan = await makeScanPdf(4);
  const fills = await fillsPdf();
  const textPage = (await renderJob(text, { dither: 'none' }, { limits: DEFAULT_LIMITS })).pages[0];
  let s = 1;
  const noise = () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s % 16;
  };
  const greys: Record<string, GreyImage> = {
    'text page (aliased, 0/255)': toGrey(textPage, (_x, _y, b) => (b ? 0 : 255)),
    'text + fills (tints)': toGrey(textPage, (x, y, b) =>
      b ? 0 : y > 400 && y < 1200 && x > 200 && x < 1500 ? 160 + ((x >> 6) % 5) * 18 : 255,
    ),
    'scan on grey paper, noisy': toGrey(textPage, (_x, _y, b) => (b ? 30 + noise() : 232 + noise())),
  };
  console.log(`halftone vs threshold, same run, ${ROUNDS} rounds alternating, medians\n`);
  console.log('conversion alone (ms per 1728-wide page):');
  for (const [name, img] of Object.entries(greys)) {
    const t: Record<string, number[]> = { none: [], halftone: [] };
    for (let r = 0; r < ROUNDS; r++)
      for (const mode of MODES) {
        const page = createPage(img.width, img.height);
        const started = performance.now();
        for (let k = 0; k < 5; k++) greyToBilevel(img, page, 0, 0, mode, 160);
        t[mode].push((performance.now() - started) / 5);
      }
    const a = median(t.none);
    const b = median(t.halftone);
    console.log(
      `  ${name.padEnd(28)} threshold ${a.toFixed(2)}  halftone ${b.toFixed(2)}  (${(b / a).toFixed(2)}×)`,
    );
  }
  console.log('\nwhole documents in-process, renderJob + MMR (pages/s; MMR bytes per page):');
  for (const [name, bytes] of Object.entries({
    'text PDF, 10 pages': text,
    'scanned PDF, 4 pages': scan,
    'grey fills, 1 page': fills,
  })) {
    const rate: Record<string, number[]> = { none: [], halftone: [] };
    const size: Record<string, number> = {};
    for (let r = 0; r < ROUNDS; r++)
      for (const mode of MODES) {
        const started = performance.now();
        const res = await renderJob(
          bytes,
          { dither: mode, mmr: true },
          { limits: DEFAULT_LIMITS, encodeMmr: (p) => encodePage(p, { coding: 'mmr' }) },
        );
        rate[mode].push(res.pageCount / ((performance.now() - started) / 1000));
        size[mode] = Math.round((res.mmr ?? []).reduce((n, m) => n + m.length, 0) / res.pageCount);
      }
    const a = median(rate.none);
    const b = median(rate.halftone);
    console.log(
      `  ${name.padEnd(22)} threshold ${a.toFixed(1)} (${size.none} B)  halftone ${b.toFixed(1)} (${size.halftone} B)  (${(b / a).toFixed(2)}×)`,
    );
  }
}

await main();
