// A page that is one picture is sampled by samplePicturePage exactly as PDFium draws it (same grey
// bytes, nearest-neighbour), and every page it cannot draw as PDFium would is left to PDFium.
import {
  concatTransformationMatrix,
  drawObject,
  PDFDocument,
  PDFName,
  type PDFPage,
  popGraphicsState,
  pushGraphicsState,
  rgb,
  setTextRenderingMode,
  TextRenderingMode,
} from 'pdf-lib';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { faxGeometry, fitPage } from './geometry.js';
import { pdfium } from './pdf.js';
import { IMAGE_PAGE_SCRATCH, picturesMayBeSampled, samplePicturePage } from './pdf-image-page.js';

type Module = Awaited<ReturnType<typeof pdfium>>;
let m: Module;
beforeAll(async () => {
  m = await pdfium();
});

const A4: [number, number] = [595.28, 841.89];
const NO_SMOOTH = 0x01 | 0x1000 | 0x2000 | 0x4000;

/** An RGB test picture: a gradient with coloured bars and a noisy corner. */
async function picture(w: number, h: number, format: 'jpeg' | 'png' | 'grey-jpeg'): Promise<Buffer> {
  const px = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      const bar = Math.floor((x * 6) / w);
      px[i] = bar === 1 ? 220 : (x * 255) / w;
      px[i + 1] = bar === 3 ? 40 : (y * 255) / h;
      px[i + 2] = bar === 5 ? 200 : ((x + y) * 97) & 255;
    }
  const s = sharp(px, { raw: { width: w, height: h, channels: 3 } });
  if (format === 'png') return s.png().toBuffer();
  if (format === 'grey-jpeg') return s.greyscale().jpeg({ quality: 80 }).toBuffer();
  return s.jpeg({ quality: 80 }).toBuffer();
}

/** An image XObject of raw samples (no filter), drawn with the matrix [a 0 0 d e f]. */
function rawImage(
  doc: PDFDocument,
  page: PDFPage,
  samples: Uint8Array,
  dict: Record<string, unknown>,
  matrix: [number, number, number, number, number, number],
): void {
  const ref = doc.context.register(
    doc.context.stream(samples, { Type: 'XObject', Subtype: 'Image', ...dict }),
  );
  const name = page.node.newXObject('Raw', ref);
  page.pushOperators(
    pushGraphicsState(),
    concatTransformationMatrix(...matrix),
    drawObject(name),
    popGraphicsState(),
  );
}

/** A page with nothing but one picture of raw samples. */
async function rawOnly(
  samples: Uint8Array,
  dict: Record<string, unknown>,
  matrix: [number, number, number, number, number, number],
): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  rawImage(doc, doc.addPage(A4), samples, dict, matrix);
  return doc.save();
}

interface Compared {
  taken: boolean;
  /** Sampled into the decoded picture's own buffer (no page bitmap). */
  inPlace: boolean;
  differing: number;
  maxDiff: number;
  inked: number;
}

/** Draws page 1 both ways on the fax's grey bitmap and counts the bytes that differ. */
function compare(bytes: Uint8Array, resolution: 'fine' | 'standard' = 'fine'): Compared {
  const data = m.wasmExports.malloc(bytes.length);
  m.HEAPU8.set(bytes, data);
  const scratch = m.wasmExports.malloc(40 + IMAGE_PAGE_SCRATCH);
  const doc = m._FPDF_LoadMemDocument(data, bytes.length, 0);
  expect(doc).not.toBe(0);
  const page = m._FPDF_LoadPage(doc, 0);
  const g = faxGeometry(resolution);
  const fit = fitPage(m._FPDF_GetPageWidthF(page) / 72, m._FPDF_GetPageHeightF(page) / 72, g);
  const [w, h] = [g.width, fit.pageHeight];
  const theirs = m._FPDFBitmap_CreateEx(w, h, 1, 0, 0);
  try {
    m._FPDFBitmap_FillRect(theirs, 0, 0, w, h, 0xffffffff);
    const sx = fit.scaleX / 72;
    const sy = fit.scaleY / 72;
    new Float32Array(m.HEAPU8.buffer, scratch, 10).set([sx, 0, 0, sy, fit.offsetX, 0, 0, 0, w, h]);
    m._FPDF_RenderPageBitmapWithMatrix(theirs, page, scratch, scratch + 24, NO_SMOOTH);
    const picture = picturesMayBeSampled(bytes)
      ? samplePicturePage(m, page, { width: w, height: h }, { sx, sy, offsetX: fit.offsetX }, scratch + 40)
      : null;
    if (!picture) return { taken: false, inPlace: false, differing: 0, maxDiff: 0, inked: 0 };
    try {
      expect(picture.stride).toBe(w);
      const a = picture.data;
      const b = m.HEAPU8.subarray(m._FPDFBitmap_GetBuffer(theirs), m._FPDFBitmap_GetBuffer(theirs) + w * h);
      expect(a.length).toBe(b.length);
      let differing = 0;
      let maxDiff = 0;
      let inked = 0;
      for (let i = 0; i < a.length; i++) {
        if (a[i] !== b[i]) differing++;
        maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
        if (b[i] < 250) inked++;
      }
      return { taken: true, inPlace: picture.inPlace, differing, maxDiff, inked };
    } finally {
      picture.release();
    }
  } finally {
    m._FPDFBitmap_Destroy(theirs);
    m._FPDF_ClosePage(page);
    m._FPDF_CloseDocument(doc);
    m.wasmExports.free(scratch);
    m.wasmExports.free(data);
  }
}

async function onePicture(
  format: 'jpeg' | 'png' | 'grey-jpeg',
  place: { x: number; y: number; width: number; height: number; px: [number, number] },
  edit?: (doc: PDFDocument, page: PDFPage) => void | Promise<void>,
): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const page = doc.addPage(A4);
  const bytes = await picture(place.px[0], place.px[1], format);
  const img = format === 'png' ? await doc.embedPng(bytes) : await doc.embedJpg(bytes);
  page.drawImage(img, place);
  await edit?.(doc, page);
  return doc.save();
}

const FULL = { x: 0, y: 0, width: A4[0], height: A4[1], px: [1654, 2339] as [number, number] };
const PART = { x: 97.3, y: 211.7, width: 300, height: 200, px: [833, 556] as [number, number] };

describe('samplePicturePage: the same grey bytes as PDFium', () => {
  it('a full-page colour JPEG (a 200 dpi scan), fine and standard', async () => {
    const pdf = await onePicture('jpeg', FULL);
    for (const res of ['fine', 'standard'] as const) {
      const r = compare(pdf, res);
      // 3 bytes a source pixel leave room for the page inside the decoded picture
      expect(r).toMatchObject({ taken: true, inPlace: true, differing: 0 });
      expect(r.inked).toBeGreaterThan(100_000);
    }
  });

  it('a grey JPEG placed off the page corner at fractional points', async () => {
    const r = compare(await onePicture('grey-jpeg', PART));
    expect(r).toMatchObject({ taken: true, inPlace: false, differing: 0 }); // a page of its own
    expect(r.inked).toBeGreaterThan(10_000);
  });

  it('a Flate-coded RGB picture (PNG)', async () => {
    const r = compare(await onePicture('png', PART));
    expect(r).toMatchObject({ taken: true, inPlace: false, differing: 0 }); // too small to hold the page
  });

  it('a scan a little larger than the page, cut at all four edges', async () => {
    const over = { x: -20.5, y: -15.25, width: 612, height: 864, px: [1700, 2400] as [number, number] };
    const r = compare(await onePicture('jpeg', over));
    expect(r).toMatchObject({ taken: true, inPlace: true, differing: 0 });
    expect(r.inked).toBeGreaterThan(100_000);
  });

  it('a scan with an invisible OCR text layer', async () => {
    const pdf = await onePicture('jpeg', FULL, (_doc, page) => {
      page.pushOperators(setTextRenderingMode(TextRenderingMode.Invisible));
      page.drawText('Recognised text of the scan', { x: 72, y: 700, size: 12 });
    });
    expect(compare(pdf)).toMatchObject({ taken: true, differing: 0 });
  });

  it('raw grey samples, as they are and inverted (Decode [1 0]); ties go either way', async () => {
    // 400 samples on 409 device pixels: some pixel centres fall exactly on a border between two
    // samples, where PDFium's float scale picks the first and the exact sum the second. Those
    // columns (a ramp without steps over 1 here, so ±1) are all that may differ.
    for (const decode of [undefined, [1, 0]]) {
      const r = compare(await rawPage({ BitsPerComponent: 8, ...(decode && { Decode: decode }) }));
      expect(r.taken).toBe(true);
      expect(r.maxDiff, `Decode ${decode}`).toBeLessThanOrEqual(1);
      expect(r.differing).toBeLessThan(0.01 * 409 * 294);
      expect(r.inked).toBeGreaterThan(5_000);
    }
  });
});

/** A page with one 400×300 DeviceGray picture of raw samples (8 or 1 bits), 144×108 pt. */
async function rawPage(dict: Record<string, unknown> & { BitsPerComponent: number }): Promise<Uint8Array> {
  const [w, h] = [400, 300];
  const doc = await PDFDocument.create();
  const page = doc.addPage(A4);
  const rowBytes = dict.BitsPerComponent === 1 ? w / 8 : w;
  const samples = new Uint8Array(rowBytes * h);
  for (let y = 0; y < h; y++)
    for (let i = 0; i < rowBytes; i++)
      samples[y * rowBytes + i] =
        dict.BitsPerComponent === 1 ? (y & 8 ? 0xf0 : 0x3c) : ((i * 3) >> 3) + (y >> 2);
  rawImage(
    doc,
    page,
    samples,
    { Width: w, Height: h, ColorSpace: 'DeviceGray', ...dict },
    [144, 0, 0, 108, 100, 500],
  );
  return doc.save();
}

describe('samplePicturePage: pages left to PDFium', () => {
  const cases: Array<[string, () => Promise<Uint8Array>]> = [
    [
      'visible text beside the picture',
      () => onePicture('jpeg', PART, (_d, page) => page.drawText('Seen', { x: 72, y: 700, size: 12 })),
    ],
    [
      'a picture and a drawn rectangle',
      () =>
        onePicture('jpeg', PART, (_d, page) =>
          page.drawRectangle({ x: 10, y: 10, width: 50, height: 50, color: rgb(0, 0, 0) }),
        ),
    ],
    [
      'two pictures',
      () =>
        onePicture('jpeg', PART, async (doc, page) => {
          const second = await doc.embedJpg(await picture(200, 100, 'jpeg'));
          page.drawImage(second, { x: 300, y: 600, width: 72, height: 36 });
        }),
    ],
    [
      'a picture with transparency (PNG alpha → SMask)',
      async () => {
        const doc = await PDFDocument.create();
        const page = doc.addPage(A4);
        const png = await sharp({
          create: { width: 200, height: 100, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0.5 } },
        })
          .png()
          .toBuffer();
        page.drawImage(await doc.embedPng(png), { x: 50, y: 50, width: 200, height: 100 });
        return doc.save();
      },
    ],
    [
      'a turned page (/Rotate 90)',
      () => onePicture('jpeg', FULL, (_d, page) => page.setRotation({ type: 'degrees', angle: 90 } as never)),
    ],
    ['a crop box', () => onePicture('jpeg', FULL, (_d, page) => page.setCropBox(20, 20, 500, 700))],
    [
      'a mirrored picture',
      () =>
        rawOnly(
          new Uint8Array(64 * 64).fill(90),
          { Width: 64, Height: 64, BitsPerComponent: 8, ColorSpace: 'DeviceGray' },
          [200, 0, 0, -200, 100, 600],
        ),
    ],
    [
      '1-bit samples (CCITT/JBIG2 scans: PDFium places them by rules of its own)',
      () => rawPage({ BitsPerComponent: 1 }),
    ],
    ['/Interpolate', () => rawPage({ BitsPerComponent: 8, Interpolate: true })],
    [
      'a stencil mask (ImageMask, painted in the fill colour)',
      () =>
        rawOnly(
          new Uint8Array(8 * 64).fill(0x0f),
          { Width: 64, Height: 64, ImageMask: true },
          [200, 0, 0, 200, 100, 400],
        ),
    ],
    [
      'a picture reaching far beyond the page (decoding it whole would cost 3 bytes a pixel)',
      async () => {
        const doc = await PDFDocument.create();
        const page = doc.addPage(A4);
        const jpeg = await sharp({
          create: { width: 3000, height: 4000, channels: 3, background: '#808080' },
        })
          .jpeg()
          .toBuffer();
        // 200 dpi like a scan, so only its extent (12 million pixels) keeps it from being taken
        page.drawImage(await doc.embedJpg(jpeg), { x: -200, y: -300, width: 1080, height: 1440 });
        return doc.save();
      },
    ],
    [
      'a CMYK picture',
      () =>
        rawOnly(
          new Uint8Array(64 * 64 * 4).fill(60),
          { Width: 64, Height: 64, BitsPerComponent: 8, ColorSpace: 'DeviceCMYK' },
          [200, 0, 0, 200, 100, 400],
        ),
    ],
  ];
  it.each(cases)('%s', async (_name, make) => {
    const pdf = await make();
    const page = await PDFDocument.load(pdf);
    expect(page.getPageCount()).toBe(1);
    expect(compare(pdf).taken).toBe(false);
  });

  it('the rotation flag is read, not assumed (a page without /Rotate is taken)', async () => {
    const pdf = await onePicture('jpeg', FULL, (_d, page) => {
      page.node.delete(PDFName.of('Rotate'));
    });
    expect(compare(pdf).taken).toBe(true);
  });
});
