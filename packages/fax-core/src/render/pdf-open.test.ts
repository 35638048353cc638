// Broken-but-common PDFs open with every page; a PDF cut off in the middle is refused,
// naming what is lost, never sent with fewer or blank pages.
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import type { BilevelPage } from '../page.js';
import { buildPdf } from '../test-support/render-fixtures.js';
import { DocumentError } from './errors.js';
import { type PdfRenderOptions, renderPdf } from './pdf.js';
import { repairedPdfDamage } from './pdf-open.js';
import { DEFAULT_LIMITS } from './types.js';

const options: PdfRenderOptions = {
  resolution: 'fine',
  dither: 'none',
  threshold: 160,
  limits: DEFAULT_LIMITS,
  extraPages: 0,
  rotateLandscape: true,
};

const ink = (p: BilevelPage) => p.data.reduce((n, v) => n + (v ? 1 : 0), 0);
const latin1 = (b: Uint8Array) => Buffer.from(b).toString('latin1');
const cat = (...parts: (Uint8Array | string)[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : p)));

/**
 * Three pages of text, catalog and page tree first, each page's content its own object
 * (objects 6–8); `pagesLast` puts the page objects after the contents (7–9).
 */
function threePages(pagesLast = false): Uint8Array {
  const content = (page: number) =>
    Buffer.from(
      Array.from(
        { length: 30 },
        (_, k) => `BT /F1 12 Tf 50 ${800 - k * 20} Td (Page ${page} line ${k}) Tj ET`,
      ).join('\n'),
    );
  const font = pagesLast ? 6 : 9;
  const pages = [1, 2, 3].map(
    (p) =>
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 ${font} 0 R >> >> /Contents ${pagesLast ? p + 2 : p + 5} 0 R >>`,
  );
  const streams = [1, 2, 3].map((p) => ({ dict: '<<', stream: content(p) }));
  const fontObj = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>';
  const kids = pagesLast ? '7 0 R 8 0 R 9 0 R' : '3 0 R 4 0 R 5 0 R';
  return buildPdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    `<< /Type /Pages /Kids [${kids}] /Count 3 >>`,
    ...(pagesLast ? [...streams, fontObj, ...pages] : [...pages, ...streams, fontObj]),
  ]);
}

async function pdfLibPages(useObjectStreams: boolean): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 0; i < 3; i++)
    doc.addPage([595, 842]).drawText(`Page ${i + 1}`, { x: 50, y: 780, size: 40, font });
  return doc.save({ useObjectStreams });
}

async function refusal(bytes: Uint8Array): Promise<DocumentError> {
  const e = await renderPdf(bytes, options).then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DocumentError);
  expect((e as DocumentError).problem).toBe('corrupt');
  return e as DocumentError;
}

async function expectAllPages(bytes: Uint8Array): Promise<void> {
  const pages = await renderPdf(bytes, options);
  expect(pages.length).toBe(3);
  for (const p of pages) expect(ink(p)).toBeGreaterThan(1000);
}

describe('damaged PDFs that PDFium repairs', () => {
  const pdf = threePages();
  const text = latin1(pdf);
  const objectAt = (n: number) => text.indexOf(`\n${n} 0 obj`) + 1;
  const trailer = text.slice(text.indexOf('trailer'), text.indexOf('startxref'));
  /** The file up to `end`, with its trailer moved to the start (as a linearized file has one there). */
  const cutAfterTrailer = (b: Uint8Array, end: number) => {
    const head = latin1(b).indexOf('\n', 10) + 1;
    return cat(b.subarray(0, head), trailer, b.subarray(head, end));
  };

  it('no %%EOF: opens with all pages', async () => {
    await expectAllPages(pdf.subarray(0, text.lastIndexOf('%%EOF')));
  });

  it('no xref table (trailer kept): opens with all pages', async () => {
    await expectAllPages(cat(pdf.subarray(0, text.indexOf('xref')), trailer));
  });

  it('xref offsets all wrong (bytes inserted before the objects): opens with all pages', async () => {
    const head = text.indexOf('\n', 10) + 1;
    await expectAllPages(cat(pdf.subarray(0, head), `%${'x'.repeat(500)}\n`, pdf.subarray(head)));
  });

  it('pdf-lib files without %%EOF, with and without object streams; without xref: open', async () => {
    for (const os of [false, true]) {
      const b = await pdfLibPages(os);
      await expectAllPages(b.subarray(0, latin1(b).lastIndexOf('%%EOF')));
    }
    const b = await pdfLibPages(false);
    await expectAllPages(b.subarray(0, latin1(b).lastIndexOf('xref')));
  });

  it('junk after %%EOF (a scanner that wrote past the end): opens', async () => {
    const junk = Buffer.from(Array.from({ length: 4000 }, (_, i) => (i * 7919) % 251));
    await expectAllPages(cat(pdf.subarray(0, text.lastIndexOf('xref')), trailer, '%%EOF\n', junk));
  });

  it('cut off inside a page content stream: refused, naming the page', async () => {
    // A trailer before the cut lets PDFium open it: page 3 would go out blank.
    const e = await refusal(cutAfterTrailer(pdf, objectAt(8) + 200));
    expect(e.message).toBe('PDF is cut off inside the content of page 3 of 3 (object 8)');
  });

  it('cut off between objects, a page content lost: refused, naming the page', async () => {
    const e = await refusal(cutAfterTrailer(pdf, objectAt(8)));
    expect(e.message).toBe('PDF is cut off: the content of page 3 of 3 (object 8) is missing');
  });

  it('cut off before a page object: refused, naming the page', async () => {
    const last = threePages(true);
    const at9 = latin1(last).indexOf('\n9 0 obj') + 1;
    const e = await refusal(cutAfterTrailer(last, at9));
    expect(e.message).toBe('PDF is cut off: page 3 of 3 (object 9) is missing');
    // cut inside it
    const e2 = await refusal(cutAfterTrailer(last, at9 + 30));
    expect(e2.message).toBe('PDF is cut off inside page 3 of 3 (object 9)');
  });

  it('cut off anywhere: never fewer pages, never a blank page where text was', async () => {
    for (const b of [pdf, threePages(true), await pdfLibPages(false), await pdfLibPages(true)]) {
      for (let cut = 200; cut < b.length - 40; cut += 97) {
        const pages = await renderPdf(cutAfterTrailer(b, cut), options).catch((e: unknown) => {
          expect(e).toBeInstanceOf(DocumentError);
          return null;
        });
        if (!pages) continue;
        expect(pages.length).toBe(3);
        for (const p of pages) expect(ink(p)).toBeGreaterThan(100);
      }
    }
  });

  it('the byte check finds nothing in a whole file, and says where an unrepaired one ends', () => {
    expect(repairedPdfDamage(pdf, 3)).toBeNull();
    expect(repairedPdfDamage(pdf.subarray(0, objectAt(9) + 20), 3)).toBe(
      `PDF is cut off inside object 9, which begins at byte ${objectAt(9)} of ${objectAt(9) + 20}`,
    );
    expect(repairedPdfDamage(pdf, 2)).toBe('PDF is damaged: its page tree lists 3 pages, only 2 can be read');
  });
});
