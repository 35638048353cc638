// Fax files (TIFF, SFF, PBM) are decoded in worker threads, never on the main thread: a
// 500-page file takes seconds of CPU, and the event loop must keep answering meanwhile.
//
// Threads, not the render sandbox's processes, because the fax readers are faxgate's own
// memory-safe TypeScript (no native parser to contain), their memory is bounded before they
// start (the submission's pixel budget is checked from a pre-scan, and the thread's reader gets
// the same page and byte limits), a thread starts in milliseconds, and pages come back as
// transferred buffers instead of copies over a pipe. A thread has a V8 heap limit
// (resourceLimits) and a wall-time limit: past it the thread is terminated — pure JavaScript
// stops at once — and replaced on the next job.

import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  type BilevelPage,
  type ContainerLimits,
  type PageQuality,
  pageFromData,
  type VerticalResolution,
} from '@faxgate/fax-core';
import { FaxDecodeError, FaxDecodeLimitError } from './errors.js';
import type { DecodeReply, DecodeRequest } from './fax-decode-protocol.js';

export interface FaxDecoderOptions {
  /** Threads decoding at once (default 2); more files wait in a queue. */
  threads?: number;
  /** Wall time of one file, ms (default 30 000). */
  timeoutMs?: number;
  /** V8 old-space limit of a thread, MB (default 256). Pixel buffers live outside it, bounded by the budget. */
  heapMb?: number;
  /** The thread's entry (default: fax-decode-worker beside this file). */
  workerFile?: string;
}

export interface FaxDecodeJob {
  resolution?: VerticalResolution;
  limits: Partial<ContainerLimits>;
}

/** A decoded page; `quality` only when the file's page had bad rows (intake's damage check). */
export type DecodedFaxPage = BilevelPage & { quality?: PageQuality & { rows: number } };

export interface FaxDecoder {
  decode(data: Uint8Array, job: FaxDecodeJob): Promise<DecodedFaxPage[]>;
  stats(): { threads: number; busy: number; queued: number; killed: number };
  close(): Promise<void>;
}

interface Pending {
  req: DecodeRequest;
  resolve(p: DecodedFaxPage[]): void;
  reject(e: Error): void;
}

interface Slot {
  worker: Worker;
  job?: Pending;
  timer?: NodeJS.Timeout;
  dead: boolean;
}

function defaultWorkerFile(): string {
  const here = fileURLToPath(import.meta.url);
  return path.join(
    path.dirname(here),
    here.endsWith('.ts') ? 'fax-decode-worker.ts' : 'fax-decode-worker.js',
  );
}

/** Starts a thread on `file`; a .ts entry (tests, development) is loaded through tsx. */
function startThread(file: string, heapMb: number): Worker {
  const resourceLimits = { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: 32 };
  if (!file.endsWith('.ts')) return new Worker(file, { resourceLimits });
  const tsxApi = createRequire(file)
    .resolve('tsx')
    .replace(/loader\.mjs$/, 'esm/api/index.mjs');
  const code = `import(${JSON.stringify(pathToFileURL(tsxApi).href)}).then((m) => { m.register(); return import(${JSON.stringify(pathToFileURL(file).href)}); });`;
  return new Worker(code, { eval: true, execArgv: ['--conditions=development'], resourceLimits });
}

export function createFaxDecoder(opts: FaxDecoderOptions = {}): FaxDecoder {
  const size = Math.max(1, opts.threads ?? 2);
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const heapMb = opts.heapMb ?? 256;
  const workerFile = opts.workerFile ?? defaultWorkerFile();
  const slots: Slot[] = [];
  const queue: Pending[] = [];
  let nextId = 1;
  let killed = 0;
  let closed = false;

  function finish(slot: Slot): Pending | undefined {
    const job = slot.job;
    clearTimeout(slot.timer);
    slot.job = undefined;
    slot.timer = undefined;
    return job;
  }

  function drop(slot: Slot): void {
    slot.dead = true;
    const i = slots.indexOf(slot);
    if (i >= 0) slots.splice(i, 1);
  }

  function spawn(): Slot {
    const worker = startThread(workerFile, heapMb);
    worker.unref(); // an idle thread never keeps the process alive; a job's timer does
    const slot: Slot = { worker, dead: false };
    worker.on('message', (m: DecodeReply) => {
      if (slot.job?.req.id !== m.id) return;
      const job = finish(slot)!;
      if (m.ok) {
        job.resolve(
          m.pages.map((p) => {
            const page: DecodedFaxPage = pageFromData(p.width, p.height, p.data, p.resolution);
            if (p.quality) page.quality = p.quality;
            return page;
          }),
        );
      } else if (m.error.input) {
        job.reject(new FaxDecodeError(m.error.name, m.error.message, m.error.code));
      } else {
        job.reject(new Error(`fax decode thread: ${m.error.name}: ${m.error.message}`));
      }
      dispatch();
    });
    worker.on('error', (e: Error & { code?: string }) => {
      const job = finish(slot);
      drop(slot);
      if (e.code === 'ERR_WORKER_OUT_OF_MEMORY') {
        killed++;
        job?.reject(new FaxDecodeLimitError('memory', `decoding needed more than ${heapMb} MB of heap`));
      } else {
        job?.reject(new Error(`fax decode thread failed: ${e.message}`));
      }
      dispatch();
    });
    worker.on('exit', () => {
      const job = finish(slot);
      drop(slot);
      job?.reject(new Error('fax decode thread exited during a job'));
      dispatch();
    });
    slots.push(slot);
    return slot;
  }

  function dispatch(): void {
    while (queue.length > 0 && !closed) {
      const slot = slots.find((s) => !s.job && !s.dead) ?? (slots.length < size ? spawn() : undefined);
      if (!slot) return;
      const job = queue.shift()!;
      slot.job = job;
      slot.timer = setTimeout(() => {
        if (slot.job !== job) return;
        finish(slot);
        drop(slot);
        killed++;
        void slot.worker.terminate();
        job.reject(
          new FaxDecodeLimitError('time', `decoding took longer than ${Math.round(timeoutMs / 1000)} s`),
        );
        dispatch();
      }, timeoutMs);
      slot.worker.postMessage(job.req);
    }
  }

  return {
    decode(data, job) {
      if (closed) return Promise.reject(new Error('the fax decoder is closed'));
      return new Promise((resolve, reject) => {
        queue.push({
          req: { id: nextId++, data, resolution: job.resolution, limits: job.limits },
          resolve,
          reject,
        });
        dispatch();
      });
    },
    stats: () => ({
      threads: slots.length,
      busy: slots.filter((s) => s.job).length,
      queued: queue.length,
      killed,
    }),
    async close() {
      closed = true;
      for (const j of queue.splice(0)) j.reject(new Error('the fax decoder is closed'));
      const all = slots.splice(0);
      for (const s of all) {
        s.dead = true;
        finish(s)?.reject(new Error('the fax decoder is closed'));
      }
      await Promise.all(all.map((s) => s.worker.terminate()));
    },
  };
}
