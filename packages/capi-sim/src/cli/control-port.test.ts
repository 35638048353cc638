// faxgate-sim without --control-port: the default control port (2663) when it is free, else a
// free port, and stderr says which — two simulators on one host both start and both answer.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const entry = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'main.ts');
const children: ChildProcessWithoutNullStreams[] = [];
afterAll(async () => {
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null) return resolve();
          c.once('close', () => resolve());
          c.kill('SIGTERM');
        }),
    ),
  );
});

interface Started {
  controlPort: number;
  port: number;
  note: string;
}

/** Starts a simulator (rcapi port 0, no --control-port) and waits for its listening line and note. */
function startSim(): Promise<Started> {
  const child = spawn(
    process.execPath,
    ['--conditions=development', '--import', 'tsx', entry, '--port', '0', '--time-factor', '0'],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  children.push(child);
  let out = '';
  let err = '';
  return new Promise((resolve, reject) => {
    const check = () => {
      const line = out.split('\n').find((l) => l.includes('"listening"'));
      const note = err.split('\n').find((l) => l.startsWith('faxgate-sim: control port'));
      if (line && note) {
        const j = JSON.parse(line) as { controlPort: number; port: number };
        resolve({ controlPort: j.controlPort, port: j.port, note });
      }
    };
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      check();
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
      check();
    });
    child.once('close', (code) => reject(new Error(`faxgate-sim exited with ${code}: ${err}`)));
  });
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen({ host: '127.0.0.1', port, exclusive: true }, () => s.close(() => resolve(true)));
  });
}

async function controllers(controlPort: number): Promise<unknown[]> {
  const r = await fetch(`http://127.0.0.1:${controlPort}/controllers`);
  expect(r.status).toBe(200);
  return (await r.json()) as unknown[];
}

describe('faxgate-sim control port', () => {
  it('two simulators without --control-port both start: the first takes 2663 when free, the second a free port, each says which', async () => {
    const defaultWasFree = await portFree(2663);
    const a = await startSim();
    if (defaultWasFree) {
      expect(a.controlPort).toBe(2663);
      expect(a.note).toBe('faxgate-sim: control port 2663 (the default)');
    } else {
      expect(a.controlPort).not.toBe(2663);
      expect(a.note).toMatch(/the default 2663 is in use/);
    }
    const b = await startSim();
    expect(b.controlPort).not.toBe(2663);
    expect(b.controlPort).not.toBe(a.controlPort);
    expect(b.port).not.toBe(a.port);
    expect(b.note).toBe(
      `faxgate-sim: control port ${b.controlPort}: the default 2663 is in use (another simulator?); ` +
        `use --control-port ${b.controlPort} with call and trace`,
    );
    // Both control servers answer, each for its own simulator.
    expect((await controllers(a.controlPort)).length).toBeGreaterThan(0);
    expect((await controllers(b.controlPort)).length).toBeGreaterThan(0);
  }, 60_000);
});
