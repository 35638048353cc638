// PDF → fax pages with PDFium compiled to WebAssembly (@hyzyla/pdfium). Runs only inside a
// render worker process. The page is drawn straight into an 8-bit grey bitmap at the fax's
// non-square pixel size (one matrix: 204/72 across, 98|196|391/72 down), then thresholded
// or dithered; a page that is one scanned picture is sampled from the decoded picture instead
// (pdf-image-page.ts: the same grey bytes, in less time and memory). Before a page is drawn,
// every image it uses (also inside form XObjects) is sized from its dictionary, so a
// decompression bomb is refused before it is decoded.
import { PDFiumLibrary } from '@hyzyla/pdfium';
import { type BilevelPage, createPage, type VerticalResolution } from '../page.js';
import { greyToBilevel } from './bilevel.js';
import { checkPageCount, DocumentError, RenderLimitError } from './errors.js';
import { faxGeometry, fitPage } from './geometry.js';
import { turnsLandscape } from './orientation.js';
import { closeForms, drawForms, type FormFill, openForms, type PdfiumForms } from './pdf-forms.js';
import {
  IMAGE_PAGE_SCRATCH,
  type PdfiumImagePage,
  picturesMayBeSampled,
  samplePicturePage,
} from './pdf-image-page.js';
import { repairedPdfDamage } from './pdf-open.js';
import type { DitherMode, RenderLimits } from './types.js';

/** The PDFium exports we call (the wrapper types only a few of them). */
interface Pdfium extends PdfiumForms, PdfiumImagePage {
  HEAPU8: Uint8Array;
  HEAP32: Int32Array;
  wasmExports: { malloc(n: number): number; free(p: number): void };
  _FPDF_LoadMemDocument(data: number, size: number, password: number): number;
  _FPDF_CloseDocument(doc: number): void;
  _FPDF_GetLastError(): number;
  _FPDF_GetPageCount(doc: number): number;
  _FPDF_DocumentHasValidCrossReferenceTable(doc: number): number;
  _FPDF_LoadPage(doc: number, i: number): number;
  _FPDF_ClosePage(page: number): void;
  _FPDF_GetPageWidthF(page: number): number;
  _FPDF_GetPageHeightF(page: number): number;
  _FPDFPage_CountObjects(page: number): number;
  _FPDFPage_GetObject(page: number, i: number): number;
  _FPDFPageObj_GetType(obj: number): number;
  _FPDFFormObj_CountObjects(obj: number): number;
  _FPDFFormObj_GetObject(obj: number, i: number): number;
  _FPDFImageObj_GetImagePixelSize(obj: number, w: number, h: number): number;
  _FPDFPageObj_GetMatrix(obj: number, matrix: number): number;
  _FPDFBitmap_CreateEx(w: number, h: number, format: number, buf: number, stride: number): number;
  _FPDFBitmap_Destroy(bmp: number): void;
  _FPDFBitmap_FillRect(bmp: number, l: number, t: number, w: number, h: number, color: number): void;
  _FPDFBitmap_GetBuffer(bmp: number): number;
  _FPDFBitmap_GetStride(bmp: number): number;
  _FPDF_RenderPageBitmapWithMatrix(
    bmp: number,
    page: number,
    matrix: number,
    clip: number,
    flags: number,
  ): void;
}

const FPDF_ERR_PASSWORD = 4;
const FPDF_ERR_SECURITY = 5;
const BITMAP_GRAY = 1;
const OBJ_IMAGE = 3;
const OBJ_FORM = 5;
const RENDER_ANNOT = 0x01;
const NO_SMOOTHTEXT = 0x1000;
const NO_SMOOTHIMAGE = 0x2000;
const NO_SMOOTHPATH = 0x4000;
/**
 * Images drawn at 0.8–1.25 of their own pixel density (a 200 dpi scan on a fine fax page)
 * lose nothing to nearest-neighbour sampling; PDFium's smooth resampling costs a third of
 * such a page's drawing time.
 */
const SHARP_SCALE = [0.8, 1.25] as const;

let lib: Promise<Pdfium> | null = null;

export function pdfium(): Promise<Pdfium> {
  lib ??= PDFiumLibrary.init().then((l) => (l as unknown as { module: Pdfium }).module);
  return lib;
}

/** Bytes of wasm memory PDFium holds (it only grows). */
export async function pdfiumHeapBytes(): Promise<number> {
  return lib ? (await lib).HEAPU8.length : 0;
}

export interface PdfRenderOptions {
  resolution: VerticalResolution;
  dither: DitherMode;
  threshold: number;
  limits: RenderLimits;
  /** Pages the job already has (a cover page) that count towards the page limit. */
  extraPages: number;
  /** Turn landscape pages too wide for the fax line a quarter left so they fill the portrait page. */
  rotateLandscape: boolean;
  /** Called after each page, so the worker can check its memory between pages. */
  onPage?: (index: number) => void;
  /**
   * Takes each page as soon as it is drawn (with the document's page count) instead of
   * collecting them: the caller codes it and lets it go, so a long document does not hold
   * all its bitmaps (~0.5 MB each) until the end. renderPdf then returns no pages.
   */
  emit?: (page: BilevelPage, index: number, count: number) => void;
  /**
   * Called once PDFium holds its own copy of the document and `bytes` is read no more: the
   * caller may let its copy go (a render worker frees a scan PDF's megabytes before drawing).
   */
  onInputCopied?: () => void;
}

interface PageImages {
  px: number;
  max: number;
  walked: number;
  /** Image pixels per point across and down of each image on the page itself (none in forms), axis-aligned. */
  density: number[];
  /** An image inside a form XObject, turned or sheared: its density is not known here. */
  other: boolean;
}

/** Sums the pixels of the images a page draws, without decoding them. */
function imagePixels(
  m: Pdfium,
  objs: { count(): number; get(i: number): number },
  out: PageImages,
  depth: number,
  wh: number,
): void {
  const n = objs.count();
  for (let i = 0; i < n; i++) {
    if (++out.walked > 200_000) return; // enough looking; the time limit guards the rest
    const o = objs.get(i);
    const type = m._FPDFPageObj_GetType(o);
    if (type === OBJ_IMAGE) {
      if (m._FPDFImageObj_GetImagePixelSize(o, wh, wh + 4)) {
        const w = m.HEAP32[wh >> 2] >>> 0;
        const h = m.HEAP32[(wh >> 2) + 1] >>> 0;
        out.max = Math.max(out.max, w * h);
        out.px += w * h;
        // The image's matrix maps its unit square to points: a, d are its size when b, c are 0.
        const f = new Float32Array(m.HEAPU8.buffer, wh + 8, 6);
        if (depth === 0 && m._FPDFPageObj_GetMatrix(o, wh + 8) && f[1] === 0 && f[2] === 0 && f[0] && f[3])
          out.density.push(w / Math.abs(f[0]), h / Math.abs(f[3]));
        else out.other = true;
      }
    } else if (type === OBJ_FORM && depth < 12) {
      imagePixels(
        m,
        { count: () => m._FPDFFormObj_CountObjects(o), get: (k) => m._FPDFFormObj_GetObject(o, k) },
        out,
        depth + 1,
        wh,
      );
    }
  }
}

export async function renderPdf(bytes: Uint8Array, opts: PdfRenderOptions): Promise<BilevelPage[]> {
  const m = await pdfium();
  const g = faxGeometry(opts.resolution);
  const data = m.wasmExports.malloc(bytes.length);
  if (!data)
    throw new RenderLimitError('memory', opts.limits.memoryBytes, bytes.length, 'no memory for the PDF');
  m.HEAPU8.set(bytes, data);
  // matrix (6 floats), clip (4 floats), w/h ints, image matrix (6 floats); then samplePicturePage's
  const scratch = m.wasmExports.malloc(96 + IMAGE_PAGE_SCRATCH);
  let doc = 0;
  let forms: FormFill | null = null;
  let bmp = 0;
  let bmpHeight = 0;
  try {
    doc = m._FPDF_LoadMemDocument(data, bytes.length, 0);
    if (!doc) {
      const err = m._FPDF_GetLastError();
      if (err === FPDF_ERR_PASSWORD || err === FPDF_ERR_SECURITY)
        throw new DocumentError(
          'encrypted',
          'PDF is encrypted (password-protected); send it without a password',
        );
      throw new DocumentError(
        'corrupt',
        `PDF cannot be read: damaged or cut off, and its structure cannot be rebuilt (PDFium error ${err})`,
      );
    }
    const count = m._FPDF_GetPageCount(doc);
    // PDFium rebuilt a missing or wrong xref from the objects it found; what it opened is
    // sent only when nothing is cut off (never a silently shortened document).
    if (!m._FPDF_DocumentHasValidCrossReferenceTable(doc)) {
      const damage = repairedPdfDamage(bytes, Math.max(0, count));
      if (damage) throw new DocumentError('corrupt', damage);
    }
    if (count <= 0) throw new DocumentError('empty', 'PDF has no pages');
    checkPageCount(count, opts.limits.pages, opts.extraPages, 'PDF');
    forms = openForms(m, doc);
    const pictures = picturesMayBeSampled(bytes);
    // From here on only PDFium's copy is read.
    opts.onInputCopied?.();
    const pages: BilevelPage[] = [];
    // Annotations (filled forms, stamps) are part of what the sender sees, so they are drawn.
    // Threshold and halftone: text and paths without anti-aliasing (crisp 1-bit edges, 1.6× faster);
    // images keep smooth resampling so scans at 300–600 dpi shrink by area, not by dropping
    // pixels. No FPDF_PRINTING: it costs 50 % more time on text pages for no visible gain.
    const aliased = opts.dither === 'none' || opts.dither === 'halftone';
    const flags = RENDER_ANNOT | (aliased ? NO_SMOOTHTEXT | NO_SMOOTHPATH : 0);

    for (let i = 0; i < count; i++) {
      const page = m._FPDF_LoadPage(doc, i);
      if (!page) throw new DocumentError('corrupt', `PDF page ${i + 1} cannot be read`);
      try {
        const seen: PageImages = { px: 0, max: 0, walked: 0, density: [], other: false };
        imagePixels(
          m,
          { count: () => m._FPDFPage_CountObjects(page), get: (k) => m._FPDFPage_GetObject(page, k) },
          seen,
          0,
          scratch + 40,
        );
        if (seen.max > opts.limits.pixels || seen.px > 4 * opts.limits.pixels)
          throw new RenderLimitError(
            'pixels',
            opts.limits.pixels,
            seen.max,
            `PDF page ${i + 1} has an image of ${seen.max} pixels (limit ${opts.limits.pixels})`,
          );
        const wPt = m._FPDF_GetPageWidthF(page);
        const hPt = m._FPDF_GetPageHeightF(page);
        if (!(wPt > 0 && hPt > 0)) throw new DocumentError('corrupt', `PDF page ${i + 1} has no size`);
        // A landscape page too wide for the line is turned a quarter to the left (its top
        // to the paper's left edge), as printer drivers do, instead of shrinking to 70 %.
        const turn = opts.rotateLandscape && turnsLandscape(wPt / 72, hPt / 72, g);
        const fit = turn ? fitPage(hPt / 72, wPt / 72, g) : fitPage(wPt / 72, hPt / 72, g);
        // Fax pixels per point, both ways (a turned page swaps them; either way within the range).
        const lo = Math.min(fit.scaleX, fit.scaleY) / 72;
        const hi = Math.max(fit.scaleX, fit.scaleY) / 72;
        const sharp =
          !seen.other &&
          seen.density.length > 0 &&
          seen.density.every((d) => d >= SHARP_SCALE[0] * hi && d <= SHARP_SCALE[1] * lo);
        const sx = fit.scaleX / 72;
        const sy = fit.scaleY / 72;
        const out = createPage(g.width, fit.pageHeight, opts.resolution);
        // A scanned page (one picture) is sampled from its decoded picture where that gives what
        // PDFium would draw, needing no page bitmap; everything else is drawn by PDFium.
        const picture =
          pictures && sharp && !turn
            ? samplePicturePage(
                m,
                page,
                { width: g.width, height: fit.pageHeight },
                { sx, sy, offsetX: fit.offsetX },
                scratch + 96,
              )
            : null;
        if (picture) {
          try {
            greyToBilevel(
              { data: picture.data, width: g.width, height: fit.pageHeight, stride: picture.stride },
              out,
              0,
              0,
              opts.dither,
              opts.threshold,
            );
          } finally {
            picture.release();
          }
        } else {
          if (!bmp || bmpHeight !== fit.pageHeight) {
            if (bmp) m._FPDFBitmap_Destroy(bmp);
            bmp = m._FPDFBitmap_CreateEx(g.width, fit.pageHeight, BITMAP_GRAY, 0, 0);
            bmpHeight = fit.pageHeight;
            if (!bmp)
              throw new RenderLimitError(
                'memory',
                opts.limits.memoryBytes,
                undefined,
                'no memory for the page bitmap',
              );
          }
          m._FPDFBitmap_FillRect(bmp, 0, 0, g.width, fit.pageHeight, 0xffffffff);
          const f = new Float32Array(m.HEAPU8.buffer, scratch, 10);
          // PDFium applies this after its display matrix (points, y down, page /Rotate done).
          const m6 = turn
            ? [0, -sy, sx, 0, fit.offsetX, Math.trunc(wPt) * sy]
            : [sx, 0, 0, sy, fit.offsetX, 0];
          f.set([...m6, 0, 0, g.width, fit.pageHeight]);
          m._FPDF_RenderPageBitmapWithMatrix(
            bmp,
            page,
            scratch,
            scratch + 24,
            flags | (sharp ? NO_SMOOTHIMAGE : 0),
          );
          // Form fields over it, on the same place: the page box after the matrix above.
          drawForms(
            m,
            forms,
            page,
            bmp,
            turn
              ? {
                  x: fit.offsetX,
                  y: Math.round((Math.trunc(wPt) - wPt) * sy),
                  width: Math.round(hPt * sx),
                  height: Math.round(wPt * sy),
                  rotate: 3,
                }
              : {
                  x: fit.offsetX,
                  y: 0,
                  width: Math.round(wPt * sx),
                  height: Math.round(hPt * sy),
                  rotate: 0,
                },
            flags & ~RENDER_ANNOT,
          );
          const buf = m._FPDFBitmap_GetBuffer(bmp);
          const stride = m._FPDFBitmap_GetStride(bmp);
          greyToBilevel(
            {
              data: m.HEAPU8.subarray(buf, buf + stride * fit.pageHeight),
              width: g.width,
              height: fit.pageHeight,
              stride,
            },
            out,
            0,
            0,
            opts.dither,
            opts.threshold,
          );
        }
        if (opts.emit) opts.emit(out, i, count);
        else pages.push(out);
      } finally {
        m._FPDF_ClosePage(page);
      }
      opts.onPage?.(i);
    }
    return pages;
  } finally {
    if (bmp) m._FPDFBitmap_Destroy(bmp);
    closeForms(m, forms);
    if (doc) m._FPDF_CloseDocument(doc);
    m.wasmExports.free(scratch);
    m.wasmExports.free(data);
  }
}
