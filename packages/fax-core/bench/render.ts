// npm run bench:render — pages/s through the whole path (document → 1-bit fax pages at
// 204×196 → MMR via ../src/codec, header line on every page) in the render pool with 2
// worker processes, side by side with Ghostscript (gs -sDEVICE=tiffg4 -r204x196) on the
// same files in the same run, plus peak memory. Workload: a queue of documents, as a
// gateway sees them. Ghostscript runs one process per document, once one at a time (how
// HylaFAX converts) and once two at a time (same core budget as our 2 workers).
// First it prints what the bubblewrap sandbox costs (bench/render-sandbox.ts; from sources under
// tsx and, when built, from dist as in production); `--sandbox=none`
// runs the comparison with gs unconfined, `--sandbox-only` stops after the sandbox figures.
// The pool runs the built worker (dist, as in production) when there is one, else the sources
// under tsx; `--worker=src` forces the sources, `--worker=/path/to/worker.js` runs another build
// (a before/after comparison in one session). Peak memory is the kernel's high-water mark
// (VmHWM) of each worker process and of each gs, read the same way.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRenderPool } from '../src/render/index.js';
import { processTree } from '../src/render/proc-tree.js';
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

/** High-water marks (VmHWM, KiB) of the node processes below this one: the render workers. */
function workerPeaks(into: Map<number, number>): void {
  for (const pid of processTree(process.pid).slice(1)) {
    try {
      const status = fs.readFileSync(`/proc/${pid}/status`, 'latin1');
      if (!/^Name:\s+node$/m.test(status)) continue; // bwrap, gs, esbuild
      const kb = Number(status.match(/VmHWM:\s+(\d+)/)?.[1] ?? 0);
      into.set(pid, Math.max(into.get(pid) ?? 0, kb));
    } catch {
      // gone
    }
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
  const distWorker = fileURLToPath(new URL('../dist/render/worker.js', import.meta.url));
  // --sandbox-rounds=0 skips the sandbox figures
  if (SANDBOX_ROUNDS > 0) {
    console.log(await benchSandbox(text, TEXT_PAGES, SANDBOX_ROUNDS));
    if (fs.existsSync(distWorker))
      console.log(await benchSandbox(text, TEXT_PAGES, SANDBOX_ROUNDS, distWorker));
  }
  if (args.has('sandbox-only')) return fs.rmSync(dir, { recursive: true, force: true });
  const otherWorker = args.get('worker')?.endsWith('.js') ? path.resolve(args.get('worker')!) : null;
  const useDist = fs.existsSync(distWorker) && args.get('worker') !== 'src';
  const pool = createRenderPool({
    workers: WORKERS,
    ...(otherWorker ? { workerFile: otherWorker } : useDist ? { workerFile: distWorker } : {}),
    limits: { timeMs: 600_000, pages: 1000 },
    sandbox: { mode: SANDBOX, tmpDir: '/tmp/faxgate-bench-render' },
    onWarning: () => {},
  });
  await pool.ready();
  // warm-up: one small job per worker (JIT, glyph cache)
  await Promise.all(Array.from({ length: WORKERS }, () => pool.render(text, { mmr: true })));
  const rows: string[] = [];
  console.log(
    `render bench: ${DOCS} documents per workload, ${WORKERS} worker processes (sandbox ${SANDBOX}, worker from ${otherWorker ?? (useDist ? 'dist' : 'sources under tsx')}), ${ROUNDS} rounds, node ${process.version}, ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)}`,
  );
  for (const w of workloads) {
    const files = Array.from({ length: DOCS }, (_, i) => {
      const f = path.join(dir, `${w.name.replace(/\W/g, '')}-${i}.pdf`);
      fs.writeFileSync(f, w.bytes);
      return f;
    });
    const totalPages = DOCS * w.pages;
    let peakSelfKb = 0;
    const workerKb = new Map<number, number>();
    let gsPeakKb = 0;
    const ratio1: number[] = [];
    const ratio2: number[] = [];
    const before = pool.stats();
    let mmrBytes = 0;
    const oursRate: number[] = [];
    const gs1Rate: number[] = [];
    const gs2Rate: number[] = [];
    const header = {
      format: '%Y-%m-%d %H:%M|From %%s %%n|To %%d|Page %%P/%%T',
      fields: { senderName: 'Bench', senderNumber: '+49 30 1', recipientNumber: '+49 40 2' },
    };
    for (let round = 0; round < ROUNDS; round++) {
      // The high-water marks only need reading before a worker ends (recycled), not often:
      // walking the process tree costs this process ~1 ms of a core the workers share.
      const poll = setInterval(() => workerPeaks(workerKb), 500);
      const started = performance.now();
      const results = await Promise.all(
        files.map(async (f) =>
          pool.render(fs.readFileSync(f), { resolution: 'fine', headerLine: header, mmr: 'only' }),
        ),
      );
      const ms = performance.now() - started;
      clearInterval(poll);
      workerPeaks(workerKb);
      peakSelfKb = Math.max(peakSelfKb, statusKb(process.pid, 'VmHWM'));
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
      ratio1.push(oursRate[round] / gs1Rate[round]);
      ratio2.push(oursRate[round] / gs2Rate[round]);
    }
    const after = pool.stats();
    const peaks = [...workerKb.values()];
    const peakWorkerKb = Math.max(0, ...peaks);
    const ours = median(oursRate);
    const g1 = median(gs1Rate);
    const g2 = median(gs2Rate);
    const span = (xs: number[], d = 1) => `${Math.min(...xs).toFixed(d)}–${Math.max(...xs).toFixed(d)}`;
    rows.push(
      [
        `${w.name} (${totalPages} pages, MMR ${(mmrBytes / totalPages / 1024).toFixed(1)} KiB/page)`,
        `  faxgate render pool (${WORKERS} workers): ${ours.toFixed(1)} pages/s (rounds ${span(oursRate)}), peak RSS per worker ${(peakWorkerKb / 1024).toFixed(0)} MiB (workers ${peaks.map((k) => (k / 1024).toFixed(0)).join(', ')}; ${after.started - before.started} started, ${after.recycled - before.recycled} recycled in these rounds), this process ${(peakSelfKb / 1024).toFixed(0)} MiB`,
        `  gs tiffg4 -r204x196, 1 process:  ${g1.toFixed(1)} pages/s (rounds ${span(gs1Rate)}), peak RSS ${(gsPeakKb / 1024).toFixed(0)} MiB per gs`,
        `  gs tiffg4 -r204x196, 2 parallel: ${g2.toFixed(1)} pages/s (rounds ${span(gs2Rate)})`,
        `  ratio of medians: ${(ours / g1).toFixed(2)}× gs (1 process), ${(ours / g2).toFixed(2)}× gs (2 parallel); per round: ${span(ratio1, 2)}× and ${span(ratio2, 2)}×`,
        `  peak RSS per worker / per gs: ${(peakWorkerKb / Math.max(1, gsPeakKb)).toFixed(1)}×; load ${os.loadavg()[0].toFixed(1)} after these rounds`,
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
