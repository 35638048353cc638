// Starts append workers as child processes, releases them together, collects their results.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'append-worker.ts');

export interface WorkerResult {
  tag: string;
  appended: number;
  ms: number;
}

function lines(child: ChildProcess): AsyncIterator<string> {
  return createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
}

export async function runAppendWorkers(
  url: string,
  options: {
    processes: number;
    countEach: number;
    writersEach: number;
    /** 'chain' (default): appendAuditEvent; 'plain': unchained rows into bench_plain. */
    strategy?: 'chain' | 'plain';
  },
): Promise<{ results: WorkerResult[]; wallMs: number }> {
  const children = Array.from({ length: options.processes }, (_, i) =>
    spawn(
      process.execPath,
      [
        '--conditions=development',
        '--import',
        'tsx',
        WORKER,
        url,
        String(options.countEach),
        String(options.writersEach),
        options.strategy ?? 'chain',
        `p${i}`,
      ],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    ),
  );
  const stderr = children.map(() => [] as string[]);
  for (const [i, c] of children.entries()) c.stderr!.on('data', (d) => stderr[i].push(String(d)));
  const exits = children.map(
    (c, i) =>
      new Promise<void>((resolve, reject) =>
        c.on('exit', (code) =>
          code === 0 ? resolve() : reject(new Error(`worker p${i} exited ${code}: ${stderr[i].join('')}`)),
        ),
      ),
  );
  const readers = children.map(lines);
  try {
    for (const r of readers) {
      const first = await r.next();
      if (first.value !== 'ready') throw new Error(`worker did not get ready: ${String(first.value)}`);
    }
    const started = performance.now();
    for (const c of children) c.stdin!.write('go\n');
    const results: WorkerResult[] = [];
    for (const r of readers) {
      const line = await r.next();
      if (line.done) throw new Error('worker ended without a result');
      results.push(JSON.parse(line.value));
    }
    const wallMs = performance.now() - started;
    await Promise.all(exits);
    return { results, wallMs };
  } catch (err) {
    for (const c of children) if (c.exitCode === null) c.kill();
    await Promise.allSettled(exits);
    throw new Error(`${(err as Error).message}\n${stderr.map((s) => s.join('')).join('\n')}`);
  }
}
