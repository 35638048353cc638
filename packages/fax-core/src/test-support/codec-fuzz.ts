// Codec fuzzing: valid streams of generated pages, mutated (bit flips, truncation, splices,
// random bytes), decoded with random options. Only CodecError may escape; every decode must end,
// quickly, with a page of sane size. Each case is fully determined by its seed.

import { decodeMhRow, decodePage, decodePageRuns, PageDecoder } from '../codec/decode.js';
import { encodePage } from '../codec/encode.js';
import { CodecError, type Coding, type DecodeOptions, type EncodeOptions } from '../codec/types.js';
import { MAX_PAGE_HEIGHT, MAX_PAGE_WIDTH } from '../page.js';
import { noisePage, rng, textPage } from './codec-pages.js';

export interface FuzzFailure {
  seed: number;
  what: string;
  error: string;
}

export interface FuzzStats {
  cases: number;
  decodes: number;
  bytes: number;
  codecErrors: number;
  slowestMs: number;
  failures: FuzzFailure[];
  elapsedMs: number;
}

const CODINGS: Coding[] = ['mh', 'mr', 'mmr'];

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)];
}

function int(r: () => number, lo: number, hi: number): number {
  return lo + Math.floor(r() * (hi - lo + 1));
}

function encodeOptions(r: () => number, coding: Coding): EncodeOptions {
  const bitOrder = r() < 0.3 ? 'lsb' : 'msb';
  if (coding === 'mmr') return { coding, eofb: r() < 0.8, bitOrder };
  const fillBits = r() < 0.4;
  const rtc = r() < 0.5;
  if (coding === 'mr') return { coding, k: pick(r, [1, 2, 4, 8]), fillBits, rtc, bitOrder };
  return { coding, eol: r() < 0.8, fillBits, rtc, bitOrder };
}

/** A valid stream, then mutated. */
function input(r: () => number): { data: Uint8Array; width: number; height: number; enc: EncodeOptions } {
  const width = r() < 0.5 ? pick(r, [1728, 2048, 2432]) : int(r, 1, 2600);
  const height = int(r, 0, 48);
  const page =
    r() < 0.5 ? textPage(width, height, int(r, 0, 1e9)) : noisePage(width, height, int(r, 0, 1e9), r());
  const enc = encodeOptions(r, pick(r, CODINGS));
  let data = encodePage(page, enc);
  if (r() < 0.05) data = Uint8Array.from({ length: int(r, 0, 4000) }, () => int(r, 0, 255));
  const mutations = int(r, 0, 4);
  for (let m = 0; m < mutations; m++) {
    const kind = int(r, 0, 5);
    if (kind <= 1 && data.length > 0) {
      // bit flips
      const flips = int(r, 1, 12);
      data = data.slice();
      for (let i = 0; i < flips; i++) data[int(r, 0, data.length - 1)] ^= 1 << int(r, 0, 7);
    } else if (kind === 2) {
      data = data.slice(0, int(r, 0, data.length)); // truncation
    } else if (kind === 3 && data.length > 0) {
      // splice: a piece of the stream copied elsewhere
      const a = int(r, 0, data.length - 1);
      const piece = data.slice(a, a + int(r, 1, 200));
      const at = int(r, 0, data.length);
      const out = new Uint8Array(data.length + piece.length);
      out.set(data.subarray(0, at));
      out.set(piece, at);
      out.set(data.subarray(at), at + piece.length);
      data = out;
    } else if (kind === 4) {
      // random bytes inserted
      const junk = Uint8Array.from({ length: int(r, 1, 64) }, () => (r() < 0.3 ? 0 : int(r, 0, 255)));
      const at = int(r, 0, data.length);
      const out = new Uint8Array(data.length + junk.length);
      out.set(data.subarray(0, at));
      out.set(junk, at);
      out.set(data.subarray(at), at + junk.length);
      data = out;
    } else if (data.length > 0) {
      // a run of zeros or ones (line drop-out, stuck carrier)
      data = data.slice();
      data.fill(r() < 0.5 ? 0 : 0xff, int(r, 0, data.length - 1), int(r, 0, data.length));
    }
  }
  return { data, width, height, enc };
}

function decodeOptions(r: () => number, width: number, height: number, enc: EncodeOptions): DecodeOptions {
  const sameCoding = r() < 0.8;
  const coding = sameCoding ? enc.coding : pick(r, CODINGS);
  const opts: DecodeOptions = {
    coding,
    width: r() < 0.85 ? width : int(r, 1, MAX_PAGE_WIDTH),
    bitOrder: r() < 0.85 ? (enc.bitOrder ?? 'msb') : pick(r, ['msb', 'lsb'] as const),
    strict: r() < 0.1,
  };
  if (r() < 0.4) opts.height = r() < 0.8 ? height : int(r, 0, 3000);
  else if (r() < 0.3) opts.maxHeight = int(r, 0, 200);
  if (coding === 'mh') {
    const e = r();
    opts.eol = e < 0.4 ? undefined : e < 0.8 ? enc.eol !== false : r() < 0.5;
    if (opts.eol === false) opts.fillBits = enc.fillBits;
  }
  return opts;
}

function checkResult(res: ReturnType<typeof decodePage>, opts: DecodeOptions): string | null {
  const { page } = res;
  if (page.width !== opts.width) return `page width ${page.width}`;
  if (opts.height !== undefined && page.height !== opts.height) return `page height ${page.height}`;
  if (opts.height === undefined && page.height !== res.rows) return `page height ${page.height} != rows`;
  if (page.height > MAX_PAGE_HEIGHT) return 'page over MAX_PAGE_HEIGHT';
  if (page.data.length !== page.stride * page.height) return 'page data size';
  if (res.badLines > res.rows || res.consecutiveBadLines > res.badLines) return 'bad line counts';
  return null;
}

/** Runs one case. Returns a failure description or null. Counts into `stats`. */
export function fuzzCase(seed: number, stats: FuzzStats): FuzzFailure | null {
  const r = rng(seed);
  const { data, width, height, enc } = input(r);
  stats.bytes += data.length;
  const attempts = int(r, 1, 3);
  for (let a = 0; a < attempts; a++) {
    const opts = decodeOptions(r, width, height, enc);
    const how = r() < 0.25 ? 'PageDecoder' : 'decodePage';
    const what = `${how} ${JSON.stringify(opts)} on ${data.length} bytes (encoded ${JSON.stringify(enc)})`;
    const t0 = performance.now();
    try {
      let res: ReturnType<typeof decodePage>;
      if (how === 'PageDecoder') {
        const d = new PageDecoder(opts);
        let at = 0;
        while (at < data.length && !d.done) {
          const n = int(r, 1, 300);
          d.push(data.subarray(at, at + n));
          at += n;
        }
        res = d.end();
      } else res = decodePage(data, opts);
      stats.decodes++;
      const bad = checkResult(res, opts);
      if (bad) return { seed, what, error: bad };
    } catch (e) {
      if (!(e instanceof CodecError)) return { seed, what, error: String((e as Error)?.stack ?? e) };
      stats.codecErrors++;
    }
    const ms = performance.now() - t0;
    if (ms > stats.slowestMs) stats.slowestMs = ms;
    // generous: a decode is linear in its input; 100 KB decode in ~1 ms on this machine
    if (ms > 2000 + data.length / 100) return { seed, what, error: `took ${ms.toFixed(0)} ms` };
  }
  // runs mode (transcoding) on the same data: clean only where the pixel path is clean
  const opts = decodeOptions(r, width, height, enc);
  const what = `decodePageRuns ${JSON.stringify(opts)} on ${data.length} bytes`;
  try {
    let runRows = 0;
    const runs = decodePageRuns(data, opts, () => {
      runRows++;
    });
    const pixels = decodePage(data, opts);
    if (runs.badLines > 1 || runRows + runs.badLines !== runs.rows)
      return { seed, what, error: 'row counts' };
    if (runs.badLines === 0 && (pixels.badLines !== 0 || pixels.rows !== runs.rows))
      return { seed, what, error: `clean in runs mode, ${pixels.badLines} bad rows in pixels` };
    if (runs.badLines === 1 && pixels.badLines === 0)
      return { seed, what, error: 'a corrupt row in runs mode only' };
  } catch (e) {
    if (!(e instanceof CodecError)) return { seed, what, error: String((e as Error)?.stack ?? e) };
    stats.codecErrors++;
  }
  // the SFF row helper on a random slice
  if (data.length > 0) {
    const a = int(r, 0, data.length - 1);
    const slice = data.subarray(a, a + int(r, 0, 300));
    const w = int(r, 1, 2432);
    try {
      decodeMhRow(slice, w, new Uint8Array((w + 7) >>> 3), r() < 0.5 ? 'lsb' : 'msb');
    } catch (e) {
      return { seed, what: `decodeMhRow width ${w} on ${slice.length} bytes`, error: String(e) };
    }
  }
  return null;
}

/** Runs cases seed, seed+1, ... until `iterations` cases or `seconds` have passed. */
export function runFuzz(opts: {
  seed: number;
  iterations?: number;
  seconds?: number;
  stopOnFailure?: boolean;
}): FuzzStats {
  const stats: FuzzStats = {
    cases: 0,
    decodes: 0,
    bytes: 0,
    codecErrors: 0,
    slowestMs: 0,
    failures: [],
    elapsedMs: 0,
  };
  const t0 = performance.now();
  const deadline = opts.seconds !== undefined ? t0 + opts.seconds * 1000 : Number.POSITIVE_INFINITY;
  const limit = opts.iterations ?? Number.POSITIVE_INFINITY;
  for (let i = 0; i < limit && performance.now() < deadline; i++) {
    const f = fuzzCase(opts.seed + i, stats);
    stats.cases++;
    if (f) {
      stats.failures.push(f);
      if (opts.stopOnFailure) break;
    }
  }
  stats.elapsedMs = performance.now() - t0;
  return stats;
}
