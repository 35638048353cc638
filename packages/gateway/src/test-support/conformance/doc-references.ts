// Ghostscript as the reference for documents (a separate process, tests only): its page count
// for a fax of the document, and its drawing of a page at the scale and place faxgate gave
// that page, for the "is the content there?" comparison.
//
// Why not gs -dPDFFitPage into faxgate's page size: with a MediaBox whose origin is not 0 0
// (160F-2019.pdf) gs 10.0 shifts the page by twice the origin and cuts its top and left off,
// and it turns landscape pages the other way than faxgate. So gs draws each page at its own
// size (-dUseCropBox), at the resolution of the fit of a fax page (ITU-T T.4 width, never
// longer than A4, never enlarged — the rule of fax-core's render/geometry.ts), and the drawing
// is placed centred across the 1728-pel line, at the top, turned a quarter either way when
// faxgate's page is the turned one.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tool, withDir } from './fax-references.js';
import { type Raster, readPbmFile, readTiffIfds, strideOf } from './raster.js';

const gsBase = (dir: string, file: string) => [
  '-q',
  '-dNOPAUSE',
  '-dBATCH',
  '-dSAFER',
  `--permit-file-read=${file}`,
  `--permit-file-write=${dir}/`,
];

/**
 * The pages Ghostscript makes of a document as a fax, with the manifest's options:
 * `-sDEVICE=tiffg4 -r204x196 -sPAPERSIZE=a4 -dFIXEDMEDIA -dPDFFitPage`; the pages counted in
 * the TIFF it writes (its IFD chain).
 */
export function gsPageCount(file: string): number {
  return withDir((dir) => {
    const out = path.join(dir, 'out.tif');
    tool('gs', [
      ...gsBase(dir, file),
      '-sDEVICE=tiffg4',
      '-r204x196',
      '-sPAPERSIZE=a4',
      '-dFIXEDMEDIA',
      '-dPDFFitPage',
      `-sOutputFile=${out}`,
      file,
    ]);
    return readTiffIfds(new Uint8Array(readFileSync(out))).length;
  });
}

/** A page's size in points as shown (CropBox, else MediaBox; /Rotate 90 or 270 swaps them). */
export interface PageBox {
  width: number;
  height: number;
}

/** Every page's box, as Ghostscript's PDF interpreter reads it. */
export function gsPageBoxes(file: string): PageBox[] {
  return withDir((dir) => {
    const ps = path.join(dir, 'boxes.ps');
    writeFileSync(
      ps,
      [
        `/pf (${file}) (r) file def pf runpdfbegin`,
        '1 1 pdfpagecount { pdfgetpage /pg exch def',
        '  pg /MediaBox pget pop /mb exch def',
        '  pg /CropBox pget { /cb exch def } { /cb mb def } ifelse',
        '  pg /Rotate pget not { 0 } if /rot exch def',
        '  cb 2 get cb 0 get sub abs =only ( ) print cb 3 get cb 1 get sub abs =only ( ) print rot == } for',
        'quit',
      ].join('\n'),
    );
    const out = tool('gs', ['-q', '-dNODISPLAY', '-dSAFER', `--permit-file-read=${file}`, ps]);
    return out
      .trim()
      .split('\n')
      .map((l) => {
        const [w, h, rot] = l.trim().split(/\s+/).map(Number);
        const turned = (((rot % 360) + 360) % 360) % 180 === 90;
        return turned ? { width: h, height: w } : { width: w, height: h };
      });
  });
}

/** Fax page geometry: 1728 pels across at 204 dpi, 196 lines per inch, A4 at most 2292 lines. */
const LINE = 1728;
const DPI_X = 204;
const DPI_Y = 196;
const A4_LINES = Math.round((297 / 25.4) * DPI_Y);

/** The scale of a w×h pt page on the fax line and the lines it takes. */
export function faxFit(w: number, h: number): { k: number; lines: number } {
  const k = Math.min(1, LINE / DPI_X / (w / 72), A4_LINES / DPI_Y / (h / 72));
  return { k, lines: Math.min(A4_LINES, Math.max(1, Math.round((h / 72) * k * DPI_Y))) };
}

function getBit(r: Raster, x: number, y: number): number {
  return (r.data[y * strideOf(r.width) + (x >>> 3)] >>> (7 - (x & 7))) & 1;
}

/** The raster turned a quarter: clockwise or counter-clockwise. */
export function turn(r: Raster, clockwise: boolean): Raster {
  const out: Raster = {
    width: r.height,
    height: r.width,
    data: new Uint8Array(strideOf(r.height) * r.width),
  };
  const stride = strideOf(out.width);
  for (let y = 0; y < r.height; y++)
    for (let x = 0; x < r.width; x++) {
      if (!getBit(r, x, y)) continue;
      const nx = clockwise ? r.height - 1 - y : y;
      const ny = clockwise ? x : r.width - 1 - x;
      out.data[ny * stride + (nx >>> 3)] |= 0x80 >>> (nx & 7);
    }
  return out;
}

/** `r` on a white width×height page, centred across, at the top (clipped to the page). */
export function place(r: Raster, width: number, height: number): Raster {
  const out: Raster = { width, height, data: new Uint8Array(strideOf(width) * height) };
  const dx = Math.floor((width - r.width) / 2);
  const stride = strideOf(width);
  for (let y = 0; y < Math.min(height, r.height); y++)
    for (let x = 0; x < r.width; x++) {
      const nx = x + dx;
      if (nx >= 0 && nx < width && getBit(r, x, y)) out.data[y * stride + (nx >>> 3)] |= 0x80 >>> (nx & 7);
    }
  return out;
}

/**
 * Ghostscript's drawings of page n (1-based) of `file` that could be faxgate's page of
 * `width`×`height` pels: upright when the upright fit takes that many lines (±2), turned a
 * quarter each way when the turned fit does (both when neither does, so a wrong page length
 * still gets its content compared).
 */
export function gsPageCandidates(
  file: string,
  n: number,
  box: PageBox,
  width: number,
  height: number,
): Raster[] {
  const upright = faxFit(box.width, box.height);
  const turned = faxFit(box.height, box.width);
  const fitsUpright = Math.abs(upright.lines - height) <= 2;
  const fitsTurned = Math.abs(turned.lines - height) <= 2;
  const draw = (k: number, resX: number, resY: number) =>
    withDir((dir) => {
      const out = path.join(dir, 'p.pbm');
      tool('gs', [
        ...gsBase(dir, file),
        '-sDEVICE=pbmraw',
        `-r${(resX * k).toFixed(4)}x${(resY * k).toFixed(4)}`,
        '-dUseCropBox',
        `-dFirstPage=${n}`,
        `-dLastPage=${n}`,
        `-sOutputFile=${out}`,
        file,
      ]);
      return readPbmFile(out);
    });
  const out: Raster[] = [];
  if (fitsUpright || !fitsTurned) out.push(place(draw(upright.k, DPI_X, DPI_Y), width, height));
  if (fitsTurned || !fitsUpright) {
    // Drawn landscape with the resolutions swapped: its x becomes the fax page's y.
    const r = draw(turned.k, DPI_Y, DPI_X);
    out.push(place(turn(r, true), width, height), place(turn(r, false), width, height));
  }
  return out;
}
