// A stand-in gateway for pool-sandbox.test.ts: starts a sandboxed pool, prints the host pids of
// its process tree (bwrap → bwrap → node) once the worker is ready, then waits to be killed.
import fs from 'node:fs';
import { createRenderPool } from '../render/pool.js';
import { processTree } from '../render/proc-tree.js';

const pool = createRenderPool({
  workers: 1,
  sandbox: { mode: 'bubblewrap', tmpDir: process.argv[2] ?? '/tmp' },
});
pool.ready().then(() => {
  // tsx's esbuild helper is a child too; only the sandbox's tree is of interest
  const bwrap = processTree(process.pid).find(
    (p) => fs.readFileSync(`/proc/${p}/comm`, 'latin1').trim() === 'bwrap',
  );
  process.stdout.write(`${JSON.stringify(bwrap ? processTree(bwrap) : [])}\n`);
  setInterval(() => {}, 60_000);
});
