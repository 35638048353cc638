// Document type from content (magic bytes), never from a file name or a client's claim.
import { DocumentError, UnsupportedDocumentError } from './errors.js';

export type SourceType = 'pdf' | 'png' | 'jpeg' | 'gif' | 'tiff' | 'text';

const startsWith = (b: Uint8Array, sig: number[], at = 0): boolean =>
  b.length >= at + sig.length && sig.every((v, i) => b[at + i] === v);
const ascii = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0));

/** Well-known types we refuse, named so the sender learns what they sent. */
const REFUSED: Array<[string, (b: Uint8Array) => boolean]> = [
  ['ZIP archive (also DOCX/XLSX/ODT)', (b) => startsWith(b, [0x50, 0x4b, 0x03, 0x04])],
  ['gzip data', (b) => startsWith(b, [0x1f, 0x8b])],
  ['7-Zip archive', (b) => startsWith(b, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c])],
  ['RAR archive', (b) => startsWith(b, ascii('Rar!'))],
  ['PostScript', (b) => startsWith(b, ascii('%!'))],
  ['BMP image', (b) => startsWith(b, ascii('BM')) && b.length > 14],
  ['WebP image', (b) => startsWith(b, ascii('RIFF')) && startsWith(b, ascii('WEBP'), 8)],
  [
    'MS Office legacy document (OLE2)',
    (b) => startsWith(b, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]),
  ],
  ['RTF document', (b) => startsWith(b, ascii('{\\rtf'))],
  ['ELF executable', (b) => startsWith(b, [0x7f, 0x45, 0x4c, 0x46])],
  ['Windows executable', (b) => startsWith(b, ascii('MZ'))],
  ['SFF fax file', (b) => startsWith(b, [0x53, 0x66, 0x66, 0x66])],
  ['JBIG2 image', (b) => startsWith(b, [0x97, 0x4a, 0x42, 0x32])],
];

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Text = valid UTF-8 with no control characters other than TAB, LF, CR, FF (and a BOM). */
export function decodeText(bytes: Uint8Array): string | null {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return null;
  }
  if (/[\u0000-\u0008\u000b\u000e-\u001f\u007f]/.test(text)) return null;
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

export function detectType(bytes: Uint8Array): SourceType {
  if (bytes.length === 0) throw new DocumentError('empty', 'empty document (0 bytes)');
  // PDF readers accept the header within the first 1024 bytes.
  const head = bytes.subarray(0, 1024);
  for (let i = 0; i + 5 <= head.length; i++) {
    if (head[i] === 0x25 && startsWith(head, ascii('%PDF-'), i)) return 'pdf';
  }
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(bytes, ascii('GIF87a')) || startsWith(bytes, ascii('GIF89a'))) return 'gif';
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a]))
    return 'tiff';
  if (startsWith(bytes, [0x49, 0x49, 0x2b, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2b]))
    return 'tiff';
  for (const [name, test] of REFUSED) if (test(bytes)) throw new UnsupportedDocumentError(name, bytes);
  if (decodeText(bytes) !== null) return 'text';
  throw new UnsupportedDocumentError('binary data of unknown type', bytes);
}
