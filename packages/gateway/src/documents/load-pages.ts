// Submitted files → fax pages, for the CLI and the REST API alike. Fax files (PBM, TIFF
// Class F, SFF) are read directly; PDF, images and text go through the sandboxed render
// pool, started only when a file needs it. The type comes from the content, never the name.
import {
  type BilevelPage,
  ContainerError,
  convertResolution,
  detectFormat,
  readFaxDocument,
  type VerticalResolution,
} from '@faxgate/fax-core';

import type { CoverPageOptions } from '@faxgate/fax-core/render';

type RenderModule = typeof import('@faxgate/fax-core/render');
type RenderPool = ReturnType<RenderModule['createRenderPool']>;

export interface DocumentFile {
  /** Shown in errors only. */
  name: string;
  data: Uint8Array;
}

/** A file is not a document faxgate can send (malformed, empty, over a limit). */
export class DocumentInputError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'DocumentInputError';
  }
}

export interface DocumentLoader {
  /**
   * Pages of every file, in order. `resolution` (when given) is what the fax is sent at:
   * fax files are converted to it, documents rendered at it (default fine).
   */
  load(
    files: readonly DocumentFile[],
    resolution?: VerticalResolution,
    cover?: CoverPageOptions,
  ): Promise<BilevelPage[]>;
  close(): Promise<void>;
}

/** Decoder and renderer complaints are about the file; anything else is our fault. */
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
 * `workers`: render processes when one is needed. The pool stays up between loads (a daemon
 * renders many submissions) until `close`.
 */
export function createDocumentLoader(opts: { workers?: number } = {}): DocumentLoader {
  let pool: Promise<RenderPool> | undefined;
  const renderPool = () => {
    pool ??= import('@faxgate/fax-core/render').then((m) =>
      m.createRenderPool({ workers: opts.workers ?? 1 }),
    );
    return pool;
  };
  return {
    async load(files, resolution, cover) {
      const pages: BilevelPage[] = [];
      for (const file of files) {
        try {
          let filePages = detectFormat(file.data) ? readFaxFile(file.data) : undefined;
          if (filePages) {
            if (resolution) {
              filePages = filePages.map((p) =>
                p.resolution === resolution ? p : convertResolution(p, resolution),
              );
            }
          } else {
            filePages = (await (await renderPool()).render(file.data, { resolution: resolution ?? 'fine' }))
              .pages;
          }
          if (filePages.length === 0) throw new DocumentInputError(file.name, 'the document has no pages');
          pages.push(...filePages);
        } catch (e) {
          if (isInputProblem(e)) throw new DocumentInputError(file.name, e.message);
          throw e;
        }
      }
      if (cover) {
        // Drawn here from the submitter's own text with the bundled font: no file is parsed.
        const { renderCover } = await import('@faxgate/fax-core/render');
        const res = resolution === 'standard' ? 'standard' : 'fine';
        pages.unshift(renderCover(cover, pages.length + 1, res));
      }
      return pages;
    },
    async close() {
      const p = pool;
      pool = undefined;
      if (p) await (await p).close();
    },
  };
}
