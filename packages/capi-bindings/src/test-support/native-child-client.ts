/**
 * Runs the native transport in a child process (native-child.ts) and drives it with JSON
 * lines. libcapi20 reads $HOME/.capi20rc, keeps process-wide state, and aborts the process on
 * some inputs: in a child, a test sets HOME freely and an abort shows up as a failed test
 * (exit code 134) instead of a dead test runner.
 *
 * With root (CI, the developers' machines) the child also gets its own mount and PID
 * namespace with a private /dev/shm, so libcapi20's machine-wide ApplID table (P11) is its
 * own: ApplIDs are predictable and nothing leaks into other tests running at the same time.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const driver = path.join(path.dirname(fileURLToPath(import.meta.url)), 'native-child.ts');
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

export interface ChildError {
  name: string;
  code?: string;
  message: string;
}

export class ChildCallError extends Error {
  constructor(
    readonly op: string,
    readonly error: ChildError,
  ) {
    super(`${op}: ${error.name}${error.code ? ` [${error.code}]` : ''}: ${error.message}`);
  }
}

export interface ChildEvent {
  event: string;
  applId?: number;
  raw?: string;
  data?: string;
  message?: string;
}

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

let canIsolateCache: boolean | undefined;
/** True when this process may create mount + PID namespaces (root with unshare). */
export function canIsolate(): boolean {
  canIsolateCache ??=
    process.getuid?.() === 0 &&
    spawnSync('unshare', ['--mount', '--pid', '--fork', '--mount-proc', 'true'], { stdio: 'ignore' })
      .status === 0;
  return canIsolateCache;
}

/** A temporary HOME whose .capi20rc points libcapi20's rcapi module at 127.0.0.1:port. */
export function capiHome(port: number): string {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-capi-home-'));
  // The last line must end in a newline: libcapi20 chops each line's last character (§1.2).
  fs.writeFileSync(path.join(home, '.capi20rc'), `REMOTE rcapi 127.0.0.1 ${port}\nTRACELEVEL 0\n`);
  return home;
}

export interface SpawnOptions {
  home: string;
  env?: NodeJS.ProcessEnv;
  /** Private /dev/shm and PID namespace (default: when possible). */
  isolate?: boolean;
}

export class NativeChild extends EventEmitter {
  readonly stderr: string[] = [];
  readonly exited: Promise<ChildExit>;
  readonly #proc: ChildProcess;
  readonly #pending = new Map<
    number,
    { op: string; resolve: (v: unknown) => void; reject: (e: Error) => void }
  >();
  readonly #events: ChildEvent[] = [];
  #nextId = 1;
  #exit: ChildExit | undefined;

  constructor(opts: SpawnOptions) {
    super();
    const node = [process.execPath, '--conditions=development', '--import', 'tsx', driver];
    const isolate = opts.isolate ?? canIsolate();
    const [cmd, ...args] = isolate
      ? [
          'unshare',
          '--mount',
          '--pid',
          '--fork',
          '--mount-proc',
          '--kill-child',
          'sh',
          '-c',
          // sh stays PID 1 of the namespace, so the driver dies of signals normally and its
          // exit status (134 for an abort) comes back through sh.
          'mount -t tmpfs -o mode=1777 tmpfs /dev/shm && "$@"; exit $?',
          'sh',
          ...node,
        ]
      : node;
    this.#proc = spawn(cmd!, args, {
      cwd: repoRoot,
      env: { ...process.env, ...opts.env, HOME: opts.home },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.exited = new Promise((resolve) => {
      this.#proc.on('close', (code, signal) => {
        this.#exit = { code, signal };
        for (const p of this.#pending.values())
          p.reject(
            new Error(`${p.op}: child exited (code ${code}, signal ${signal}): ${this.stderr.join('')}`),
          );
        this.#pending.clear();
        resolve(this.#exit);
      });
    });
    this.#proc.stderr!.setEncoding('utf8').on('data', (d: string) => this.stderr.push(d));
    readline.createInterface({ input: this.#proc.stdout! }).on('line', (line) => this.#onLine(line));
  }

  #onLine(line: string): void {
    let m: { id?: number; ok?: boolean; result?: unknown; error?: ChildError } & Partial<ChildEvent>;
    try {
      m = JSON.parse(line);
    } catch {
      this.stderr.push(`[stdout] ${line}\n`);
      return;
    }
    if (m.event) {
      this.#events.push(m as ChildEvent);
      this.emit('event', m);
      return;
    }
    const p = this.#pending.get(m.id!);
    if (!p) return;
    this.#pending.delete(m.id!);
    if (m.ok) p.resolve(m.result);
    else p.reject(new ChildCallError(p.op, m.error!));
  }

  call<T = unknown>(op: string, args: Record<string, unknown> = {}): Promise<T> {
    if (this.#exit)
      return Promise.reject(new Error(`${op}: child already exited (${JSON.stringify(this.#exit)})`));
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { op, resolve: resolve as (v: unknown) => void, reject });
      this.#proc.stdin!.write(`${JSON.stringify({ id, op, args })}\n`);
    });
  }

  /** Resolves with the first event (already seen or still to come) that matches. */
  waitEvent(match: (e: ChildEvent) => boolean, timeoutMs = 10_000): Promise<ChildEvent> {
    const seen = this.#events.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.off('event', on);
        reject(
          new Error(`no matching event within ${timeoutMs} ms; events: ${JSON.stringify(this.#events)}`),
        );
      }, timeoutMs);
      const on = (e: ChildEvent) => {
        if (!match(e)) return;
        clearTimeout(t);
        this.off('event', on);
        resolve(e);
      };
      this.on('event', on);
    });
  }

  events(): ChildEvent[] {
    return [...this.#events];
  }

  /** Lets the child finish (stdin closed: it releases what it holds and exits). */
  async end(): Promise<ChildExit> {
    this.#proc.stdin!.end();
    return this.exited;
  }

  kill(): void {
    this.#proc.kill('SIGKILL');
  }
}
