// Test support: the pages and files `npm test` uses where the conformance tests use the
// third-party CCITT corpus — pages the project generates (text-like, halftone, all-black and
// all-white bands with edge pixels, random runs), coded by independent implementations:
// SFF and PBM by Ghostscript (cfax, pbmraw), TIFF by libtiff (tiffcp). Our codecs must decode
// those files to exactly the generated pixels.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BilevelPage } from '../page.js';
import { bandsPage, halftonePage, runsPage, textPage } from './codec-pages.js';
import { uncompressedTiff } from './tiff-writer.js';

const A4 = 1728;

let pages: BilevelPage[] | undefined;

/**
 * Five fine A4-wide pages, 1,200 rows each (6,000 rows, 1.3 MB decoded — over the limits the
 * streaming tests set): text, halftone, bands, random runs, text again.
 */
export function madePages(): BilevelPage[] {
  pages ??= [
    textPage(A4, 1200, 101),
    halftonePage(A4, 1200),
    bandsPage(A4, 1200),
    runsPage(A4, 1200, 102),
    textPage(A4, 1200, 103),
  ];
  return pages;
}

function withDir<T>(f: (dir: string) => T): T {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'faxgate-made-'));
  try {
    return f(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A PostScript program that paints each page pixel for pixel: an imagemask at the device
 * resolution (204 dpi, 196 or 98 lpi), one device page per page.
 */
function postscript(list: BilevelPage[]): string {
  const parts = ['%!PS'];
  for (const p of list) {
    const lpi = p.resolution === 'standard' ? 98 : 196;
    parts.push(
      `<< /HWResolution [204 ${lpi}] /PageSize [${(p.width * 72) / 204} ${(p.height * 72) / lpi}] >> setpagedevice`,
      `gsave 72 204 div 72 ${lpi} div scale ${p.width} ${p.height} scale`,
      `${p.width} ${p.height} true [${p.width} 0 0 -${p.height} 0 ${p.height}] currentfile /ASCIIHexDecode filter imagemask`,
      `${Buffer.from(p.data).toString('hex')}>`,
      'grestore showpage',
    );
  }
  return `${parts.join('\n')}\n`;
}

function ghostscript(device: string, list: BilevelPage[], out: string): Uint8Array {
  return withDir((dir) => {
    const ps = path.join(dir, 'pages.ps');
    const file = path.join(dir, out);
    writeFileSync(ps, postscript(list));
    execFileSync('gs', [
      '-q',
      '-dNOPAUSE',
      '-dBATCH',
      '-dSAFER',
      `-sDEVICE=${device}`,
      `-sOutputFile=${file}`,
      ps,
    ]);
    return new Uint8Array(readFileSync(file));
  });
}

const sffCache = new Map<BilevelPage[], Uint8Array>();

/** The pages as Ghostscript's cfax device writes them: an SFF document (MH rows, LSB first). */
export function ghostscriptSff(list: BilevelPage[] = madePages()): Uint8Array {
  let sff = sffCache.get(list);
  if (!sff) {
    sff = ghostscript('cfax', list, 'out.sff');
    sffCache.set(list, sff);
  }
  return sff;
}

/** One page as Ghostscript's pbmraw device writes it (binary P4). */
export function ghostscriptPbm(page: BilevelPage): Uint8Array {
  return ghostscript('pbmraw', [page], 'out.pbm');
}

/** libtiff's codings as tiffcp names them; MR's K follows the resolution (2 at 98 lpi, 4 above). */
export type LibtiffCoding = 'g3:1d' | 'g3:2d' | 'g4';

/** The page encoded by libtiff (`tiffcp -c coding`, one strip): a whole TIFF file. */
export function libtiffTiff(page: BilevelPage, coding: LibtiffCoding): Uint8Array {
  return withDir((dir) => {
    const src = path.join(dir, 'in.tif');
    const dst = path.join(dir, 'out.tif');
    writeFileSync(src, uncompressedTiff(page));
    execFileSync('tiffcp', ['-c', coding, '-r', String(Math.max(1, page.height)), src, dst]);
    return new Uint8Array(readFileSync(dst));
  });
}

/** The four codings of the corpus' libtiff files: MH, MR with K=2 (98 lpi) and K=4, MMR. */
export type MadeMode = 'mh' | 'mr_k2' | 'mr_k4' | 'mmr';
export const MADE_MODES: readonly MadeMode[] = ['mh', 'mr_k2', 'mr_k4', 'mmr'];

/** Made page n (0-based), at 98 lpi for mr_k2 (libtiff picks K from the resolution). */
export function madePage(n: number, mode: MadeMode = 'mh'): BilevelPage {
  const page = madePages()[n];
  return mode === 'mr_k2' ? { ...page, resolution: 'standard' } : page;
}

const tiffCache = new Map<string, Uint8Array>();

/** Made page n as libtiff (tiffcp) writes it in the given mode: the made twin of the corpus' TIFFs. */
export function madeTiff(n: number, mode: MadeMode): Uint8Array {
  const key = `${n} ${mode}`;
  let tiff = tiffCache.get(key);
  if (!tiff) {
    tiff = libtiffTiff(madePage(n, mode), mode === 'mh' ? 'g3:1d' : mode === 'mmr' ? 'g4' : 'g3:2d');
    tiffCache.set(key, tiff);
  }
  return tiff;
}
