// AcroForm fields drawn as a viewer prints them. PDFium's page renderer leaves widget
// annotations out (crbug.com/pdfium/993); they are drawn by the form-fill layer
// (FPDF_FFLDraw), which needs a form-fill environment. It also builds the appearance of
// fields that have none when the form says NeedAppearances. No callbacks are given: every
// FPDF_FORMFILLINFO callback PDFium calls is checked for null first, and without a JS
// platform no form JavaScript runs. Version 1: XFA stays off (XFA-only forms draw their
// PDF fallback content, as before).

/** The PDFium exports the form layer uses. */
export interface PdfiumForms {
  HEAPU8: Uint8Array;
  wasmExports: { malloc(n: number): number; free(p: number): void };
  _FPDF_GetFormType(doc: number): number;
  _FPDFDOC_InitFormFillEnvironment(doc: number, info: number): number;
  _FPDFDOC_ExitFormFillEnvironment(form: number): void;
  _FPDF_SetFormFieldHighlightAlpha(form: number, alpha: number): void;
  _FPDF_RemoveFormFieldHighlight(form: number): void;
  _FPDFPage_GetAnnotCount(page: number): number;
  _FPDFPage_GetAnnot(page: number, i: number): number;
  _FPDFPage_CloseAnnot(annot: number): void;
  _FPDFAnnot_GetSubtype(annot: number): number;
  _FPDFAnnot_GetFlags(annot: number): number;
  _FPDFAnnot_SetFlags(annot: number, flags: number): number;
  _FORM_OnAfterLoadPage(page: number, form: number): void;
  _FORM_OnBeforeClosePage(page: number, form: number): void;
  _FPDF_FFLDraw(
    form: number,
    bmp: number,
    page: number,
    x: number,
    y: number,
    w: number,
    h: number,
    rotate: number,
    flags: number,
  ): void;
}

const ANNOT_WIDGET = 20;
const FLAG_HIDDEN = 2;
const FLAG_PRINT = 4;
const FLAG_NOVIEW = 32;

/** sizeof(FPDF_FORMFILLINFO) is 140 bytes on wasm32 at version 2; zeroed room to spare. */
const INFO_BYTES = 256;

export interface FormFill {
  readonly handle: number;
  readonly info: number;
}

/**
 * A form-fill environment for `doc`, or null when it has no form (FFLDraw draws only widgets
 * of the /AcroForm's fields) or PDFium refuses one (the page is drawn without).
 */
export function openForms(m: PdfiumForms, doc: number): FormFill | null {
  if (m._FPDF_GetFormType(doc) === 0) return null; // FORMTYPE_NONE: no /AcroForm
  const info = m.wasmExports.malloc(INFO_BYTES);
  if (!info) return null;
  m.HEAPU8.fill(0, info, info + INFO_BYTES);
  new DataView(m.HEAPU8.buffer).setInt32(info, 1, true); // version 1: no XFA
  const handle = m._FPDFDOC_InitFormFillEnvironment(doc, info);
  if (!handle) {
    m.wasmExports.free(info);
    return null;
  }
  // The printed look: no field highlight (a viewer's tint on fillable fields). PDFium
  // starts without one; said anyway, so a changed default cannot grey every field.
  m._FPDF_SetFormFieldHighlightAlpha(handle, 0);
  m._FPDF_RemoveFormFieldHighlight(handle);
  return { handle, info };
}

export function closeForms(m: PdfiumForms, f: FormFill | null): void {
  if (!f) return;
  m._FPDFDOC_ExitFormFillEnvironment(f.handle);
  m.wasmExports.free(f.info);
}

/** Where the page lands in the bitmap: its box after the turn, in pixels, and the turn. */
export interface FormRect {
  x: number;
  y: number;
  width: number;
  height: number;
  /** 0 upright, 3 a quarter to the left (counter-clockwise), as FPDF_RenderPageBitmap. */
  rotate: 0 | 3;
}

/**
 * A fax is a print: FFLDraw shows what a viewer shows (not Hidden, not NoView), a printer
 * prints what has the Print flag. So for this page's widgets (in memory only) no Print
 * flag means hidden, and NoView is dropped where Print is set (as Ghostscript prints).
 */
function printLook(m: PdfiumForms, page: number): void {
  const n = m._FPDFPage_GetAnnotCount(page);
  for (let i = 0; i < n; i++) {
    const a = m._FPDFPage_GetAnnot(page, i);
    if (!a) continue;
    try {
      if (m._FPDFAnnot_GetSubtype(a) !== ANNOT_WIDGET) continue;
      const flags = m._FPDFAnnot_GetFlags(a);
      const print = flags & FLAG_PRINT ? flags & ~FLAG_NOVIEW : flags | FLAG_HIDDEN;
      if (print !== flags) m._FPDFAnnot_SetFlags(a, print);
    } finally {
      m._FPDFPage_CloseAnnot(a);
    }
  }
}

/**
 * Draws the page's form fields over what the page renderer drew. FFLDraw takes a rectangle
 * and a turn rather than a matrix; a rectangle of independent width and height gives the
 * fax's non-square pixels.
 */
export function drawForms(
  m: PdfiumForms,
  f: FormFill | null,
  page: number,
  bmp: number,
  r: FormRect,
  flags: number,
): void {
  if (!f) return;
  printLook(m, page);
  m._FORM_OnAfterLoadPage(page, f.handle);
  try {
    m._FPDF_FFLDraw(f.handle, bmp, page, r.x, r.y, r.width, r.height, r.rotate, flags);
  } finally {
    m._FORM_OnBeforeClosePage(page, f.handle);
  }
}
