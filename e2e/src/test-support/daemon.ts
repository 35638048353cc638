// The gateway daemon exactly as `npm run gateway` (and the systemd unit) runs it: main-job with
// --daemon, as a child process from its TypeScript sources, so a test can SIGKILL it like a
// crash would.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const mainJob = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../packages/gateway/src/main-job.ts',
);

export interface Daemon {
  child: ChildProcess;
  /** stdout and stderr so far, for failure messages. */
  output(): string;
  /** SIGKILL, resolved when the process is gone. */
  kill9(): Promise<void>;
  /** SIGTERM (clean stop), resolved with the exit code. */
  stop(): Promise<number | null>;
}

export interface DaemonOptions {
  /** The configuration as written to faxgate.yaml (JSON is YAML). */
  config: Record<string, unknown>;
  dir: string;
  databaseUrl: string;
  redisUrl: string;
  /** HOME of the child: the native transport's libcapi20 reads $HOME/.capi20rc. */
  home?: string;
  startTimeoutMs?: number;
}

export function startDaemon(opts: DaemonOptions): Promise<Daemon> {
  const file = path.join(opts.dir, 'faxgate.yaml');
  fs.writeFileSync(file, JSON.stringify(opts.config, null, 2));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    FAXGATE_CONFIG: file,
    // The FAXGATE_ variables win over DATABASE_URL/REDIS_URL a CI may set for the tests.
    FAXGATE_DATABASE_URL: opts.databaseUrl,
    FAXGATE_REDIS_URL: opts.redisUrl,
  };
  if (opts.home) env.HOME = opts.home;
  const child = spawn(
    process.execPath,
    ['--conditions=development', '--import', 'tsx', mainJob, '--daemon'],
    {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code, signal) => {
      if (signal) out += `\n[daemon ended by ${signal}]`;
      resolve(code);
    }),
  );
  const daemon: Daemon = {
    child,
    output: () => out,
    async kill9() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
  const timeoutMs = opts.startTimeoutMs ?? 45_000;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the daemon did not start within ${timeoutMs / 1000} s:\n${out}`));
    }, timeoutMs);
    const onData = () => {
      // main-job prints this once the API, the lines and the queue run.
      if (!out.includes('Press Ctrl-C to stop.')) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      resolve(daemon);
    };
    child.stdout?.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the daemon exited (${code}) while starting:\n${out}`));
    });
  });
}
