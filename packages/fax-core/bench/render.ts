// npm run bench:render — pages/s through the whole path (document → 1-bit fax pages at
// 204×196 → MMR via ../src/codec, header line on every page) in the render pool with 2
// worker processes, side by side with Ghostscript (gs -sDEVICE=tiffg4 -r204x196) on the
// same files in the same run, plus peak memory. Workload: a queue of documents, as a
// gateway sees them. Ghostscript runs one process per document, once one at a time (how
// HylaFAX converts) and once two at a time (same core budget as our 2 workers).
// First it prints what the bubblewrap sandbox costs (bench/render-sandbox.ts; from sources under
// tsx and, when built, from dist as in production); `--sandbox=none`
// runs the comparison with gs unconfined, `--sandbox-only` stops after the sandbox figures.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRenderPool } from '../src/render/index.js';
import { treeRss } from '../src/render/proc-tree.js';
import type { SandboxMode } from '../src/render/sandbox.js';
import { makeScanPdf, makeTextPdf } from '../src/test-support/render-fixtures.js';
import { benchSandbox } from './render-sandbox.js';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const DOCS = Number(args.get('docs') ?? 6);
const TEXT_PAGES = Number(args.get('text-pages') ?? 10);
const SCAN_PAGES = Number(args.get('scan-pages') ?? 4);
const WORKERS = Number(args.get('workers') ?? 2);
// Rounds alternate ours and gs, so load from other processes hits both alike; medians are printed.
const ROUNDS = Number(args.get('rounds') ?? 3);
const SANDBOX = (args.get('sandbox') ?? 'bubblewrap') as SandboxMode;
const SANDBOX_ROUNDS = Number(args.get('sandbox-rounds') ?? 4);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function statusKb(pid: number, key: string): number {
  try {
    const m = fs.readFileSync(`/proc/${pid}/status`, 'latin1').match(new RegExp(`${key}:\\s+(\\d+)`));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function childPids(pid: number): number[] {
  try {
    return fs
      .readFileSync(`/proc/${pid}/task/${pid}/children`, 'latin1')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** Runs gs on each file with `parallel` processes at a time; returns wall ms and peak RSS of one gs. */
async function ghostscript(
  files: string[],
  parallel: number,
  outDir: string,
): Promise<{ ms: number; peakKb: number }> {
  let peakKb = 0;
  const started = performance.now();
  const queue = [...files];
  const runOne = (file: string) =>
    new Promise<void>((resolve, reject) => {
      const child = spawn('gs', [
        '-q',
        '-dNOPAUSE',
        '-dBATCH',
        '-dSAFER',
        '-sDEVICE=tiffg4',
        '-r204x196',
        `-sOutputFile=${path.join(outDir, `${path.basename(file)}.tif`)}`,
        file,
      ]);
      const poll = setInterval(() => {
        peakKb = Math.max(peakKb, statusKb(child.pid!, 'VmHWM'));
      }, 5);
      child.on('exit', (code) => {
        clearInterval(poll);
        code === 0 ? resolve() : reject(new Error(`gs exited ${code}`));
      });
    });
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      for (let f = queue.shift(); f; f = queue.shift()) await runOne(f);
    }),
  );
  return { ms: performance.now() - started, peakKb };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-bench-'));
  const text = await makeTextPdf(TEXT_PAGES);
  const scan = await makeScanPdf(SCAN_PAGES);
  const workloads = [
    { name: 'text PDF', bytes: text, pages: TEXT_PAGES },
    { name: 'scanned PDF', bytes: scan, pages: SCAN_PAGES },
  ];
  console.log(await benchSandbox(text, TEXT_PAGES, SANDBOX_ROUNDS));
  const distWorker = fileURLToPath(new URL('../dist/render/worker.js', import.meta.url));
  if (fs.existsSync(distWorker))
    console.log(await benchSandbox(text, TEXT_PAGES, SANDBOX_ROUNDS, distWorker));
  if (args.has('sandbox-only')) return fs.rmSync(dir, { recursive: true, force: true });
  const pool = createRenderPool({
    workers: WORKERS,
    limits: { timeMs: 600_000, pages: 1000 },
    sandbox: { mode: SANDBOX, tmpDir: '/tmp/faxgate-bench-render' },
    onWarning: () => {},
  });
  await pool.ready();
  // warm-up: one small job per worker (JIT, glyph cache)
  await Promise.all(Array.from({ length: WORKERS }, () => pool.render(text, { mmr: true })));
  const rows: string[] = [];
  console.log(
    `render bench: ${DOCS} documents per workload, ${WORKERS} worker processes (sandbox ${SANDBOX}), ${ROUNDS} rounds, node ${process.version}, ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)}`,
  );
  for (const w of workloads) {
    const files = Array.from({ length: DOCS }, (_, i) => {
      const f = path.join(dir, `${w.name.replace(/\W/g, '')}-${i}.pdf`);
      fs.writeFileSync(f, w.bytes);
      return f;
    });
    const totalPages = DOCS * w.pages;
    let peakKb = 0;
    let peakSelfKb = 0;
    let peakWorkerKb = 0;
    let gsPeakKb = 0;
    let mmrBytes = 0;
    const oursRate: number[] = [];
    const gs1Rate: number[] = [];
    const gs2Rate: number[] = [];
    const header = {
      format: '%Y-%m-%d %H:%M|From %%s %%n|To %%d|Page %%P/%%T',
      fields: { senderName: 'Bench', senderNumber: '+49 30 1', recipientNumber: '+49 40 2' },
    };
    for (let round = 0; round < ROUNDS; round++) {
      const poll = setInterval(() => {
        const self = statusKb(process.pid, 'VmRSS');
        let workers = 0;
        // a sandboxed worker is bwrap → bwrap → node: count the whole tree
        for (const c of childPids(process.pid)) {
          const kb = Math.round((treeRss(c) ?? 0) / 1024);
          workers += kb;
          peakWorkerKb = Math.max(peakWorkerKb, kb);
        }
        peakSelfKb = Math.max(peakSelfKb, self);
        peakKb = Math.max(peakKb, self + workers);
      }, 10);
      const started = performance.now();
      const results = await Promise.all(
        files.map(async (f) =>
          pool.render(fs.readFileSync(f), { resolution: 'fine', headerLine: header, mmr: 'only' }),
        ),
      );
      const ms = performance.now() - started;
      clearInterval(poll);
      if (results.some((r) => r.pageCount !== w.pages || r.mmr?.length !== w.pages))
        throw new Error('page count mismatch');
      mmrBytes = 0;
      for (const r of results) for (const m of r.mmr ?? []) mmrBytes += m.length;
      oursRate.push((totalPages * 1000) / ms);
      const gs1 = await ghostscript(files, 1, dir);
      const gs2 = await ghostscript(files, 2, dir);
      gsPeakKb = Math.max(gsPeakKb, gs1.peakKb, gs2.peakKb);
      gs1Rate.push((totalPages * 1000) / gs1.ms);
      gs2Rate.push((totalPages * 1000) / gs2.ms);
    }
    const ours = median(oursRate);
    const g1 = median(gs1Rate);
    const g2 = median(gs2Rate);
    const span = (xs: number[]) => `${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}`;
    rows.push(
      [
        `${w.name} (${totalPages} pages, MMR ${(mmrBytes / totalPages / 1024).toFixed(1)} KiB/page)`,
        `  faxgate render pool (${WORKERS} workers): ${ours.toFixed(1)} pages/s (rounds ${span(oursRate)}), peak RSS ${(peakKb / 1024).toFixed(0)} MiB in all (this process ${(peakSelfKb / 1024).toFixed(0)}, largest worker ${(peakWorkerKb / 1024).toFixed(0)})`,
        `  gs tiffg4 -r204x196, 1 process:  ${g1.toFixed(1)} pages/s (rounds ${span(gs1Rate)}), peak RSS ${(gsPeakKb / 1024).toFixed(0)} MiB per gs`,
        `  gs tiffg4 -r204x196, 2 parallel: ${g2.toFixed(1)} pages/s (rounds ${span(gs2Rate)})`,
        `  ratio of medians: ${(ours / g1).toFixed(2)}× gs (1 process), ${(ours / g2).toFixed(2)}× gs (2 parallel)`,
      ].join('\n'),
    );
    console.log(rows[rows.length - 1]);
  }
  await pool.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
