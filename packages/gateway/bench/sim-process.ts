// The simulator for the pipeline benchmarks, in a process of its own (its CLI), so the
// benchmark process's CPU and RSS are the gateway's: the remote fax machines decode and keep
// every page they receive. Its JSON event lines ('listening', 'call') come back as values.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { PartyBehaviour } from '@faxgate/capi-sim';

/** One finished call as the simulator's CLI reports it. */
export interface SimCall {
  direction: string;
  controller: number;
  bChannel?: number;
  to: string;
  outcome: string;
  lineMs: number;
  startedAt: number;
  endedAt: number;
}

export interface SimProcess {
  port: number;
  /** The HTTP control port (POST /calls injects an incoming call). */
  controlPort: number;
  pid: number | undefined;
  /** Called for every call the simulator reports. */
  onCall(fn: (call: SimCall) => void): () => void;
  stop(): void;
}

export async function startSimProcess(opts: {
  timeFactor: number;
  parties: Record<string, PartyBehaviour>;
  controllers: number;
  bChannels: number;
}): Promise<SimProcess> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-bench-sim-'));
  const config = path.join(dir, 'sim.json');
  fs.writeFileSync(
    config,
    JSON.stringify({
      timeFactor: opts.timeFactor,
      traceSize: 0,
      parties: opts.parties,
      controllers: Array.from({ length: opts.controllers }, () => ({ bChannels: opts.bChannels })),
    }),
  );
  const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../capi-sim/src/cli/main.ts');
  // FAXGATE_BENCH_SIM_NODE_ARGS: extra node flags for the simulator alone (e.g. `--cpu-prof
  // --cpu-prof-dir=/tmp/prof`), to profile it without profiling the gateway as well.
  const extra = process.env.FAXGATE_BENCH_SIM_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? [];
  const child = spawn(
    process.execPath,
    [
      ...extra,
      '--conditions=development',
      '--import',
      'tsx',
      cli,
      '--port',
      '0',
      '--control-port',
      '0',
      '--config',
      config,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const listeners = new Set<(call: SimCall) => void>();
  let port = 0;
  let controlPort = 0;
  const listening = new Promise<void>((resolve) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const e = JSON.parse(line) as { event: string; port?: number; controlPort?: number } & SimCall;
      if (e.event === 'listening') {
        port = e.port ?? 0;
        controlPort = e.controlPort ?? 0;
        resolve();
      } else if (e.event === 'call') for (const fn of listeners) fn(e);
    });
  });
  await Promise.race([
    listening,
    once(child, 'exit').then(() => Promise.reject(new Error('the simulator exited before listening'))),
  ]);
  return {
    port,
    controlPort,
    pid: child.pid,
    onCall(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    stop() {
      child.kill('SIGTERM');
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
