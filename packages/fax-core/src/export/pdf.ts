// Fax pages as a PDF: each page one image XObject holding its T.6 (MMR) data unchanged
// behind PDF's own CCITTFaxDecode filter (ISO 32000 §7.4.6) — every PDF viewer decodes
// G4, so the file is as small as the fax and no pixel is resampled. Page size follows the
// fax resolution (204 × 98/196/391 dpi), so A4 fax pages print as A4.
import { encodePage } from '../codec/index.js';
import { type BilevelPage, LINES_PER_INCH, PELS_PER_INCH } from '../page.js';

export interface FaxPdfOptions {
  /** Document title (Info dictionary); ASCII printable only is kept. */
  title?: string;
  /** Creation date (default now). */
  createdAt?: Date;
}

function pdfString(s: string): string {
  // Literal string: escape the three specials, keep printable ASCII only.
  const clean = s.replace(/[^\x20-\x7e]/g, '?').replace(/[\\()]/g, (c) => `\\${c}`);
  return `(${clean})`;
}

function pdfDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `(D:${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z)`;
}

function points(pixels: number, perInch: number): string {
  return (Math.round(((pixels * 72) / perInch) * 100) / 100).toString();
}

export function writeFaxPdf(pages: readonly BilevelPage[], options: FaxPdfOptions = {}): Uint8Array {
  if (pages.length === 0) throw new RangeError('a PDF needs at least one page');
  const parts: Buffer[] = [];
  const offsets: number[] = [];
  let size = 0;
  const push = (b: Buffer) => {
    parts.push(b);
    size += b.length;
  };
  const object = (n: number, body: Buffer | string, stream?: Uint8Array) => {
    offsets[n] = size;
    push(Buffer.from(`${n} 0 obj\n`, 'latin1'));
    push(typeof body === 'string' ? Buffer.from(body, 'latin1') : body);
    if (stream) {
      push(Buffer.from('\nstream\n', 'latin1'));
      push(Buffer.from(stream.buffer, stream.byteOffset, stream.byteLength));
      push(Buffer.from('\nendstream', 'latin1'));
    }
    push(Buffer.from('\nendobj\n', 'latin1'));
  };

  // Objects: 1 catalog, 2 page tree, 3 info; then per page: page, content, image.
  const pageObj = (i: number) => 4 + i * 3;
  push(Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1'));
  object(1, '<< /Type /Catalog /Pages 2 0 R >>');
  const kids = pages.map((_, i) => `${pageObj(i)} 0 R`).join(' ');
  object(2, `<< /Type /Pages /Kids [${kids}] /Count ${pages.length} >>`);
  const info = [`/Producer (faxgate)`, `/CreationDate ${pdfDate(options.createdAt ?? new Date())}`];
  if (options.title) info.push(`/Title ${pdfString(options.title)}`);
  object(3, `<< ${info.join(' ')} >>`);

  pages.forEach((page, i) => {
    const n = pageObj(i);
    const w = points(page.width, PELS_PER_INCH);
    const h = points(Math.max(1, page.height), LINES_PER_INCH[page.resolution]);
    object(
      n,
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${w} ${h}] /Resources << /XObject << /Im0 ${n + 2} 0 R >> >> /Contents ${n + 1} 0 R >>`,
    );
    const content = Buffer.from(`q ${w} 0 0 ${h} 0 0 cm /Im0 Do Q`, 'latin1');
    object(n + 1, `<< /Length ${content.length} >>`, content);
    const g4 = encodePage(page, { coding: 'mmr' });
    // BlackIs1 false (the default): the filter yields 0 for black, which DeviceGray paints black.
    object(
      n + 2,
      `<< /Type /XObject /Subtype /Image /Width ${page.width} /Height ${Math.max(1, page.height)} /ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /CCITTFaxDecode /DecodeParms << /K -1 /Columns ${page.width} /Rows ${Math.max(1, page.height)} /EndOfBlock true >> /Length ${g4.length} >>`,
      g4,
    );
  });

  const count = 4 + pages.length * 3;
  const xref = size;
  const lines = ['xref', `0 ${count}`, '0000000000 65535 f '];
  for (let n = 1; n < count; n++) lines.push(`${String(offsets[n]).padStart(10, '0')} 00000 n `);
  lines.push(
    'trailer',
    `<< /Size ${count} /Root 1 0 R /Info 3 0 R >>`,
    'startxref',
    String(xref),
    '%%EOF',
    '',
  );
  push(Buffer.from(lines.join('\n'), 'latin1'));
  return Buffer.concat(parts, size);
}
