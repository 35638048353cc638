// The files given to `faxgate send` → fax pages. Fax files (PBM, TIFF Class F, SFF) are read
// directly; PDF, images and text go through the sandboxed render pool, started only when a
// file needs it and always closed. The type comes from the content, never the file name.
import { readFileSync } from 'node:fs';
import {
  type BilevelPage,
  ContainerError,
  convertResolution,
  detectFormat,
  readFaxDocument,
  type VerticalResolution,
} from '@faxgate/fax-core';
import { CliError } from '../errors.js';

type RenderModule = typeof import('@faxgate/fax-core/render');
type RenderPool = ReturnType<RenderModule['createRenderPool']>;

function readInput(file: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (e as Error).message;
    throw new CliError(`cannot read ${file}: ${why}`, 2);
  }
}

/** Decoder and renderer complaints about the file are bad input (exit 2); anything else is a fault. */
function isInputProblem(e: unknown): e is Error {
  if (e instanceof ContainerError) return true;
  return (
    e instanceof Error &&
    ['CodecError', 'PageError', 'DocumentError', 'UnsupportedDocumentError', 'RenderLimitError'].includes(
      e.name,
    )
  );
}

function readFaxFile(data: Uint8Array): BilevelPage[] | undefined {
  try {
    return readFaxDocument(data).pages.map((p) => p.page);
  } catch (e) {
    // A TIFF that is not a bilevel fax (a scan, a photo) is an image for the renderer.
    if (detectFormat(data) === 'tiff') return undefined;
    throw e;
  }
}

/**
 * Pages of every file, in order. `resolution` (when given) is what the fax is sent at:
 * fax files are converted to it, documents rendered at it (default fine).
 */
export async function loadPages(
  files: readonly string[],
  resolution: VerticalResolution | undefined,
): Promise<BilevelPage[]> {
  let pool: RenderPool | undefined;
  const pages: BilevelPage[] = [];
  try {
    for (const file of files) {
      const data = readInput(file);
      try {
        let filePages = detectFormat(data) ? readFaxFile(data) : undefined;
        if (filePages) {
          if (resolution) {
            filePages = filePages.map((p) =>
              p.resolution === resolution ? p : convertResolution(p, resolution),
            );
          }
        } else {
          if (!pool) {
            const { createRenderPool } = await import('@faxgate/fax-core/render');
            pool = createRenderPool({ workers: 1 });
          }
          filePages = (await pool.render(data, { resolution: resolution ?? 'fine' })).pages;
        }
        if (filePages.length === 0) throw new CliError(`${file}: the document has no pages`, 2);
        pages.push(...filePages);
      } catch (e) {
        if (isInputProblem(e)) throw new CliError(`${file}: ${e.message}`, 2);
        throw e;
      }
    }
  } finally {
    await pool?.close();
  }
  return pages;
}
