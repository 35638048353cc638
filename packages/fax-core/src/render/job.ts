// One render job from bytes to fax pages: detect the type, draw the document, put the
// cover page in front, print the header line on every page, optionally MMR-code. This is
// the code a render worker process runs; the gateway reaches it only through the pool.
import { type BilevelPage, LINES_PER_INCH, PELS_PER_INCH } from '../page.js';
import { renderCover } from './cover.js';
import { decodeText, detectType } from './detect.js';
import { DocumentError, RenderLimitError } from './errors.js';
import { renderPdf } from './pdf.js';
import { drawHeaderLine, headerBandLines } from './tagline.js';
import { renderText } from './text.js';
import type { RenderLimits, RenderOptions, RenderResult } from './types.js';

export type PageEncoder = (page: BilevelPage) => Uint8Array;

export interface JobContext {
  limits: RenderLimits;
  /** Called between pages; throws to end the job (the worker checks its memory here). */
  checkpoint?: () => void;
  encodeMmr?: PageEncoder;
}

export async function renderJob(
  bytes: Uint8Array,
  options: RenderOptions,
  ctx: JobContext,
): Promise<RenderResult> {
  const started = performance.now();
  const { limits } = ctx;
  if (bytes.length > limits.inputBytes)
    throw new RenderLimitError(
      'input-size',
      limits.inputBytes,
      bytes.length,
      `document is ${bytes.length} bytes (limit ${limits.inputBytes})`,
    );
  const sourceType = detectType(bytes);
  const resolution = options.resolution ?? 'fine';
  const dither = options.dither ?? 'halftone';
  const threshold = options.threshold ?? 160;
  const extraPages = options.cover ? 1 : 0;
  const rotateLandscape = options.rotateLandscape ?? true;
  const onPage = () => ctx.checkpoint?.();
  let pages: BilevelPage[];
  switch (sourceType) {
    case 'pdf':
      pages = await renderPdf(bytes, {
        resolution,
        dither,
        threshold,
        limits,
        extraPages,
        rotateLandscape,
        onPage,
      });
      break;
    case 'png':
    case 'jpeg':
    case 'gif':
    case 'tiff': {
      // libvips is loaded at the first image, not at the worker's start (a PDF preview needs none)
      const { renderImage } = await import('./image.js');
      pages = await renderImage(bytes, {
        resolution: options.resolution,
        rotateLandscape,
        dither,
        threshold,
        limits,
        extraPages,
        onPage,
      });
      break;
    }
    case 'text': {
      const text = decodeText(bytes);
      if (text === null) throw new DocumentError('invalid-text', 'text is not valid UTF-8');
      const reserve = options.headerLine
        ? headerBandLines(options.headerLine.sizePt ?? 9, LINES_PER_INCH[resolution]) + 8
        : 0;
      pages = renderText(text, resolution, limits.pages - extraPages, reserve);
      if (pages.length === 1 && !text.trim())
        throw new DocumentError('empty', 'text document has no visible characters');
      break;
    }
  }
  const documentPages = pages.length;
  if (options.cover) pages.unshift(renderCover(options.cover, documentPages + 1, resolution));
  if (options.headerLine) {
    const header = options.headerLine;
    const date = header.date ?? new Date();
    pages.forEach((p, i) => {
      drawHeaderLine(
        p,
        { ...header, date },
        { page: i + 1, pages: pages.length },
        PELS_PER_INCH,
        LINES_PER_INCH[p.resolution],
      );
    });
  }
  const result: RenderResult = { pages, pageCount: pages.length, sourceType, documentPages, elapsedMs: 0 };
  if (options.mmr) {
    if (!ctx.encodeMmr) throw new Error('MMR coding is not available in this build');
    result.mmr = pages.map((p) => ctx.encodeMmr!(p));
    if (options.mmr === 'only') result.pages = [];
  }
  result.elapsedMs = performance.now() - started;
  return result;
}
