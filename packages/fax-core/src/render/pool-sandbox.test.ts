// The render pool under bubblewrap, seen from the host: real documents still render, the job
// runs in a process that is uid 65534 in its own pid namespace, the memory limit (summed over
// bwrap's process tree) still kills a hog, and neither a kill nor close() leaves a process behind.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fx from '../test-support/render-fixtures.js';
import { RenderLimitError } from './errors.js';
import { createRenderPool, type RenderPool } from './pool.js';

const MB = 1024 * 1024;
const isRoot = process.getuid?.() === 0;
const tmpDir = path.join(os.tmpdir(), `faxgate-pool-sandbox-${process.pid}`);
let pool: RenderPool;
let good: Uint8Array;
let longer: Uint8Array;

function status(pid: number): Record<string, string> | undefined {
  try {
    const out: Record<string, string> = {};
    for (const line of fs.readFileSync(`/proc/${pid}/status`, 'latin1').split('\n')) {
      const m = line.match(/^(\w+):\s*(.*)$/);
      if (m) out[m[1]] = m[2];
    }
    return out;
  } catch {
    return undefined;
  }
}

/** The worker and the two bwrap processes above it (host pids). */
function sandboxChain(worker: number): number[] {
  const chain = [worker];
  for (let i = 0; i < 2; i++) chain.push(Number(status(chain[chain.length - 1])?.PPid));
  return chain;
}

/** The pid of the worker running the job just started (a recycled worker may still be starting). */
async function busyWorker(): Promise<number> {
  for (let i = 0; i < 6000; i++) {
    const [pid] = pool.stats().busyPids;
    if (pid) return pid;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error('no busy worker');
}

/** Whether every one of `pids` has left /proc within 10 s (a bound: under CI's load, reaping a
 *  killed sandbox's processes took more than the 2 s this once allowed). */
async function gone(pids: number[]): Promise<boolean> {
  for (let i = 0; i < 500; i++) {
    if (pids.every((p) => !fs.existsSync(`/proc/${p}`))) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}

beforeAll(async () => {
  pool = createRenderPool({
    workers: 1,
    limits: { memoryBytes: 320 * MB, timeMs: 30_000 },
    sandbox: { mode: 'bubblewrap', tmpDir },
  });
  [good, longer] = await Promise.all([fx.makeTextPdf(1), fx.makeTextPdf(12)]);
  await pool.ready();
}, 60_000);

afterAll(async () => {
  await pool?.close();
});

describe('render pool under bubblewrap', () => {
  it('reports the sandbox in stats()', () => {
    expect(pool.stats().sandbox).toEqual({
      mode: 'bubblewrap',
      tmpDir,
      bwrap: expect.stringMatching(/\/bwrap$/),
      hostUid: isRoot ? 65534 : process.getuid?.(),
      seccomp: process.arch === 'x64',
    });
  });

  it('renders a real PDF and images', async () => {
    const pdf = await pool.render(await fx.makeScanPdf(1));
    expect(pdf.sourceType).toBe('pdf');
    expect(pdf.pages.length).toBe(1);
    const png = await sharp({
      create: { width: 1200, height: 900, channels: 3, background: { r: 90, g: 90, b: 90 } },
    })
      .png()
      .toBuffer();
    const fromPng = await pool.render(png);
    expect(fromPng.sourceType).toBe('png');
    expect(fromPng.pages[0].width).toBe(1728);
    const jpeg = await sharp(png).jpeg().toBuffer();
    expect((await pool.render(jpeg, { mmr: 'only' })).mmr?.length).toBe(1);
  }, 60_000);

  it('runs each job as uid 65534 without capabilities in its own pid namespace', async () => {
    const job = pool.render(longer);
    const pid = await busyWorker();
    const st = status(pid)!;
    expect(fs.readFileSync(`/proc/${pid}/comm`, 'latin1').trim()).toBe('node');
    // host pid, then pid 2 in the sandbox's namespace (bwrap's init is 1)
    expect(st.NSpid.split(/\s+/)).toEqual([String(pid), '2']);
    expect(st.CapEff).toMatch(/^0+$/);
    if (isRoot) expect(st.Uid.split(/\s+/)[0]).toBe('65534');
    const chain = sandboxChain(pid);
    expect(chain.slice(1).map((p) => fs.readFileSync(`/proc/${p}/comm`, 'latin1').trim())).toEqual([
      'bwrap',
      'bwrap',
    ]);
    expect(Number(status(chain[2])!.PPid)).toBe(process.pid);
    expect((await job).pageCount).toBe(12);
  }, 60_000);

  it('the memory limit still kills a hog — the whole sandbox — and a new worker takes over', async () => {
    const bomb = await fx.makeContentBombPdf(1024);
    const before = pool.stats().killed;
    const job = pool.render(bomb);
    const chain = sandboxChain(await busyWorker());
    const e = (await job.catch((x: Error) => x)) as RenderLimitError;
    expect(e).toBeInstanceOf(RenderLimitError);
    expect(e.limit).toBe('memory');
    expect(e.actual).toBeGreaterThan(320 * MB);
    expect(pool.stats().killed).toBe(before + 1);
    expect(await gone(chain)).toBe(true);
    const after = await pool.render(good);
    expect(after.pages.length).toBe(1);
  }, 90_000);

  it('close() leaves no sandbox process behind', async () => {
    const job = pool.render(longer);
    const chain = sandboxChain(await busyWorker());
    expect(chain.every((p) => fs.existsSync(`/proc/${p}`))).toBe(true);
    await pool.close();
    await expect(job).rejects.toThrow();
    expect(await gone(chain)).toBe(true);
  }, 60_000);

  it('a gateway killed with SIGKILL takes its sandboxed workers with it (no orphans)', async () => {
    const parentScript = fileURLToPath(new URL('../test-support/pool-parent.ts', import.meta.url));
    const parent = spawn(
      process.execPath,
      ['--conditions=development', '--import', 'tsx', parentScript, tmpDir],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const tree = await new Promise<number[]>((resolve, reject) => {
      let out = '';
      parent.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        if (out.includes('\n')) resolve(JSON.parse(out));
      });
      parent.on('exit', (code) => reject(new Error(`pool parent exited ${code}`)));
    });
    const comm = (p: number) => fs.readFileSync(`/proc/${p}/comm`, 'latin1').trim();
    expect(tree.slice(0, 3).map(comm)).toEqual(['bwrap', 'bwrap', 'node']);
    parent.kill('SIGKILL');
    parent.stdout.destroy();
    expect(await gone(tree)).toBe(true);
  }, 90_000);
});
