// The render sandbox: a pool of worker *processes* (not threads). Why processes:
// - PDFium (wasm) and libvips (native C) parse hostile files; a memory-safety bug in a
//   native decoder crashes or corrupts a child, never the gateway;
// - memory is measurable and enforceable per job: the pool reads the child's resident set
//   from /proc every few milliseconds, which covers the wasm heap and libvips' native
//   allocations (a thread's resourceLimits cover only its V8 heap);
// - SIGKILL ends any job at once, also one stuck inside a native call (terminate() of a
//   thread waits for the call to return).
// The cost — ~0.5 s to start a replacement and a copy of each page over the IPC pipe
// (≈0.5 MB, well under a millisecond) — is paid only per killed worker and per page.
import { type ChildProcess, fork } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromWire, RenderLimitError, RenderWorkerError } from './errors.js';
import type { JobMessage, WorkerMessage } from './protocol.js';
import { DEFAULT_LIMITS, type RenderLimits, type RenderOptions, type RenderResult } from './types.js';

export interface RenderPoolOptions {
  /** Worker processes (default 2). */
  workers?: number;
  /** Default limits of every job; a job may lower or raise them. */
  limits?: Partial<RenderLimits>;
  /** The worker entry (default: worker.ts beside this file under tsx, worker.js in dist). */
  workerFile?: string;
  /** How often the memory of a busy worker is read, ms (default 20). */
  memoryPollMs?: number;
}

export interface RenderPoolStats {
  workers: number;
  /** Workers started so far, replacements included. */
  started: number;
  /** Workers killed for a limit or a crash. */
  killed: number;
  queued: number;
  busy: number;
  /** Process ids of the workers that have a job now. */
  busyPids: number[];
}

export interface RenderPool {
  render(bytes: Uint8Array, options?: RenderOptions, limits?: Partial<RenderLimits>): Promise<RenderResult>;
  /** Resolves when every worker is started and warm (PDFium and fonts loaded). */
  ready(): Promise<void>;
  stats(): RenderPoolStats;
  close(): Promise<void>;
}

interface Job {
  id: number;
  bytes: Uint8Array;
  options: RenderOptions;
  limits: RenderLimits;
  resolve(r: RenderResult): void;
  reject(e: Error): void;
}

interface Slot {
  child: ChildProcess;
  ready: boolean;
  readyPromise: Promise<void>;
  job: Job | null;
  timer?: NodeJS.Timeout;
  poll?: NodeJS.Timeout;
  stderr: string;
  /** Set when the pool ended the process on purpose (limit, recycle, close). */
  ended: boolean;
}

const PAGE_SIZE = 4096;

function rssOf(pid: number): number | undefined {
  try {
    const statm = fs.readFileSync(`/proc/${pid}/statm`, 'latin1');
    return Number(statm.split(' ')[1]) * PAGE_SIZE;
  } catch {
    return undefined;
  }
}

function defaultWorkerFile(): string {
  const here = fileURLToPath(import.meta.url);
  return path.join(path.dirname(here), here.endsWith('.ts') ? 'worker.ts' : 'worker.js');
}

export function createRenderPool(opts: RenderPoolOptions = {}): RenderPool {
  const size = Math.max(1, opts.workers ?? 2);
  const baseLimits: RenderLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  const workerFile = opts.workerFile ?? defaultWorkerFile();
  const pollMs = opts.memoryPollMs ?? 20;
  const slots: Slot[] = [];
  const queue: Job[] = [];
  let nextId = 1;
  let closed = false;
  let started = 0;
  let killed = 0;
  let failedStarts = 0;

  const execArgv = [
    ...(workerFile.endsWith('.ts') ? ['--conditions=development', '--import', 'tsx'] : []),
    // The V8 heap holds little (pages are typed arrays); the wasm heap and libvips live outside it.
    `--max-old-space-size=${Math.max(128, Math.floor(baseLimits.memoryBytes / 2 / 1048576))}`,
  ];

  function spawn(): Slot {
    started++;
    const child = fork(workerFile, [], {
      execArgv,
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      // Nothing of the gateway's environment (database URLs, secrets) reaches a renderer.
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NODE_ENV: process.env.NODE_ENV ?? 'production' },
    });
    let markReady: () => void = () => {};
    const slot: Slot = {
      child,
      ready: false,
      readyPromise: new Promise((r) => (markReady = r)),
      job: null,
      stderr: '',
      ended: false,
    };
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      slot.stderr = (slot.stderr + d).slice(-4000);
    });
    child.on('message', (m: WorkerMessage) => {
      if (m.type === 'ready') {
        slot.ready = true;
        failedStarts = 0;
        markReady();
        dispatch();
        return;
      }
      const job = slot.job;
      if (!job || job.id !== m.id) return;
      settle(slot);
      if (m.type === 'done') job.resolve(m.result);
      else job.reject(fromWire(m.error));
      if (m.recycle) replace(slot, false);
      else dispatch();
    });
    child.on('error', () => {});
    child.on('exit', (code, signal) => {
      const job = slot.job;
      if (job) {
        settle(slot);
        job.reject(
          new RenderWorkerError(
            `render worker exited (${signal ?? `code ${code}`}) while rendering${slot.stderr ? `: ${slot.stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}`,
          ),
        );
      }
      if (!slot.ready && !slot.ended) {
        failedStarts++;
        markReady();
      }
      const i = slots.indexOf(slot);
      if (i >= 0) slots.splice(i, 1);
      if (!closed) {
        if (failedStarts >= 3) {
          for (const j of queue.splice(0))
            j.reject(new RenderWorkerError(`render workers do not start: ${slot.stderr.trim().slice(-500)}`));
          return;
        }
        if (!slot.ended) killed++;
        slots.push(spawn());
      }
    });
    return slot;
  }

  function settle(slot: Slot): void {
    clearTimeout(slot.timer);
    clearInterval(slot.poll);
    slot.timer = undefined;
    slot.poll = undefined;
    slot.job = null;
  }

  /** Ends a worker on purpose; its exit handler starts the replacement. */
  function replace(slot: Slot, countAsKill: boolean): void {
    if (slot.ended) return;
    slot.ended = true;
    if (countAsKill) killed++;
    slot.child.kill('SIGKILL');
  }

  function fail(slot: Slot, err: Error): void {
    const job = slot.job;
    settle(slot);
    replace(slot, true);
    job?.reject(err);
  }

  function dispatch(): void {
    for (const slot of slots) {
      if (queue.length === 0) return;
      if (!slot.ready || slot.job || slot.ended) continue;
      const job = queue.shift()!;
      slot.job = job;
      const { limits } = job;
      slot.timer = setTimeout(
        () =>
          fail(
            slot,
            new RenderLimitError(
              'time',
              limits.timeMs,
              undefined,
              `rendering took longer than ${limits.timeMs} ms`,
            ),
          ),
        limits.timeMs,
      );
      const pid = slot.child.pid;
      slot.poll = setInterval(() => {
        const rss = pid ? rssOf(pid) : undefined;
        if (rss !== undefined && rss > limits.memoryBytes)
          fail(
            slot,
            new RenderLimitError(
              'memory',
              limits.memoryBytes,
              rss,
              `render worker used ${rss} bytes of memory (limit ${limits.memoryBytes})`,
            ),
          );
      }, pollMs);
      const msg: JobMessage = { type: 'job', id: job.id, bytes: job.bytes, options: job.options, limits };
      slot.child.send(msg, (err) => {
        if (err && slot.job === job)
          fail(slot, new RenderWorkerError(`cannot reach render worker: ${err.message}`));
      });
    }
  }

  for (let i = 0; i < size; i++) slots.push(spawn());

  return {
    render(bytes, options = {}, limits) {
      if (closed) return Promise.reject(new RenderWorkerError('render pool is closed'));
      const l: RenderLimits = { ...baseLimits, ...limits };
      if (bytes.length > l.inputBytes)
        return Promise.reject(
          new RenderLimitError(
            'input-size',
            l.inputBytes,
            bytes.length,
            `document is ${bytes.length} bytes (limit ${l.inputBytes})`,
          ),
        );
      return new Promise<RenderResult>((resolve, reject) => {
        queue.push({ id: nextId++, bytes, options, limits: l, resolve, reject });
        dispatch();
      });
    },
    async ready() {
      while (slots.some((s) => !s.ready) && !closed && failedStarts < 3)
        await Promise.all(slots.filter((s) => !s.ready).map((s) => s.readyPromise));
      if (failedStarts >= 3) throw new RenderWorkerError('render workers do not start');
    },
    stats: () => ({
      workers: slots.length,
      started,
      killed,
      queued: queue.length,
      busy: slots.filter((s) => s.job).length,
      busyPids: slots.filter((s) => s.job && s.child.pid).map((s) => s.child.pid!),
    }),
    async close() {
      closed = true;
      for (const j of queue.splice(0)) j.reject(new RenderWorkerError('render pool is closed'));
      await Promise.all(
        slots.map(
          (s) =>
            new Promise<void>((resolve) => {
              if (s.child.exitCode !== null || s.child.signalCode !== null) return resolve();
              s.child.once('exit', () => resolve());
              s.ended = true;
              s.child.kill('SIGKILL');
            }),
        ),
      );
    },
  };
}
