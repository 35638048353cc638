// A node process of ours (the daemon, the demo) started from its TypeScript entry for a test:
// its output collected, its exit awaited, and `waitFor(re)` for a line it prints.
import { spawn } from 'node:child_process';

export interface SpawnedJob {
  child: ReturnType<typeof spawn>;
  exited: Promise<{ code: number | null; signal: string | null }>;
  /** Resolves with the first match of `re` in stdout; rejects if the process exits first. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  output(): { stdout: string; stderr: string };
}

export function spawnJob(
  name: string,
  entry: string,
  env: NodeJS.ProcessEnv,
  args: string[] = [],
): SpawnedJob {
  const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', entry, ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const waitFor = (re: RegExp, timeoutMs = 90_000) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      // The bound only turns a hang into a failure that shows what the job printed.
      const timer = setTimeout(() => {
        child.stdout.off('data', check);
        reject(new Error(`no ${re} within ${timeoutMs / 1000} s:\n${stdout}\n${stderr}`));
      }, timeoutMs);
      const check = () => {
        const m = stdout.match(re);
        if (m) {
          clearTimeout(timer);
          child.stdout.off('data', check);
          resolve(m);
        }
      };
      child.stdout.on('data', check);
      check();
      exited.then(({ code }) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited (${code}) early:\n${stdout}\n${stderr}`));
      });
    });
  return { child, exited, waitFor, output: () => ({ stdout, stderr }) };
}
