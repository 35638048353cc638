// A page that is one picture (a scanner's PDF: one image, perhaps an invisible OCR text
// layer) drawn from the image's decoded pixels instead of through PDFium's page renderer.
// PDFium still decodes the image (FPDFImageObj_GetBitmap: its filters, Decode array and
// colour space, ICC profiles included); only the placing is ours, and it is the placing
// that costs: PDFium's renderer converts a 200 dpi colour JPEG to device pixels through
// intermediate bitmaps (~60 ms and ~18 MiB of wasm heap that never shrinks, per page)
// where sampling it straight into the grey page is ~10 ms and needs no memory beyond the
// decoded image. Taken only where the result is PDFium's own: upright, unrotated, opaque,
// unclipped, no annotations, nearest-neighbour sampling (the density range where pdf.ts
// asks PDFium for that too); anything else is drawn by PDFium as before.

/** The PDFium exports used here. */
export interface PdfiumImagePage {
  HEAPU8: Uint8Array;
  HEAP32: Int32Array;
  HEAPF32: Float32Array;
  _FPDFPage_GetRotation(page: number): number;
  _FPDFPage_GetAnnotCount(page: number): number;
  _FPDFPage_CountObjects(page: number): number;
  _FPDFPage_GetObject(page: number, i: number): number;
  _FPDFPage_GetMediaBox(page: number, l: number, b: number, r: number, t: number): number;
  _FPDFPage_GetCropBox(page: number, l: number, b: number, r: number, t: number): number;
  _FPDFPageObj_GetType(obj: number): number;
  _FPDFPageObj_HasTransparency(obj: number): number;
  _FPDFPageObj_GetClipPath(obj: number): number;
  _FPDFClipPath_CountPaths(clip: number): number;
  _FPDFPageObj_GetMatrix(obj: number, matrix: number): number;
  _FPDFTextObj_GetTextRenderMode(obj: number): number;
  _FPDFImageObj_GetImageMetadata(obj: number, page: number, meta: number): number;
  _FPDFImageObj_GetBitmap(obj: number): number;
  _FPDFBitmap_Destroy(bmp: number): void;
  _FPDFBitmap_GetFormat(bmp: number): number;
  _FPDFBitmap_GetWidth(bmp: number): number;
  _FPDFBitmap_GetHeight(bmp: number): number;
  _FPDFBitmap_GetStride(bmp: number): number;
  _FPDFBitmap_GetBuffer(bmp: number): number;
}

const OBJ_TEXT = 1;
const OBJ_IMAGE = 3;
const TEXT_INVISIBLE = 3;
const CS_GRAY = 1;
const CS_RGB = 2;
const CS_ICC = 7;
const FORMAT_GRAY = 1;
const FORMAT_BGR = 2;
const FORMAT_BGRX = 3;
/** Bytes of scratch this module needs: a 6-float matrix, a 4-float box, the 28-byte metadata. */
export const IMAGE_PAGE_SCRATCH = 64;

/** Where the page goes on the grey bitmap: pixels per point both ways and the left margin. */
export interface ImagePagePlace {
  sx: number;
  sy: number;
  offsetX: number;
}

/** The grey device bitmap (already white) in the wasm heap. */
export interface GreyTarget {
  buf: number;
  stride: number;
  width: number;
  height: number;
}

/**
 * False when the document may hold a picture whose mask (/SMask, /Mask) or /Interpolate
 * changes how it is drawn: PDFium's API does not say so per image (FPDFPageObj_HasTransparency
 * sees only the graphics state), so the document is searched for the key once. Image
 * dictionaries are never inside compressed object streams (streams cannot be), so the key is
 * there in plain bytes unless its name is written with # escapes.
 */
export function picturesMayBeSampled(pdf: Uint8Array): boolean {
  const b = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength);
  return b.indexOf('Mask') < 0 && b.indexOf('Interpolate') < 0;
}

/** The page's one visible object when it is an image that may be drawn here, else 0. */
function soleImage(m: PdfiumImagePage, page: number): number {
  const n = m._FPDFPage_CountObjects(page);
  if (n < 1 || n > 10_000) return 0;
  let image = 0;
  for (let i = 0; i < n; i++) {
    const o = m._FPDFPage_GetObject(page, i);
    const type = m._FPDFPageObj_GetType(o);
    if (type === OBJ_IMAGE && !image) image = o;
    else if (type !== OBJ_TEXT || m._FPDFTextObj_GetTextRenderMode(o) !== TEXT_INVISIBLE) return 0;
  }
  return image;
}

/** True when PDFium's page box is the media box (no crop box, or the same box). */
function uncropped(m: PdfiumImagePage, page: number, s: number): boolean {
  if (!m._FPDFPage_GetMediaBox(page, s, s + 4, s + 8, s + 12)) return false;
  const media = Array.from(m.HEAPF32.subarray(s >> 2, (s >> 2) + 4));
  if (!m._FPDFPage_GetCropBox(page, s, s + 4, s + 8, s + 12)) return true;
  return media.every((v, i) => Math.abs(v - m.HEAPF32[(s >> 2) + i]) < 1e-3);
}

/**
 * Draws the page when it is one picture that may be drawn here (see above) and returns true;
 * returns false, having drawn nothing, when PDFium has to draw it. `scratch` holds
 * IMAGE_PAGE_SCRATCH bytes.
 */
export function drawImagePage(
  m: PdfiumImagePage,
  page: number,
  target: GreyTarget,
  place: ImagePagePlace,
  scratch: number,
): boolean {
  if (m._FPDFPage_GetRotation(page) !== 0 || m._FPDFPage_GetAnnotCount(page) !== 0) return false;
  const image = soleImage(m, page);
  if (!image || m._FPDFPageObj_HasTransparency(image)) return false;
  const clip = m._FPDFPageObj_GetClipPath(image);
  // CountPaths says -1 for a clip path object that holds no path (none in effect).
  if (clip && m._FPDFClipPath_CountPaths(clip) > 0) return false;
  if (!uncropped(m, page, scratch)) return false;
  const f = scratch >> 2;
  const boxLeft = m.HEAPF32[f];
  const boxTop = m.HEAPF32[f + 3];
  if (!m._FPDFImageObj_GetImageMetadata(image, page, scratch + 24)) return false;
  // FPDFImageObj_GetBitmap decodes the whole picture (3 bytes a pixel): one that reaches far
  // beyond the page is left to PDFium's renderer, which decodes only what it shows.
  const pixels = (m.HEAP32[(scratch + 24) >> 2] >>> 0) * (m.HEAP32[(scratch + 28) >> 2] >>> 0);
  if (pixels > 2 * target.width * target.height) return false;
  const bpp = m.HEAP32[(scratch + 24 + 16) >> 2];
  const cs = m.HEAP32[(scratch + 24 + 20) >> 2];
  // 1-bit pictures (CCITT, JBIG2 scans) PDFium places by rules of its own: left to it.
  if (!(cs === CS_GRAY || cs === CS_RGB || cs === CS_ICC) || !(bpp === 8 || bpp === 24)) return false;
  if (!m._FPDFPageObj_GetMatrix(image, scratch)) return false;
  const [a, b, c, d, e, fy] = Array.from(m.HEAPF32.subarray(f, f + 6));
  if (b !== 0 || c !== 0 || !(a > 0) || !(d > 0)) return false;
  // The image's unit square on the device: x right, y down from the page box's top.
  const left = place.offsetX + (e - boxLeft) * place.sx;
  const top = (boxTop - (fy + d)) * place.sy;
  const width = a * place.sx;
  const height = d * place.sy;
  const bmp = m._FPDFImageObj_GetBitmap(image);
  if (!bmp) return false;
  try {
    const format = m._FPDFBitmap_GetFormat(bmp);
    if (format !== FORMAT_GRAY && format !== FORMAT_BGR && format !== FORMAT_BGRX) return false;
    const iw = m._FPDFBitmap_GetWidth(bmp);
    const ih = m._FPDFBitmap_GetHeight(bmp);
    if (iw < 1 || ih < 1) return false;
    sample(
      m.HEAPU8,
      {
        buf: m._FPDFBitmap_GetBuffer(bmp),
        stride: m._FPDFBitmap_GetStride(bmp),
        width: iw,
        height: ih,
        bytes: format === FORMAT_GRAY ? 1 : format === FORMAT_BGR ? 3 : 4,
      },
      target,
      { left, top, width, height },
    );
    return true;
  } finally {
    m._FPDFBitmap_Destroy(bmp);
  }
}

interface Source {
  buf: number;
  stride: number;
  width: number;
  height: number;
  bytes: number;
}

/**
 * Nearest-neighbour sampling of the source into the device rectangle, colour to grey as
 * PDFium's compositor does (30 % red, 59 % green, 11 % blue, truncated). A device pixel takes
 * the source pixel under its centre.
 */
function sample(
  heap: Uint8Array,
  src: Source,
  dst: GreyTarget,
  rect: { left: number; top: number; width: number; height: number },
): void {
  // PDFium stretches the image onto the whole device pixels it touches (its outer rectangle).
  const left = Math.floor(rect.left);
  const top = Math.floor(rect.top);
  const width = Math.ceil(rect.left + rect.width) - left;
  const height = Math.ceil(rect.top + rect.height) - top;
  const x0 = Math.max(0, left);
  const x1 = Math.min(dst.width, left + width);
  const y0 = Math.max(0, top);
  const y1 = Math.min(dst.height, top + height);
  if (x1 <= x0 || y1 <= y0) return;
  // The source pixel under a device pixel's centre. A centre exactly on the border of two
  // source pixels (whole-number ratios) may go to the other one in PDFium, whose float scale
  // decides such ties; elsewhere the choice is the same.
  // Byte offset in a source row of each device column on the image, and the first such column.
  const bytes = src.bytes;
  const cols = new Int32Array(x1 - x0);
  let n = 0;
  let firstCol = -1;
  for (let x = x0; x < x1; x++) {
    const u = Math.floor(((x + 0.5 - left) * src.width) / width);
    if (u < 0 || u >= src.width) continue;
    if (firstCol < 0) firstCol = x;
    cols[n++] = u * bytes;
  }
  if (n === 0) return;
  let lastRow = -1;
  let lastOut = -1;
  for (let y = y0; y < y1; y++) {
    const v = Math.floor(((y + 0.5 - top) * src.height) / height);
    if (v < 0 || v >= src.height) continue;
    const out = dst.buf + y * dst.stride + firstCol;
    if (v === lastRow) {
      heap.copyWithin(out, lastOut, lastOut + n);
      continue;
    }
    const row = src.buf + v * src.stride;
    if (bytes === 1) for (let i = 0; i < n; i++) heap[out + i] = heap[row + cols[i]];
    else
      for (let i = 0; i < n; i++) {
        const p = row + cols[i];
        // (b·11 + g·59 + r·30) / 100, truncated: × 5243 >> 19 is exact below 25,600
        heap[out + i] = ((heap[p] * 11 + heap[p + 1] * 59 + heap[p + 2] * 30) * 5243) >>> 19;
      }
    lastRow = v;
    lastOut = out;
  }
}
