// Entry point of a render worker process (forked by the pool). It holds PDFium, libvips
// and the fonts, renders one job at a time, and reports a typed result or error. It asks
// to be replaced ("recycle") after a job that left it big or broken: a wasm abort, memory
// above half its limit, or a resident set above the pool's recycle mark (PDFium's wasm heap
// only grows: one large scan would otherwise keep the worker big for good).
// It is ready as soon as PDFium is: libvips and the fonts load at the first job that needs
// them, the header line's font also when the pool sends 'warm' (a daemon's pool does).
import { pathToFileURL } from 'node:url';
import { encodePage } from '../codec/index.js';
import { RenderLimitError, toWire } from './errors.js';
import { loadFont } from './font.js';
import { renderJob } from './job.js';
import { pdfium } from './pdf.js';
import type { PoolMessage, WorkerMessage } from './protocol.js';

const send = (m: WorkerMessage) =>
  new Promise<void>((resolve) => {
    process.send!(m, undefined, undefined, () => resolve());
  });

function isWasmAbort(e: unknown): boolean {
  const msg = e instanceof Error ? `${e.name} ${e.message}` : String(e);
  return /Aborted|RuntimeError|out of memory|Cannot enlarge memory|OOM/i.test(msg);
}

/** The header line's face; libvips (~20 MiB) waits for the first image. */
function warm(): void {
  loadFont('sans');
}

/** Bytes of the previous job's document. */
let lastInputBytes = 0;

async function main(): Promise<void> {
  await pdfium();
  process.on('message', async (msg: PoolMessage) => {
    if (msg?.type === 'warm') return warm();
    if (msg?.type !== 'job') return;
    const { limits } = msg;
    const checkpoint = () => {
      const rss = process.memoryUsage.rss();
      if (rss > limits.memoryBytes)
        throw new RenderLimitError(
          'memory',
          limits.memoryBytes,
          rss,
          `render worker used ${rss} bytes (limit ${limits.memoryBytes})`,
        );
    };
    const big = () => {
      const over = () => {
        const rss = process.memoryUsage.rss();
        return rss > limits.memoryBytes / 2 || rss > msg.recycleRssBytes;
      };
      // Garbage (this job's pages) counts too; collected first, so only what stays recycles.
      if (!over()) return false;
      (globalThis as { gc?: () => void }).gc?.();
      return over();
    };
    // The last job's input (a scan PDF is megabytes) has lived through that job, so it sits in
    // the old generation, freed only by a full collection, which V8 runs late for such external
    // memory: with several inputs piled up a scan worker peaked 15–25 MiB higher. This job's
    // own input arrived through IPC buffers (chunks, then their concatenation) that are garbage
    // now, twice its size. One full GC (a few ms) after or before an input of over 1 MiB frees
    // both before this job's peak.
    if (lastInputBytes > 1 << 20 || msg.bytes.byteLength > 1 << 20)
      (globalThis as { gc?: () => void }).gc?.();
    lastInputBytes = msg.bytes.byteLength;
    try {
      const bytes = new Uint8Array(msg.bytes.buffer, msg.bytes.byteOffset, msg.bytes.byteLength);
      const result = await renderJob(bytes, msg.options, {
        limits,
        checkpoint,
        encodeMmr: (p) => encodePage(p, { coding: 'mmr' }),
      });
      await send({ type: 'done', id: msg.id, result, recycle: big() });
    } catch (e) {
      const fatal = isWasmAbort(e);
      const err = fatal
        ? new RenderLimitError(
            'memory',
            limits.memoryBytes,
            undefined,
            `renderer ran out of memory: ${(e as Error).message}`,
          )
        : e;
      await send({
        type: 'fail',
        id: msg.id,
        error: toWire(err),
        recycle: fatal || (err instanceof RenderLimitError && err.limit === 'memory') || big(),
      });
    }
  });
  await send({ type: 'ready' });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((e) => {
    process.stderr.write(`render worker failed to start: ${(e as Error).stack}\n`);
    process.exit(1);
  });
}
