// Builds bench/native/codec-harness.c (libtiff and spandsp timed in-process, for bench:codec)
// with the system C compiler, once per source version: the binary is cached under
// node_modules/.cache/faxgate-bench/, named by a hash of the source and the command. Benchmark
// only — never part of a package or of the gateway's process (spandsp is LGPL).
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const source = path.join(here, 'codec-harness.c');
const cacheDir = path.resolve(here, '../../../../node_modules/.cache/faxgate-bench');

/** Debian packages the harness is built against (bench only; infra/apt-packages.txt). */
export const HARNESS_PACKAGES = ['libtiff-dev', 'libspandsp-dev'];

export class HarnessUnavailableError extends Error {}

/** The path of the built harness, building it when the source changed since the last build. */
export function codecHarness(): string {
  const cc = process.env.CC ?? 'cc';
  const flags = ['-O2', '-Wall', '-Wextra', '-I/usr/include/x86_64-linux-gnu'];
  const libs = ['-ltiff', '-lspandsp', '-lm'];
  const key = createHash('sha256')
    .update(readFileSync(source))
    .update(JSON.stringify([cc, flags, libs]))
    .digest('hex')
    .slice(0, 16);
  const bin = path.join(cacheDir, `codec-harness-${key}`);
  if (existsSync(bin)) return bin;
  for (const header of ['/usr/include/spandsp.h']) {
    if (!existsSync(header) && !hasHeader(cc, path.basename(header)))
      throw new HarnessUnavailableError(
        `${path.basename(header)} not found: apt-get install ${HARNESS_PACKAGES.join(' ')} (bench only)`,
      );
  }
  mkdirSync(cacheDir, { recursive: true });
  const tmp = `${bin}.${process.pid}.tmp`;
  const r = spawnSync(cc, [...flags, '-o', tmp, source, ...libs], { encoding: 'utf8' });
  if (r.status !== 0)
    throw new HarnessUnavailableError(
      `building the codec harness failed (${cc}; needs ${HARNESS_PACKAGES.join(', ')}):\n${r.stderr ?? r.error}`,
    );
  renameSync(tmp, bin);
  return bin;
}

function hasHeader(cc: string, header: string): boolean {
  return spawnSync(cc, ['-E', '-x', 'c', '-'], { input: `#include <${header}>\n` }).status === 0;
}

export interface HarnessResult {
  coding: string;
  pages: number;
  iterations: number;
  clock: 'cpu' | 'wall';
  libtiff: { enc: number; dec: number; checked: boolean };
  spandsp: { enc: number; dec: number; encChecked: boolean; decChecked: boolean };
}

/** Runs the harness on pages given as (libtiff TIFF of that coding, PBM) pairs. */
export function runHarness(
  bin: string,
  clock: 'cpu' | 'wall',
  iterations: number,
  coding: 'mh' | 'mr' | 'mmr',
  pages: { tiff: string; pbm: string }[],
): HarnessResult {
  const out = execFileSync(
    bin,
    [clock, String(iterations), coding, ...pages.flatMap((p) => [p.tiff, p.pbm])],
    { encoding: 'utf8' },
  );
  return JSON.parse(out) as HarnessResult;
}
