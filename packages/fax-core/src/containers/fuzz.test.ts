// Fuzz: random bytes, truncations and mutations of valid PBM, TIFF and SFF files. Whatever the
// input, a reader returns well-formed pages or throws a ContainerError — nothing else escapes.
// FAXGATE_FUZZ_ITERATIONS raises the count (default kept small for CI).
import { describe, expect, it } from 'vitest';
import { strideFor } from '../page.js';
import { alternatingPage, noisePage, prng, textPage, whitePage } from '../test-support/container-pages.js';
import { randomChunks } from '../test-support/tools.js';
import { ContainerError } from './common.js';
import { readFaxDocument } from './document.js';
import { writePbm } from './pbm.js';
import { SffReader, writeSff } from './sff.js';
import { writeTiff } from './tiff.js';

const ITERATIONS = Number(process.env.FAXGATE_FUZZ_ITERATIONS ?? 400);
const LIMITS = { maxTotalBytes: 32 * 1024 * 1024, maxPages: 50 };

function seeds(): { name: string; data: Uint8Array }[] {
  const pages = [
    textPage(256, 40, 'fine', 3),
    noisePage(200, 6, 0.3, 4),
    whitePage(64, 5, 'standard'),
    alternatingPage(33, 4),
  ];
  const out: { name: string; data: Uint8Array }[] = [
    { name: 'pbm', data: writePbm(pages) },
    { name: 'pbm-plain', data: new TextEncoder().encode('P1\n# c\n4 2\n1 0 1 1\n0 1 0 0\n') },
    { name: 'sff', data: writeSff(pages) },
  ];
  for (const coding of ['mh', 'mr', 'mmr', 'none'] as const) {
    out.push({ name: `tiff-${coding}`, data: writeTiff(pages, { coding }) });
  }
  out.push({
    name: 'tiff-mr-lsb-fill',
    data: writeTiff(pages, { coding: 'mr', fillOrder: 2, fillBits: true }),
  });
  return out;
}

/** Reads with both entry points; returns normally or throws whatever the reader threw. */
function readAll(data: Uint8Array, rand: () => number): void {
  for (const attempt of [0, 1]) {
    try {
      if (attempt === 0) {
        const doc = readFaxDocument(data, { limits: LIMITS });
        for (const p of doc.pages) {
          expect(p.page.data.length).toBeGreaterThanOrEqual(strideFor(p.page.width) * p.page.height);
        }
      } else {
        const r = new SffReader({ limits: LIMITS });
        for (const c of randomChunks(data, rand, 512)) r.push(c);
        r.end();
      }
    } catch (e) {
      if (!(e instanceof ContainerError)) {
        throw new Error(
          `non-container error escaped (${attempt ? 'SffReader' : 'readFaxDocument'}): ${String(e)}`,
          {
            cause: e,
          },
        );
      }
    }
  }
}

function mutate(data: Uint8Array, rand: () => number): Uint8Array {
  const out = data.slice();
  const kind = rand();
  const flips = 1 + Math.floor(rand() * 8);
  // bias towards the structure: first bytes (headers) and the last 300 (a TIFF's last IFD)
  const pos = () => {
    const r = rand();
    if (r < 0.3) return Math.floor(rand() * Math.min(64, out.length));
    if (r < 0.6) return Math.max(0, out.length - 1 - Math.floor(rand() * Math.min(300, out.length)));
    return Math.floor(rand() * out.length);
  };
  if (kind < 0.6) {
    for (let i = 0; i < flips; i++) out[pos()] = Math.floor(rand() * 256);
    return out;
  }
  if (kind < 0.8) {
    for (let i = 0; i < flips; i++) out[pos()] ^= 1 << Math.floor(rand() * 8);
    return out;
  }
  // delete or duplicate a span
  const a = pos();
  const len = 1 + Math.floor(rand() * 16);
  if (rand() < 0.5) return new Uint8Array([...out.subarray(0, a), ...out.subarray(a + len)]);
  return new Uint8Array([...out.subarray(0, a + len), ...out.subarray(a)]);
}

describe('container fuzz', () => {
  const all = seeds();

  it('the seeds themselves read cleanly', () => {
    for (const s of all) expect(readFaxDocument(s.data).pages.length, s.name).toBeGreaterThan(0);
  });

  it('random bytes (with and without a format magic) give only ContainerErrors', () => {
    const rand = prng(1);
    const magics = [
      [],
      [0x50, 0x34],
      [0x50, 0x31],
      [0x49, 0x49, 42, 0],
      [0x4d, 0x4d, 0, 42],
      [0x53, 0x66, 0x66, 0x66],
    ];
    for (let i = 0; i < ITERATIONS; i++) {
      const magic = magics[i % magics.length];
      const body = Uint8Array.from({ length: Math.floor(rand() * 600) }, () => Math.floor(rand() * 256));
      readAll(new Uint8Array([...magic, ...body]), rand);
    }
  });

  it('truncations of valid files give only ContainerErrors', () => {
    const rand = prng(2);
    for (const s of all) {
      for (let i = 0; i < Math.max(10, ITERATIONS / 4); i++)
        readAll(s.data.subarray(0, Math.floor(rand() * s.data.length)), rand);
    }
  });

  it('mutations of valid files give pages or ContainerErrors', () => {
    const rand = prng(3);
    for (const s of all) {
      for (let i = 0; i < ITERATIONS; i++) readAll(mutate(s.data, rand), rand);
    }
  });
});
