// The demo's documents as small PDFs written here (no third-party file in the repository):
// A4 pages with text in the standard Helvetica font and a few filled shapes, so the sandboxed
// render pool draws real text and lines into fax pages.

export interface PdfPage {
  /** Lines of text from the top; a line starting with "# " is a heading. */
  lines: string[];
  /** Filled rectangles [x, y, width, height] in points from the bottom left. */
  boxes?: Array<[number, number, number, number]>;
}

/** Literal PDF string: printable ASCII, the three specials escaped. */
function pdfText(s: string): string {
  return `(${s.replace(/[^\x20-\x7e]/g, '?').replace(/[\\()]/g, (c) => `\\${c}`)})`;
}

function content(page: PdfPage): string {
  const ops: string[] = ['0 g'];
  for (const [x, y, w, h] of page.boxes ?? []) ops.push(`${x} ${y} ${w} ${h} re f`);
  let y = 770;
  for (const line of page.lines) {
    const heading = line.startsWith('# ');
    const size = heading ? 26 : 14;
    ops.push(`BT /F1 ${size} Tf 72 ${y} Td ${pdfText(heading ? line.slice(2) : line)} Tj ET`);
    y -= heading ? 40 : 22;
  }
  return ops.join('\n');
}

/** A PDF 1.4 file: catalog, page tree, one font, then a page and its content stream per page. */
export function writeTextPdf(pages: readonly PdfPage[]): Uint8Array {
  if (pages.length === 0) throw new RangeError('a PDF needs at least one page');
  const objects: string[] = [];
  const kids = pages.map((_, i) => `${4 + 2 * i} 0 R`).join(' ');
  objects.push('<< /Type /Catalog /Pages 2 0 R >>');
  objects.push(`<< /Type /Pages /Kids [${kids}] /Count ${pages.length} >>`);
  objects.push('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
  pages.forEach((page, i) => {
    objects.push(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents ${5 + 2 * i} 0 R >>`,
    );
    const stream = content(page);
    objects.push(`<< /Length ${Buffer.byteLength(stream, 'latin1')} >>\nstream\n${stream}\nendstream`);
  });
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/** The two pages the demo user sends. */
export function samplePdf(): Uint8Array {
  return writeTextPdf([
    {
      lines: [
        '# faxgate demo: a PDF sent by fax',
        '',
        'This page was written as a PDF by the demo, rendered into fax pages',
        'by the sandboxed render pool (PDFium), stored in PostgreSQL and sent',
        'through the lockdown guard over the rcapi transport to a simulated',
        'remote fax machine (capi-sim).',
        '',
        'Page 1 of 2',
      ],
      boxes: [
        [72, 560, 451, 3],
        [72, 420, 140, 120],
        [232, 420, 140, 60],
        [392, 420, 131, 90],
      ],
    },
    {
      lines: ['# Page 2 of 2', '', 'A grid, so the pages can be told apart.'],
      boxes: [
        ...Array.from({ length: 9 }, (_, i): [number, number, number, number] => [72 + i * 55, 200, 2, 442]),
        ...Array.from({ length: 9 }, (_, i): [number, number, number, number] => [72, 200 + i * 55, 442, 2]),
      ],
    },
  ]);
}

/** The one page the simulated remote fax sends in. */
export function incomingPdf(from: string): Uint8Array {
  return writeTextPdf([
    {
      lines: [
        '# Order form',
        '',
        `From the simulated fax machine ${from}.`,
        'faxgate received it on one of its B channels, routed it by the',
        "called number and stored it in the demo user's mailbox.",
      ],
      boxes: [[72, 500, 451, 2]],
    },
  ]);
}
