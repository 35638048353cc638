// Part of `npm run bench:render`: what the bubblewrap sandbox costs. One worker per pool,
// modes alternating round by round in the same run (shared machine: load hits both alike):
// time from createRenderPool to ready() (bwrap set-up + node + PDFium + fonts; under tsx
// from sources also the TypeScript transform, which the sandbox's private tmp cannot cache),
// and ms per page of a text PDF rendered one document at a time in a warm worker. Wall time
// and CPU time (user + system of every process under this one, from /proc): under load the
// wall figures favour the sandbox, whose worker has its own session (bwrap --new-session) and
// so its own scheduler autogroup; CPU time shows what the sandbox itself costs.
import fs from 'node:fs';
import { createRenderPool } from '../src/render/index.js';
import { processTree } from '../src/render/proc-tree.js';
import type { SandboxMode } from '../src/render/sandbox.js';

const TICK_MS = 10; // USER_HZ 100

/** CPU ms (user + system) of the processes below this one that are alive now. */
function childrenCpuMs(): number {
  let ms = 0;
  for (const p of processTree(process.pid).slice(1)) {
    try {
      const f = fs.readFileSync(`/proc/${p}/stat`, 'latin1');
      const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
      ms += (Number(rest[11]) + Number(rest[12])) * TICK_MS;
    } catch {
      // gone
    }
  }
  return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const span = (xs: number[]) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;

/** `workerFile`: e.g. dist/render/worker.js to measure the production start (no tsx). */
export async function benchSandbox(
  doc: Uint8Array,
  pages: number,
  rounds: number,
  workerFile?: string,
): Promise<string> {
  const modes: SandboxMode[] = ['bubblewrap', 'none'];
  const startMs: Record<SandboxMode, number[]> = { bubblewrap: [], none: [] };
  const pageMs: Record<SandboxMode, number[]> = { bubblewrap: [], none: [] };
  const startCpu: Record<SandboxMode, number[]> = { bubblewrap: [], none: [] };
  const pageCpu: Record<SandboxMode, number[]> = { bubblewrap: [], none: [] };
  for (let round = 0; round < rounds; round++) {
    for (const mode of round % 2 ? [...modes].reverse() : modes) {
      const started = performance.now();
      const cpu0 = childrenCpuMs(); // this process' own helpers (tsx's esbuild)
      const pool = createRenderPool({
        workers: 1,
        workerFile,
        limits: { timeMs: 600_000, pages: 1000 },
        sandbox: { mode, tmpDir: '/tmp/faxgate-bench-render' },
        onWarning: () => {},
      });
      await pool.ready();
      startMs[mode].push(performance.now() - started);
      startCpu[mode].push(childrenCpuMs() - cpu0);
      await pool.render(doc, { mmr: 'only' }); // warm-up (JIT, glyph cache)
      for (let i = 0; i < 3; i++) {
        const t = performance.now();
        const c = childrenCpuMs();
        await pool.render(doc, { mmr: 'only' });
        pageMs[mode].push((performance.now() - t) / pages);
        pageCpu[mode].push((childrenCpuMs() - c) / pages);
      }
      await pool.close();
    }
  }
  const line = (mode: SandboxMode) =>
    `  ${mode.padEnd(10)}: worker start ${median(startMs[mode]).toFixed(0)} ms wall (${span(startMs[mode])}), ` +
    `${median(startCpu[mode]).toFixed(0)} ms CPU; ` +
    `${median(pageMs[mode]).toFixed(1)} ms/page wall (${Math.min(...pageMs[mode]).toFixed(1)}–${Math.max(...pageMs[mode]).toFixed(1)}), ` +
    `${median(pageCpu[mode]).toFixed(1)} ms/page CPU`;
  return [
    `sandbox cost (1 worker${workerFile ? ` from ${workerFile}` : ' under tsx'}, ${rounds} rounds alternating, text PDF of ${pages} pages, 3 renders per round):`,
    line('bubblewrap'),
    line('none'),
    `  ratio bubblewrap/none: start ${(median(startMs.bubblewrap) / median(startMs.none)).toFixed(2)}×, ` +
      `per page ${(median(pageMs.bubblewrap) / median(pageMs.none)).toFixed(2)}× wall; CPU: start ` +
      `${(median(startCpu.bubblewrap) / median(startCpu.none)).toFixed(2)}×, per page ` +
      `${(median(pageCpu.bubblewrap) / median(pageCpu.none)).toFixed(2)}×`,
  ].join('\n');
}
