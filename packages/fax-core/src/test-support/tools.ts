// Test helpers for the container tests: external tools (libtiff-tools, sfftobmp), temporary
// directories, typed-error assertions.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { ContainerError } from '../containers/common.js';
import type { BilevelPage } from '../page.js';

/**
 * Fails when the command is not on PATH: the independent decoders are part of the proof, and
 * `npm test` installs them (infra/bootstrap.mjs, infra/apt-packages.txt), so a missing tool is
 * an error, never a skip.
 */
export function requireTool(name: string): void {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).status === 0;
  if (!found)
    throw new Error(`${name} is missing (install it: infra/apt-packages.txt, or run npm test as root)`);
}

export function run(cmd: string, args: string[]): { stdout: string; stderr: string; status: number } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status ?? -1 };
}

export function runOk(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

export function withTempDir<T>(f: (dir: string) => T): T {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'faxgate-containers-'));
  try {
    return f(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs f and returns the ContainerError it throws (fails the test for anything else). */
export function expectContainerError(f: () => unknown, code?: string): ContainerError {
  let thrown: unknown;
  try {
    f();
  } catch (e) {
    thrown = e;
  }
  if (thrown === undefined) throw new Error('no error thrown');
  expect(thrown).toBeInstanceOf(ContainerError);
  if (code) expect((thrown as ContainerError).code).toBe(code);
  return thrown as ContainerError;
}

/** Random chunk boundaries: sizes from 1 byte up, biased towards small ones. */
export function randomChunks(data: Uint8Array, rand: () => number, max = 4096): Uint8Array[] {
  const out: Uint8Array[] = [];
  let i = 0;
  while (i < data.length) {
    const r = rand();
    const size = r < 0.3 ? 1 : r < 0.6 ? 1 + Math.floor(rand() * 16) : 1 + Math.floor(rand() * max);
    out.push(data.subarray(i, i + size));
    i += size;
  }
  return out;
}

/** Decodes with `sfftobmp -r -p` and returns the page rows (the last bytes of each PBM). */
export function sfftobmpRows(sff: Uint8Array, pages: BilevelPage[]): Uint8Array[] {
  return withTempDir((dir) => {
    const file = path.join(dir, 'x.sff');
    writeFileSync(file, sff);
    runOk('sfftobmp', ['-q', '-r', '-p', file, '-o', path.join(dir, 'out.pbm')]);
    return pages.map((p, i) => {
      const name = pages.length === 1 ? 'out.pbm' : `out_${String(i + 1).padStart(3, '0')}.pbm`;
      const pbm = readFileSync(path.join(dir, name));
      return new Uint8Array(pbm.subarray(pbm.length - p.stride * p.height));
    });
  });
}
