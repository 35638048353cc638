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

/** Bytes besides a message's document that its buffer may hold for it to be let go whole. */
const MESSAGE_EXTRA = 64 * 1024;

/**
 * Frees the buffer under `bytes` now (then a full GC), when that buffer holds little else: a
 * document that came through IPC is a view into its message's buffer, which the rest of the
 * message (options, limits) shares but nothing reads any more — the pool sends a busy worker no
 * other message. Every view of it reads as empty from here on. False when not let go (a slice
 * of something bigger, or a buffer that cannot be detached).
 */
export function releaseBuffer(bytes: Uint8Array, gc?: () => void): boolean {
  const buf = bytes.buffer;
  if (!(buf instanceof ArrayBuffer) || buf.byteLength - bytes.byteLength > MESSAGE_EXTRA) return false;
  try {
    structuredClone(buf, { transfer: [buf] }); // the clone owns the memory and is dropped at once
  } catch {
    return false;
  }
  // A buffer that cannot be detached (a wasm memory's) is copied instead, and stays.
  if (buf.byteLength !== 0) return false;
  gc?.();
  return true;
}

/** Bytes of the previous job's document still held (0 when small or already let go). */
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
    // A big input (a scan PDF is megabytes) is let go as soon as PDFium has its own copy: its
    // buffer is detached (moved into a clone that is dropped at once) and one full GC frees it
    // with the IPC buffers it came through (chunks, then their concatenation), before the
    // job's peak. Without that V8, which collects such external memory late, kept a scan
    // worker 15–25 MiB higher. The GC before a job after a big one stays for inputs that were
    // never let go (images, text: they are read to the end).
    const gc = (globalThis as { gc?: () => void }).gc;
    if (lastInputBytes > 1 << 20) gc?.();
    lastInputBytes = msg.bytes.byteLength;
    const releaseInput =
      msg.bytes.byteLength > 1 << 20
        ? () => {
            if (releaseBuffer(msg.bytes, gc)) lastInputBytes = 0;
          }
        : undefined;
    try {
      const bytes = new Uint8Array(msg.bytes.buffer, msg.bytes.byteOffset, msg.bytes.byteLength);
      const result = await renderJob(bytes, msg.options, {
        limits,
        checkpoint,
        encodeMmr: (p) => encodePage(p, { coding: 'mmr' }),
        ...(releaseInput && { releaseInput }),
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
