// Documents the render tests and the benchmark generate for themselves: a multi-page text
// PDF with DejaVu Sans embedded (so Ghostscript and PDFium draw the same outlines), a
// "scanned" PDF (one greyscale JPEG per page), and hostile inputs.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import zlib from 'node:zlib';
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument } from 'pdf-lib';
import sharp from 'sharp';

const require = createRequire(import.meta.url);
export const fontPath = (file: string): string => require.resolve(`dejavu-fonts-ttf/ttf/${file}`);

const WORDS =
  'fax gateway page header line sender recipient transmission document resolution ' +
  'Grundschutz Übertragung Empfänger Straße Größe invoice total amount number date ' +
  'the quick brown fox jumps over lazy dog 0123456789 ÄÖÜ äöü ß € § % & ( ) [ ] { } / \\';

function pseudoRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** A4 pages of running text in DejaVu Sans; `sizes` cycles per paragraph (points). */
export async function makeTextPdf(pages: number, sizes: number[] = [10, 8, 12]): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  const font = await doc.embedFont(fs.readFileSync(fontPath('DejaVuSans.ttf')), { subset: true });
  const words = WORDS.split(' ');
  const rnd = pseudoRandom(42);
  for (let p = 0; p < pages; p++) {
    const page = doc.addPage([595.28, 841.89]);
    let y = 800;
    let para = 0;
    page.drawText(`Page ${p + 1} of ${pages}`, { x: 56, y, size: 14, font });
    y -= 30;
    while (y > 60) {
      const size = sizes[para++ % sizes.length];
      for (let l = 0; l < 5 && y > 60; l++) {
        let line = '';
        while (true) {
          const w = words[Math.floor(rnd() * words.length)];
          const next = line ? `${line} ${w}` : w;
          if (font.widthOfTextAtSize(next, size) > 483) break;
          line = next;
        }
        page.drawText(line, { x: 56, y, size, font });
        y -= size * 1.3;
      }
      y -= size;
    }
  }
  return doc.save();
}

/** Pages that look like 200 dpi greyscale scans: text drawn into a noisy grey image, JPEG. */
export async function makeScanPdf(pages: number): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const w = 1654;
  const h = 2339; // A4 at 200 dpi
  const lines: string[] = [];
  for (let y = 150; y < h - 150; y += 42) {
    lines.push(
      `<text x="150" y="${y}" font-family="DejaVu Sans" font-size="28" fill="#202020">` +
        `Scanned line ${y}: the quick brown fox jumps over the lazy dog 0123456789</text>`,
    );
  }
  const svg = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">` +
      `<rect width="100%" height="100%" fill="#f4f4f0"/>` +
      `<rect x="1100" y="200" width="400" height="300" fill="#888"/>${lines.join('')}</svg>`,
  );
  const base = await sharp(svg).greyscale().raw().toBuffer();
  const rnd = pseudoRandom(7);
  for (let p = 0; p < pages; p++) {
    const noisy = Buffer.from(base);
    for (let i = 0; i < noisy.length; i += 7) noisy[i] = Math.max(0, noisy[i] - Math.floor(rnd() * 40));
    const jpeg = await sharp(noisy, { raw: { width: w, height: h, channels: 1 } })
      .jpeg({ quality: 75 })
      .toBuffer();
    const img = await doc.embedJpg(jpeg);
    const page = doc.addPage([595.28, 841.89]);
    page.drawImage(img, { x: 0, y: 0, width: 595.28, height: 841.89 });
  }
  return doc.save();
}

/** Many empty pages, cheap to make: the page-count limit must refuse it before rendering. */
export async function makeManyPagesPdf(pages: number): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  for (let p = 0; p < pages; p++) doc.addPage([595.28, 841.89]);
  return doc.save({ objectsPerTick: Number.POSITIVE_INFINITY });
}

function crc32(buf: Uint8Array): number {
  let c = ~0;
  for (let i = 0; i < buf.length; i++) {
    c ^= buf[i];
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function pngChunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** Deflates `total` bytes made of repetitions of `unit`, streaming (never all in memory). */
export async function deflateRepeated(unit: Buffer, total: number): Promise<Buffer> {
  const deflate = zlib.createDeflate({ level: 9 });
  const out: Buffer[] = [];
  deflate.on('data', (d: Buffer) => out.push(d));
  const done = new Promise<void>((resolve, reject) => {
    deflate.on('end', resolve);
    deflate.on('error', reject);
  });
  const reps = Math.max(1, Math.floor(4_000_000 / unit.length));
  const chunk = Buffer.concat(Array.from({ length: reps }, () => unit));
  for (let left = total; left > 0; ) {
    const n = Math.min(left, chunk.length);
    if (!deflate.write(chunk.subarray(0, n))) await new Promise((r) => deflate.once('drain', r));
    left -= n;
  }
  deflate.end();
  await done;
  return Buffer.concat(out);
}

/** A 1-bit greyscale PNG of `width`×`height`, all white; only `rows` rows are actually stored. */
export async function makeWhitePng(width: number, height: number, rows = height): Promise<Uint8Array> {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // greyscale
  const row = Buffer.alloc(1 + Math.ceil(width / 8), 0xff);
  row[0] = 0; // filter: none
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', await deflateRepeated(row, row.length * rows)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A PDF whose only page draws one Flate image XObject of `w`×`h` (1 bit, all zero) from a tiny stream. */
export async function makeImageBombPdf(w: number, h: number): Promise<Uint8Array> {
  const data = await deflateRepeated(Buffer.alloc(Math.ceil(w / 8), 0xff), Math.ceil(w / 8) * h);
  return buildPdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im1 5 0 R >> >> /Contents 4 0 R >>',
    { dict: '<<', stream: Buffer.from('q 595 0 0 842 0 0 cm /Im1 Do Q') },
    {
      dict: `<< /Type /XObject /Subtype /Image /Width ${w} /Height ${h} /ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /FlateDecode`,
      stream: data,
    },
  ]);
}

/** A PDF whose page content is a Flate stream inflating to `mb` megabytes of no-op operators. */
export async function makeContentBombPdf(mb: number): Promise<Uint8Array> {
  const data = await deflateRepeated(Buffer.from('q Q '), mb * 1048576);
  return buildPdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>',
    { dict: '<< /Filter /FlateDecode', stream: data },
  ]);
}

/** A minimal PDF with a standard-security /Encrypt dictionary (RC4, 40 bit) and a user password. */
export function makeEncryptedPdf(): Uint8Array {
  return buildPdf(
    [
      '<< /Type /Catalog /Pages 2 0 R >>',
      '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
      '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>',
      `<< /Filter /Standard /V 1 /R 2 /O <${'5a'.repeat(32)}> /U <${'3c'.repeat(32)}> /P -4 >>`,
    ],
    '/Encrypt 4 0 R /ID [<0123456789abcdef0123456789abcdef> <0123456789abcdef0123456789abcdef>]',
  );
}

type PdfObject = string | { dict: string; stream: Buffer };

/** Serialises numbered objects 1..n with a correct xref table. */
export function buildPdf(objects: PdfObject[], trailerExtra = ''): Uint8Array {
  const parts: Buffer[] = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let offset = parts[0].length;
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(offset);
    const body =
      typeof o === 'string'
        ? Buffer.from(`${i + 1} 0 obj\n${o}\nendobj\n`, 'latin1')
        : Buffer.concat([
            Buffer.from(`${i + 1} 0 obj\n${o.dict} /Length ${o.stream.length} >>\nstream\n`, 'latin1'),
            o.stream,
            Buffer.from('\nendstream\nendobj\n', 'latin1'),
          ]);
    parts.push(body);
    offset += body.length;
  });
  const xref = [`xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`];
  for (const o of offsets) xref.push(`${String(o).padStart(10, '0')} 00000 n \n`);
  xref.push(
    `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R ${trailerExtra} >>\nstartxref\n${offset}\n%%EOF\n`,
  );
  parts.push(Buffer.from(xref.join(''), 'latin1'));
  return Buffer.concat(parts);
}
