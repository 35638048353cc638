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
  wasmExports: { malloc(n: number): number; free(p: number): void };
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

/** A page sampled from its picture: its grey pixels, white where the picture is not. */
export interface PicturePage {
  /** `stride` × page height bytes in the wasm heap: read before anything else allocates there. */
  data: Uint8Array;
  stride: number;
  /** Sampled into the decoded picture's own memory (no page bitmap was needed). */
  inPlace: boolean;
  /** Frees the decoded picture (and the page's grey pixels with it). */
  release(): void;
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
 * The page's grey pixels (`size` device pixels) when it is one picture that may be sampled here
 * (see above), else null, having allocated nothing. `scratch` holds IMAGE_PAGE_SCRATCH bytes.
 */
export function samplePicturePage(
  m: PdfiumImagePage,
  page: number,
  size: { width: number; height: number },
  place: ImagePagePlace,
  scratch: number,
): PicturePage | null {
  if (m._FPDFPage_GetRotation(page) !== 0 || m._FPDFPage_GetAnnotCount(page) !== 0) return null;
  const image = soleImage(m, page);
  if (!image || m._FPDFPageObj_HasTransparency(image)) return null;
  const clip = m._FPDFPageObj_GetClipPath(image);
  // CountPaths says -1 for a clip path object that holds no path (none in effect).
  if (clip && m._FPDFClipPath_CountPaths(clip) > 0) return null;
  if (!uncropped(m, page, scratch)) return null;
  const f = scratch >> 2;
  const boxLeft = m.HEAPF32[f];
  const boxTop = m.HEAPF32[f + 3];
  if (!m._FPDFImageObj_GetImageMetadata(image, page, scratch + 24)) return null;
  // FPDFImageObj_GetBitmap decodes the whole picture (3 bytes a pixel): one that reaches far
  // beyond the page is left to PDFium's renderer, which decodes only what it shows.
  const pixels = (m.HEAP32[(scratch + 24) >> 2] >>> 0) * (m.HEAP32[(scratch + 28) >> 2] >>> 0);
  if (pixels > 2 * size.width * size.height) return null;
  const bpp = m.HEAP32[(scratch + 24 + 16) >> 2];
  const cs = m.HEAP32[(scratch + 24 + 20) >> 2];
  // 1-bit pictures (CCITT, JBIG2 scans) PDFium places by rules of its own: left to it.
  if (!(cs === CS_GRAY || cs === CS_RGB || cs === CS_ICC) || !(bpp === 8 || bpp === 24)) return null;
  if (!m._FPDFPageObj_GetMatrix(image, scratch)) return null;
  const [a, b, c, d, e, fy] = Array.from(m.HEAPF32.subarray(f, f + 6));
  if (b !== 0 || c !== 0 || !(a > 0) || !(d > 0)) return null;
  const bmp = m._FPDFImageObj_GetBitmap(image);
  if (!bmp) return null;
  let grey = 0;
  const release = () => {
    m._FPDFBitmap_Destroy(bmp);
    if (grey) m.wasmExports.free(grey);
  };
  try {
    const format = m._FPDFBitmap_GetFormat(bmp);
    const iw = m._FPDFBitmap_GetWidth(bmp);
    const ih = m._FPDFBitmap_GetHeight(bmp);
    if ((format !== FORMAT_GRAY && format !== FORMAT_BGR && format !== FORMAT_BGRX) || iw < 1 || ih < 1) {
      release();
      return null;
    }
    const src: Source = {
      buf: m._FPDFBitmap_GetBuffer(bmp),
      stride: m._FPDFBitmap_GetStride(bmp),
      width: iw,
      height: ih,
      bytes: format === FORMAT_GRAY ? 1 : format === FORMAT_BGR ? 3 : 4,
    };
    // The picture's unit square on the device: x right, y down from the page box's top.
    const map = mapping(src, size, {
      left: place.offsetX + (e - boxLeft) * place.sx,
      top: (boxTop - (fy + d)) * place.sy,
      width: a * place.sx,
      height: d * place.sy,
    });
    let base = inPlaceBase(src, size, map);
    if (base < 0) {
      grey = m.wasmExports.malloc(size.width * size.height);
      if (!grey) {
        release();
        return null;
      }
      base = grey;
      m.HEAPU8.fill(255, base, base + size.width * size.height);
    }
    const heap = m.HEAPU8; // read after the allocation: the heap may have grown
    if (grey) sampleForward(heap, src, base, size, map);
    else sampleInPlace(heap, src, base, size, map);
    return {
      data: heap.subarray(base, base + size.width * size.height),
      stride: size.width,
      inPlace: !grey,
      release,
    };
  } catch (err) {
    release();
    throw err;
  }
}

interface Source {
  buf: number;
  stride: number;
  width: number;
  height: number;
  bytes: number;
}

/** Which source pixel each device pixel of the picture takes. */
interface Mapping {
  /** Device rows y0..y1 − 1 meet the picture; rowOf(y) < 0 where none of its rows is under y. */
  y0: number;
  y1: number;
  rowOf(y: number): number;
  /** Device columns firstCol..firstCol + n − 1 take the source bytes at `cols` in a row. */
  firstCol: number;
  n: number;
  cols: Int32Array;
}

/**
 * Nearest-neighbour sampling as PDFium's stretcher does it: the picture is stretched onto the
 * whole device pixels it touches (its outer rectangle) and a device pixel takes the source
 * pixel under its centre. A centre exactly on the border of two source pixels (whole-number
 * ratios) may go to the other one in PDFium, whose float scale decides such ties; elsewhere
 * the choice is the same.
 */
function mapping(
  src: Source,
  size: { width: number; height: number },
  rect: { left: number; top: number; width: number; height: number },
): Mapping {
  const left = Math.floor(rect.left);
  const top = Math.floor(rect.top);
  const width = Math.ceil(rect.left + rect.width) - left;
  const height = Math.ceil(rect.top + rect.height) - top;
  const x0 = Math.max(0, left);
  const x1 = Math.min(size.width, left + width);
  const cols = new Int32Array(Math.max(0, x1 - x0));
  let n = 0;
  let firstCol = 0;
  for (let x = x0; x < x1; x++) {
    const u = Math.floor(((x + 0.5 - left) * src.width) / width);
    if (u < 0 || u >= src.width) continue;
    if (n === 0) firstCol = x;
    cols[n++] = u * src.bytes;
  }
  return {
    y0: Math.max(0, top),
    y1: Math.min(size.height, top + height),
    rowOf: (y) => {
      const v = Math.floor(((y + 0.5 - top) * src.height) / height);
      return v >= 0 && v < src.height && n > 0 ? v : -1;
    },
    firstCol,
    n,
    cols,
  };
}

/**
 * Where the page's grey pixels can go inside the decoded picture's own buffer — its last
 * width × height bytes — when, filled from the bottom row up, no row written covers source
 * bytes still to be read; else −1. A colour picture at scan density (3 bytes a source pixel
 * against 1 a device pixel) nearly always fits; grey and small pictures do not.
 */
function inPlaceBase(src: Source, size: { width: number; height: number }, map: Mapping): number {
  if (src.bytes < 3) return -1;
  const base = src.buf + src.stride * src.height - size.width * size.height;
  if (base < src.buf) return -1;
  // Row y is written at base + y·width once rows y + 1… are done; what is still to be read
  // then is the source rows above its own (already read): they end by v·stride.
  for (let y = map.y0; y < map.y1; y++) {
    const v = map.rowOf(y);
    if (v >= 0 && base + y * size.width < src.buf + v * src.stride) return -1;
  }
  return base;
}

/** (b·11 + g·59 + r·30) / 100, truncated, as PDFium's compositor: × 5243 >> 19 is exact below 25,600. */
function greyRow(heap: Uint8Array, row: number, map: Mapping, out: Uint8Array, at: number): void {
  const { cols, n } = map;
  for (let i = 0; i < n; i++) {
    const p = row + cols[i];
    out[at + i] = ((heap[p] * 11 + heap[p + 1] * 59 + heap[p + 2] * 30) * 5243) >>> 19;
  }
}

/** Samples into a separate white page at `base`, top to bottom. */
function sampleForward(
  heap: Uint8Array,
  src: Source,
  base: number,
  size: { width: number; height: number },
  map: Mapping,
): void {
  let lastRow = -1;
  let lastOut = -1;
  for (let y = map.y0; y < map.y1; y++) {
    const v = map.rowOf(y);
    if (v < 0) continue;
    const out = base + y * size.width + map.firstCol;
    if (v === lastRow) {
      heap.copyWithin(out, lastOut, lastOut + map.n);
      continue;
    }
    const row = src.buf + v * src.stride;
    if (src.bytes === 1) for (let i = 0; i < map.n; i++) heap[out + i] = heap[row + map.cols[i]];
    else greyRow(heap, row, map, heap, out);
    lastRow = v;
    lastOut = out;
  }
}

/**
 * Samples into the picture's own buffer at `base` (see inPlaceBase): picture rows from the
 * bottom up, each made whole in a row of its own first (white beside the picture), then the
 * rows the picture does not reach, white, once nothing is left to read.
 */
function sampleInPlace(
  heap: Uint8Array,
  src: Source,
  base: number,
  size: { width: number; height: number },
  map: Mapping,
): void {
  const w = size.width;
  const line = new Uint8Array(w);
  const written = new Uint8Array(size.height);
  let lastRow = -1;
  for (let y = map.y1 - 1; y >= map.y0; y--) {
    const v = map.rowOf(y);
    if (v < 0) continue;
    if (v === lastRow) heap.copyWithin(base + y * w, base + (y + 1) * w, base + (y + 2) * w);
    else {
      line.fill(255);
      greyRow(heap, src.buf + v * src.stride, map, line, map.firstCol);
      heap.set(line, base + y * w);
      lastRow = v;
    }
    written[y] = 1;
  }
  for (let y = 0; y < size.height; y++) if (!written[y]) heap.fill(255, base + y * w, base + (y + 1) * w);
}
