// The independent decoders a fax file of the corpus is checked against, each run as its own
// process with a time limit: libtiff (tiffcp -c none: the raster as stored, orientation not
// applied), Ghostscript's CCITTFaxDecode filter driven by a PostScript program written here
// from the TIFF tags, and sfftobmp. GPL tools run as separate processes, in tests only.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  blackSample,
  invert,
  type Raster,
  readPbmFile,
  readTiffIfds,
  readUncompressedTiff,
  strideOf,
  stripsOf,
  tag,
} from './raster.js';

/** Wall time of one reference tool run. */
export const TOOL_TIMEOUT_MS = 120_000;

export function withDir<T>(f: (dir: string) => T): T {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'faxgate-conformance-'));
  try {
    return f(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs a tool; throws with its stderr on a non-zero exit, a signal or the time limit. */
export function tool(cmd: string, args: string[], opts: { timeoutMs?: number } = {}): string {
  const r = spawnSync(cmd, args, {
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? TOOL_TIMEOUT_MS,
    killSignal: 'SIGKILL',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.signal)
    throw new Error(`${cmd}: killed by ${r.signal} (time limit ${opts.timeoutMs ?? TOOL_TIMEOUT_MS} ms)`);
  if (r.status !== 0) throw new Error(`${cmd} exited ${r.status}: ${firstLines(r.stderr || r.stdout)}`);
  return r.stdout;
}

const firstLines = (s: string) => s.trim().split('\n').slice(0, 3).join(' | ');

/** libtiff's pages of a TIFF: `tiffcp -c none -f msb2lsb`, then the uncompressed file read here. */
export function libtiffPages(file: string): Raster[] {
  return withDir((dir) => {
    const out = path.join(dir, 'out.tif');
    tool('tiffcp', ['-c', 'none', '-f', 'msb2lsb', file, out]);
    return readUncompressedTiff(out);
  });
}

const reverseBits = (b: Uint8Array): Uint8Array => {
  const out = new Uint8Array(b.length);
  for (let i = 0; i < b.length; i++) {
    let v = b[i];
    v = ((v & 0xf0) >>> 4) | ((v & 0x0f) << 4);
    v = ((v & 0xcc) >>> 2) | ((v & 0x33) << 2);
    out[i] = ((v & 0xaa) >>> 1) | ((v & 0x55) << 1);
  }
  return out;
};

/**
 * The CCITTFaxDecode parameters for a TIFF page (PLRM 3.13.3): Compression 2 → K 0, rows
 * byte-aligned, no EOLs; 3 → K 0 (1-D) or mixed 1-D/2-D by T4Options bit 0, EOLs required
 * unless `noEol`, rows byte-aligned when T4Options has fill bits (bit 2); 4 → K -1.
 */
export function ccittParams(compression: number, t4Options: number, noEol: boolean): string {
  if (compression === 2) return '/K 0 /EncodedByteAlign true /EndOfLine false';
  if (compression === 3) {
    const k = t4Options & 1 ? 10000 : 0;
    return `/K ${k} /EncodedByteAlign false /EndOfLine ${!noEol}`;
  }
  if (compression === 4) return '/K -1 /EncodedByteAlign false /EndOfLine false';
  throw new Error(`Compression ${compression} is not CCITT`);
}

/**
 * Ghostscript's pages of a CCITT TIFF: every strip decoded by its own CCITTFaxDecode filter
 * (as libtiff does: each strip starts from a white reference line), FillOrder 2 strips
 * bit-reversed first; a strip the filter stops in early leaves its remaining rows white and
 * is named in the error list.
 */
export function gsFaxPages(file: string, noEol = false): { pages: Raster[]; errors: string[] } {
  const b = new Uint8Array(readFileSync(file));
  const errors: string[] = [];
  const pages = withDir((dir) =>
    readTiffIfds(b).map((ifd, p) => {
      const width = tag(ifd, 256);
      const height = tag(ifd, 257);
      const perStrip = Math.min(tag(ifd, 278, height) || height, height);
      const params = ccittParams(tag(ifd, 259, 1), tag(ifd, 292), noEol);
      const stride = strideOf(width);
      const program: string[] = [`/buf ${stride} string def`];
      const strips = stripsOf(b, ifd);
      strips.forEach((s, i) => {
        const rows = Math.min(perStrip, height - i * perStrip);
        if (rows <= 0) return;
        const sf = path.join(dir, `p${p}s${i}.bin`);
        writeFileSync(sf, tag(ifd, 266, 1) === 2 ? reverseBits(s) : s);
        const of = path.join(dir, `p${p}s${i}.raw`);
        program.push(
          `/out (${of}) (w) file def`,
          `{ (${sf}) (r) file << /Columns ${width} /Rows ${rows} /BlackIs1 true /EndOfBlock true /DamagedRowsBeforeError ${rows} ${params} >> /CCITTFaxDecode filter /f exch def`,
          `  ${rows} { f buf readstring exch out exch writestring not { exit } if } repeat } stopped`,
          `{ (strip ${i} of page ${p + 1}: ) print $error /errorname get == } if out closefile`,
        );
      });
      const ps = path.join(dir, `p${p}.ps`);
      writeFileSync(ps, `${program.join('\n')}\nquit\n`);
      const said = tool('gs', [
        '-q',
        '-dNODISPLAY',
        '-dSAFER',
        '-dBATCH',
        `--permit-file-read=${dir}/`,
        `--permit-file-write=${dir}/`,
        ps,
      ]).trim();
      if (said) errors.push(said);
      const data = new Uint8Array(stride * height);
      strips.forEach((_s, i) => {
        if (i * perStrip >= height) return;
        const raw = readFileSync(path.join(dir, `p${p}s${i}.raw`));
        const want = Math.min(perStrip, height - i * perStrip) * stride;
        if (raw.length < want)
          errors.push(`page ${p + 1} strip ${i}: ${raw.length / stride} of ${want / stride} rows`);
        data.set(raw.subarray(0, want), i * perStrip * stride);
      });
      const r = { width, height, data };
      // BlackIs1 gives the coded black runs as 1; MinIsBlack shows them as white.
      return blackSample(ifd) === 1 ? r : invert(r);
    }),
  );
  return { pages, errors };
}

/** sfftobmp's pages of an SFF (`sfftobmp -r -p`: PBM, one file per page, no resolution doubling). */
export function sfftobmpPages(file: string): Raster[] {
  return withDir((dir) => {
    tool('sfftobmp', ['-q', '-r', '-p', file, '-o', path.join(dir, 'out.pbm')]);
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.pbm'))
      .sort();
    return files.map((f) => readPbmFile(path.join(dir, f)));
  });
}
