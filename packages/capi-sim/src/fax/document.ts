// Documents a remote fax sender transmits: pages as they are, or a file (SFF, TIFF, PBM or
// PDF, told apart by content) read or rendered through fax-core.
import { readFile } from 'node:fs/promises';
import { type BilevelPage, isSff, isTiff, readPbm, readSff, readTiff } from '@faxgate/fax-core';
import { SimDocumentError } from '../errors.js';

export type DocumentInput = readonly BilevelPage[] | Uint8Array | { file: string };

/** Largest file a simulated sender reads (a hostile path must not exhaust memory). */
const MAX_FILE = 64 * 1024 * 1024;

const isPdf = (b: Uint8Array) =>
  b.length >= 5 && Buffer.from(b.subarray(0, 5)).toString('latin1') === '%PDF-';

/** PDF through fax-core's sandboxed render pool (one worker, started for this document). */
async function pagesFromPdf(bytes: Uint8Array): Promise<BilevelPage[]> {
  const { createRenderPool } = await import('@faxgate/fax-core/render');
  const pool = createRenderPool({ workers: 1 });
  try {
    return (await pool.render(bytes, { resolution: 'fine' })).pages;
  } finally {
    await pool.close();
  }
}

export function pagesFromBytes(bytes: Uint8Array): BilevelPage[] {
  if (isSff(bytes)) return readSff(bytes).pages.map((p) => p.page);
  if (isTiff(bytes)) return readTiff(bytes).pages.map((p) => p.page);
  if (bytes.length >= 2 && bytes[0] === 0x50 && (bytes[1] === 0x34 || bytes[1] === 0x31))
    return readPbm(bytes).pages;
  throw new SimDocumentError('the document is neither SFF, TIFF, PBM nor PDF');
}

export async function loadDocument(doc: DocumentInput): Promise<BilevelPage[]> {
  let pages: BilevelPage[];
  if (doc instanceof Uint8Array) pages = isPdf(doc) ? await pagesFromPdf(doc) : pagesFromBytes(doc);
  else if (Array.isArray(doc)) pages = [...(doc as BilevelPage[])];
  else {
    const file = (doc as { file: string }).file;
    const bytes = await readFile(file);
    if (bytes.length > MAX_FILE) throw new SimDocumentError(`${file}: larger than ${MAX_FILE} bytes`);
    pages = isPdf(bytes) ? await pagesFromPdf(bytes) : pagesFromBytes(bytes);
  }
  if (pages.length === 0) throw new SimDocumentError('the document has no pages');
  return pages;
}
