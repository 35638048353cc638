// Documents a remote fax sender transmits: pages as they are, or a file (SFF, TIFF or PBM,
// told apart by content) read through fax-core.
import { readFile } from 'node:fs/promises';
import { type BilevelPage, isSff, isTiff, readPbm, readSff, readTiff } from '@faxgate/fax-core';

export type DocumentInput = readonly BilevelPage[] | Uint8Array | { file: string };

/** Largest file a simulated sender reads (a hostile path must not exhaust memory). */
const MAX_FILE = 64 * 1024 * 1024;

export class DocumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DocumentError';
  }
}

export function pagesFromBytes(bytes: Uint8Array): BilevelPage[] {
  if (isSff(bytes)) return readSff(bytes).pages.map((p) => p.page);
  if (isTiff(bytes)) return readTiff(bytes).pages.map((p) => p.page);
  if (bytes.length >= 2 && bytes[0] === 0x50 && (bytes[1] === 0x34 || bytes[1] === 0x31))
    return readPbm(bytes).pages;
  throw new DocumentError('the document is neither SFF, TIFF nor PBM');
}

export async function loadDocument(doc: DocumentInput): Promise<BilevelPage[]> {
  let pages: BilevelPage[];
  if (doc instanceof Uint8Array) pages = pagesFromBytes(doc);
  else if (Array.isArray(doc)) pages = [...(doc as BilevelPage[])];
  else {
    const file = (doc as { file: string }).file;
    const bytes = await readFile(file);
    if (bytes.length > MAX_FILE) throw new DocumentError(`${file}: larger than ${MAX_FILE} bytes`);
    pages = pagesFromBytes(bytes);
  }
  if (pages.length === 0) throw new DocumentError('the document has no pages');
  return pages;
}
