// Entry point of a render worker process (forked by the pool). It holds PDFium, libvips
// and the fonts, renders one job at a time, and reports a typed result or error. It asks
// to be replaced ("recycle") after a job that left it big or broken: a wasm abort, or
// memory above half its limit.
import { pathToFileURL } from 'node:url';
import { encodePage } from '../codec/index.js';
import { RenderLimitError, toWire } from './errors.js';
import { loadFont } from './font.js';
import { renderJob } from './job.js';
import { pdfium } from './pdf.js';
import type { JobMessage, WorkerMessage } from './protocol.js';

const send = (m: WorkerMessage) =>
  new Promise<void>((resolve) => {
    process.send!(m, undefined, undefined, () => resolve());
  });

function isWasmAbort(e: unknown): boolean {
  const msg = e instanceof Error ? `${e.name} ${e.message}` : String(e);
  return /Aborted|RuntimeError|out of memory|Cannot enlarge memory|OOM/i.test(msg);
}

async function main(): Promise<void> {
  await pdfium();
  loadFont('sans');
  loadFont('mono');
  process.on('message', async (msg: JobMessage) => {
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
    try {
      const bytes = new Uint8Array(msg.bytes.buffer, msg.bytes.byteOffset, msg.bytes.byteLength);
      const result = await renderJob(bytes, msg.options, {
        limits,
        checkpoint,
        encodeMmr: (p) => encodePage(p, { coding: 'mmr' }),
      });
      await send({
        type: 'done',
        id: msg.id,
        result,
        recycle: process.memoryUsage.rss() > limits.memoryBytes / 2,
      });
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
        recycle:
          fatal ||
          (err instanceof RenderLimitError && err.limit === 'memory') ||
          process.memoryUsage.rss() > limits.memoryBytes / 2,
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
