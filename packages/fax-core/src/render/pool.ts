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
// Each worker runs under bubblewrap (sandbox.ts) unless `sandbox.mode` is 'none'; the pid the
// pool holds is then bwrap's, so memory is summed over its process tree and kills go to all.
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromWire, RenderLimitError, RenderWorkerError } from './errors.js';
import { killTree, processTree, rssOf, workerOf } from './proc-tree.js';
import type { JobMessage, PoolMessage, WorkerMessage } from './protocol.js';
import { prepareSandbox, type SandboxInfo, type SandboxOptions } from './sandbox.js';
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
  /**
   * A worker whose resident set is above this after a job is replaced (default 160 MiB; a
   * worker that rendered a 200 dpi scan holds ~125 MiB, one after a text PDF ~100 MiB).
   * PDFium's wasm heap only grows, so one large page would otherwise keep a worker big.
   */
  recycleRssBytes?: number;
  /** A worker is replaced after this many jobs (default 200), whatever its size. */
  recycleAfterJobs?: number;
  /**
   * Load the header line's font in each worker once it is ready (default true), so a daemon's
   * first job does not wait for it; a one-off preview without header line passes false.
   */
  warm?: boolean;
  /**
   * Where workers run (default `{ mode: 'bubblewrap', tmpDir: os.tmpdir() }`). With 'bubblewrap'
   * createRenderPool throws SandboxUnavailableError when bwrap is missing or cannot create its
   * namespaces; 'none' forks workers unconfined and reports it through `onWarning` once.
   */
  sandbox?: SandboxOptions;
  /** Receives the loud warnings (mode 'none', a weaker sandbox); default: console.error. */
  onWarning?: (message: string) => void;
}

export interface RenderPoolStats {
  workers: number;
  /** Workers started so far, replacements included. */
  started: number;
  /** Workers killed for a limit or a crash. */
  killed: number;
  /** Workers replaced after a job for their size or their job count (recycleRssBytes, recycleAfterJobs). */
  recycled: number;
  queued: number;
  busy: number;
  /** Process ids of the workers that have a job now (the node process, also under bwrap). */
  busyPids: number[];
  /** How workers are confined, for status and the lockdown report. */
  sandbox: SandboxInfo;
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
  /** The worker's own pid once it is ready (below bwrap when sandboxed). */
  workerPid?: number;
  ready: boolean;
  readyPromise: Promise<void>;
  job: Job | null;
  timer?: NodeJS.Timeout;
  poll?: NodeJS.Timeout;
  stderr: string;
  /** Set when the pool ended the process on purpose (limit, recycle, close). */
  ended: boolean;
  /** Jobs finished by this worker. */
  jobs: number;
  /** The processes whose memory is summed (bwrap's and the worker's), read again now and then. */
  tree: number[];
  treeAge: number;
}

/** Memory polls between two walks of a worker's process tree (walking reads every thread's children). */
const TREE_POLLS = 10;

function defaultWorkerFile(): string {
  const here = fileURLToPath(import.meta.url);
  return path.join(path.dirname(here), here.endsWith('.ts') ? 'worker.ts' : 'worker.js');
}

/**
 * Checks the render sandbox without starting a worker (for status and the lockdown report):
 * what the pool would show in `stats().sandbox`, or SandboxUnavailableError. Mode 'none'
 * returns its warning without calling anyone.
 */
export function checkRenderSandbox(
  sandbox?: SandboxOptions,
  workerFile: string = defaultWorkerFile(),
): SandboxInfo {
  return prepareSandbox(sandbox, path.resolve(workerFile), () => {}).info;
}

export function createRenderPool(opts: RenderPoolOptions = {}): RenderPool {
  const size = Math.max(1, opts.workers ?? 2);
  const baseLimits: RenderLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  const workerFile = path.resolve(opts.workerFile ?? defaultWorkerFile());
  const sandbox = prepareSandbox(
    opts.sandbox,
    workerFile,
    opts.onWarning ?? ((m) => console.error(`WARNING: ${m}`)),
  );
  const pollMs = opts.memoryPollMs ?? 20;
  const recycleRssBytes = opts.recycleRssBytes ?? 160 * 1048576;
  const recycleAfterJobs = Math.max(1, opts.recycleAfterJobs ?? 200);
  const warm = opts.warm ?? true;
  const slots: Slot[] = [];
  const queue: Job[] = [];
  let nextId = 1;
  let closed = false;
  let started = 0;
  let killed = 0;
  let recycled = 0;
  let failedStarts = 0;

  const execArgv = [
    ...(workerFile.endsWith('.ts') ? ['--conditions=development', '--import', 'tsx'] : []),
    // The V8 heap holds little (pages are typed arrays); the wasm heap and libvips live outside it.
    `--max-old-space-size=${Math.max(128, Math.floor(baseLimits.memoryBytes / 2 / 1048576))}`,
    // A small young generation: 16 MiB semi-spaces would be resident for little gain here.
    '--max-semi-space-size=1',
    // The worker collects before it decides it is too big to keep (recycleRssBytes).
    '--expose-gc',
  ];

  function spawn(): Slot {
    started++;
    // Nothing of the gateway's environment (database URLs, secrets) reaches a renderer.
    const child = sandbox.start(execArgv);
    let markReady: () => void = () => {};
    const slot: Slot = {
      child,
      ready: false,
      readyPromise: new Promise((r) => (markReady = r)),
      job: null,
      stderr: '',
      ended: false,
      jobs: 0,
      tree: [],
      treeAge: TREE_POLLS,
    };
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      slot.stderr = (slot.stderr + d).slice(-4000);
    });
    child.on('message', (m: WorkerMessage) => {
      if (m.type === 'ready') {
        slot.ready = true;
        slot.workerPid = child.pid === undefined ? undefined : workerOf(child.pid);
        failedStarts = 0;
        if (warm) child.send({ type: 'warm' } satisfies PoolMessage, () => {});
        markReady();
        dispatch();
        return;
      }
      const job = slot.job;
      if (!job || job.id !== m.id) return;
      settle(slot);
      slot.jobs++;
      if (m.type === 'done') job.resolve(m.result);
      else job.reject(fromWire(m.error));
      if (m.recycle || slot.jobs >= recycleAfterJobs) {
        recycled++;
        replace(slot, false);
      } else dispatch();
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
    kill(slot);
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
      slot.poll = setInterval(() => {
        const rss = slotRss(slot);
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
      const msg: JobMessage = {
        type: 'job',
        id: job.id,
        bytes: job.bytes,
        options: job.options,
        limits,
        recycleRssBytes,
      };
      slot.child.send(msg, (err) => {
        if (err && slot.job === job)
          fail(slot, new RenderWorkerError(`cannot reach render worker: ${err.message}`));
      });
    }
  }

  /**
   * The worker's memory with its bwrap parents: their resident sets every poll, the tree
   * (which a process forked in the sandbox would join) walked again every TREE_POLLS polls.
   */
  function slotRss(slot: Slot): number | undefined {
    const pid = slot.child.pid;
    if (pid === undefined) return undefined;
    if (++slot.treeAge >= TREE_POLLS) {
      slot.tree = processTree(pid);
      slot.treeAge = 0;
    }
    let sum = 0;
    for (const p of slot.tree) {
      const rss = rssOf(p);
      if (rss === undefined && p === pid) return undefined;
      sum += rss ?? 0;
    }
    return sum;
  }

  function kill(slot: Slot): void {
    if (slot.child.pid !== undefined) killTree(slot.child.pid);
    slot.child.kill('SIGKILL');
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
      recycled,
      queued: queue.length,
      busy: slots.filter((s) => s.job).length,
      busyPids: slots.filter((s) => s.job && s.child.pid).map((s) => s.workerPid ?? s.child.pid!),
      sandbox: sandbox.info,
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
              kill(s);
            }),
        ),
      );
    },
  };
}
