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
  /** Called when the input is read no more (a PDF in PDFium's memory): the caller may free it. */
  releaseInput?: () => void;
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
  const header = options.headerLine
    ? { ...options.headerLine, date: options.headerLine.date ?? new Date() }
    : null;
  /** The header line on page `index` (0-based) of `total`. */
  const finish = (p: BilevelPage, index: number, total: number) => {
    if (header)
      drawHeaderLine(
        p,
        header,
        { page: index + 1, pages: total },
        PELS_PER_INCH,
        LINES_PER_INCH[p.resolution],
      );
  };
  if (options.mmr === 'only' && !ctx.encodeMmr) throw new Error('MMR coding is not available in this build');
  // Only the MMR pages wanted: a PDF's pages are finished and coded as they are drawn, and let go.
  const streamed: Uint8Array[] | null = options.mmr === 'only' && sourceType === 'pdf' ? [] : null;
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
        ...(ctx.releaseInput && { onInputCopied: ctx.releaseInput }),
        ...(streamed && {
          emit: (p: BilevelPage, i: number, count: number) => {
            if (i === 0 && options.cover) {
              const cover = renderCover(options.cover, count + 1, resolution);
              finish(cover, 0, count + 1);
              streamed.push(ctx.encodeMmr!(cover));
            }
            finish(p, i + extraPages, count + extraPages);
            streamed.push(ctx.encodeMmr!(p));
          },
        }),
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
  if (streamed) {
    const pageCount = streamed.length;
    const result: RenderResult = {
      pages: [],
      pageCount,
      sourceType,
      documentPages: pageCount - extraPages,
      elapsedMs: 0,
      mmr: streamed,
    };
    result.elapsedMs = performance.now() - started;
    return result;
  }
  const documentPages = pages.length;
  if (options.cover) pages.unshift(renderCover(options.cover, documentPages + 1, resolution));
  for (const [i, p] of pages.entries()) finish(p, i, pages.length);
  const result: RenderResult = { pages, pageCount: pages.length, sourceType, documentPages, elapsedMs: 0 };
  if (options.mmr) {
    if (!ctx.encodeMmr) throw new Error('MMR coding is not available in this build');
    result.mmr = pages.map((p) => ctx.encodeMmr!(p));
    if (options.mmr === 'only') result.pages = [];
  }
  result.elapsedMs = performance.now() - started;
  return result;
}
