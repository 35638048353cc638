// The demo (npm start's gateway, simulator, a fax sent and one received) as a child process,
// for the scripts that look at the console as a newcomer sees it: docs:screenshots and
// bench:console. Waits until both faxes are through and reads the console's address and the
// logins from what it prints.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface Demo {
  child: ChildProcess;
  address: string;
  passwords: Map<string, string>;
}

export async function startDemo(): Promise<Demo> {
  const child = spawn(process.execPath, [path.join(ROOT, 'packages/demo/dist/main.js')], {
    env: { ...process.env, FAXGATE_DEMO_TIME_FACTOR: process.env.FAXGATE_DEMO_TIME_FACTOR ?? '0.01' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const deadline = Date.now() + 180_000;
  while (!out.includes('both faxes are through')) {
    if (child.exitCode !== null) throw new Error(`the demo stopped:\n${out}`);
    if (Date.now() > deadline) throw new Error(`the demo did not get both faxes through in 3 min:\n${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const address = /console: +(http:\/\/[0-9.:]+)\//.exec(out)?.[1];
  if (!address) throw new Error(`no console address in the demo's output:\n${out}`);
  const passwords = new Map(
    [...out.matchAll(/^ {4}(demo-[a-z]+) +(demo-[A-Za-z0-9_-]{12}) /gm)].map((m) => [m[1], m[2]]),
  );
  return { child, address, passwords };
}
