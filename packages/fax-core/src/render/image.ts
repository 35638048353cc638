// PNG, JPEG, GIF (one frame) and (multi-page) TIFF → fax pages with sharp (libvips). Runs only inside a
// render worker. Sizes and page counts are read from the headers first and checked
// against the limits; only then is a page decoded, with libvips' own pixel cap as a
// second guard. Fax TIFFs (G3/G4, 1728/2048/2432 wide) pass through with their pixels
// untouched, decoded by ../containers.
import sharp, { type Metadata } from 'sharp';
import { ContainerError } from '../containers/common.js';
import { inspectTiff, readTiffPage } from '../containers/tiff.js';
import {
  type BilevelPage,
  convertResolution,
  createPage,
  FAX_WIDTHS,
  type VerticalResolution,
} from '../page.js';
import { greyToBilevel } from './bilevel.js';
import { checkPageCount, DocumentError, RenderLimitError, UnsupportedDocumentError } from './errors.js';
import { faxGeometry, fitPage } from './geometry.js';
import { turnsLandscape } from './orientation.js';
import type { DitherMode, RenderLimits } from './types.js';

sharp.cache(false);
sharp.concurrency(1);

export interface ImageRenderOptions {
  /** Asked-for resolution; undefined keeps a fax TIFF's own and means fine otherwise. */
  resolution: VerticalResolution | undefined;
  dither: DitherMode;
  threshold: number;
  limits: RenderLimits;
  extraPages: number;
  /** Turn landscape images too wide for the fax line a quarter left so they fill the portrait page. */
  rotateLandscape: boolean;
  onPage?: (index: number) => void;
}

/** Assumed when an image states no density: a typical office scan. */
const DEFAULT_DPI = 200;

async function header(bytes: Uint8Array, page?: number): Promise<Metadata> {
  try {
    return await sharp(bytes, { page, limitInputPixels: false, failOn: 'error' }).metadata();
  } catch (e) {
    throw new DocumentError('corrupt', `image header cannot be read: ${firstLine(e)}`);
  }
}

/** libvips repeats its error buffer line by line; one line is the message. */
function firstLine(e: unknown): string {
  return (
    String(e instanceof Error ? e.message : e)
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)[0] ?? 'unknown error'
  );
}

const FAX_CODINGS = new Set(['mh', 'mr', 'mmr']);

/**
 * A fax TIFF (every page 1-bit, T.4/T.6 coded, 1728/2048/2432 wide) is decoded by the
 * containers' TIFF-F reader and kept pixel for pixel at its own resolution; anything else
 * (or a TIFF that reader refuses) goes through libvips. Returns null for "not a fax TIFF".
 */
function faxTiffPages(bytes: Uint8Array, opts: ImageRenderOptions): BilevelPage[] | null {
  let infos: ReturnType<typeof inspectTiff>['pages'];
  try {
    infos = inspectTiff(bytes, { limits: { maxPages: opts.limits.pages } }).pages;
  } catch (e) {
    if (e instanceof ContainerError && e.code === 'limit')
      throw new RenderLimitError(
        'pages',
        opts.limits.pages,
        undefined,
        `TIFF has more than ${opts.limits.pages} pages`,
      );
    // libvips has no JBIG decoder either: say what the file is instead of its decoder noise.
    const jbig = e instanceof ContainerError ? /Compression (9|10|34661) /.exec(`${e.message} `) : null;
    if (jbig) throw new UnsupportedDocumentError(`TIFF with JBIG compression (${jbig[1]})`, bytes);
    return null;
  }
  const fax = infos.every(
    (i) =>
      i.bitsPerSample === 1 &&
      FAX_CODINGS.has(i.coding) &&
      (FAX_WIDTHS as readonly number[]).includes(i.width),
  );
  if (!fax) return null;
  checkPageCount(infos.length, opts.limits.pages, opts.extraPages, 'TIFF');
  return infos.map((_, i) => {
    let page: BilevelPage;
    try {
      page = readTiffPage(bytes, i, { limits: { maxPages: opts.limits.pages } }).page;
    } catch (e) {
      throw new DocumentError('corrupt', `fax TIFF page ${i + 1} cannot be decoded: ${(e as Error).message}`);
    }
    opts.onPage?.(i);
    return opts.resolution ? convertResolution(page, opts.resolution) : page;
  });
}

export async function renderImage(bytes: Uint8Array, opts: ImageRenderOptions): Promise<BilevelPage[]> {
  const fax = faxTiffPages(bytes, opts);
  if (fax) return fax;
  const first = await header(bytes);
  // A GIF is one picture, its first frame; an animation has no one page to send.
  if (first.format === 'gif' && (first.pages ?? 1) > 1)
    throw new UnsupportedDocumentError(
      `animated GIF (${first.pages} frames; a fax page shows one picture: send the frame wanted as PNG, GIF or PDF)`,
      bytes,
    );
  const count = first.format === 'tiff' ? Math.max(1, first.pages ?? 1) : 1;
  checkPageCount(count, opts.limits.pages, opts.extraPages, 'image');
  // All headers before any pixels: one oversized page refuses the whole job up front.
  const metas: Metadata[] = [];
  for (let i = 0; i < count; i++) {
    const meta = count === 1 ? first : await header(bytes, i);
    const w = meta.width ?? 0;
    const h = meta.height ?? 0;
    if (w <= 0 || h <= 0) throw new DocumentError('corrupt', `image page ${i + 1} has no size`);
    if (w * h > opts.limits.pixels)
      throw new RenderLimitError(
        'pixels',
        opts.limits.pixels,
        w * h,
        `image page ${i + 1} is ${w}×${h} = ${w * h} pixels (limit ${opts.limits.pixels})`,
      );
    metas.push(meta);
  }
  const pages: BilevelPage[] = [];
  for (let i = 0; i < count; i++) {
    const meta = metas[i];
    const src = sharp(bytes, { page: i, limitInputPixels: opts.limits.pixels, failOn: 'error' });
    try {
      const g = faxGeometry(opts.resolution ?? 'fine');
      const dpi = meta.density && meta.density >= 50 && meta.density <= 2400 ? meta.density : DEFAULT_DPI;
      const oriented =
        meta.orientation && meta.orientation >= 5 ? [meta.height!, meta.width!] : [meta.width!, meta.height!];
      const turn = opts.rotateLandscape && turnsLandscape(oriented[0] / dpi, oriented[1] / dpi, g);
      const fit = turn
        ? fitPage(oriented[1] / dpi, oriented[0] / dpi, g, g.a4Lines)
        : fitPage(oriented[0] / dpi, oriented[1] / dpi, g, g.a4Lines);
      // EXIF orientation first, then the quarter turn (sharp applies them in this order).
      const { data, info } = await src
        .autoOrient()
        .rotate(turn ? 270 : 0)
        .flatten({ background: '#ffffff' })
        .greyscale()
        .resize(fit.drawWidth, fit.drawHeight, {
          fit: 'fill',
          kernel: opts.dither === 'none' || opts.dither === 'halftone' ? 'linear' : 'lanczos3',
        })
        .raw()
        .toBuffer({ resolveWithObject: true });
      const page = createPage(g.width, fit.pageHeight, opts.resolution ?? 'fine');
      greyToBilevel(
        { data, width: info.width, height: info.height, stride: info.width * info.channels },
        page,
        fit.offsetX,
        0,
        opts.dither,
        opts.threshold,
      );
      pages.push(page);
    } catch (e) {
      if (e instanceof RenderLimitError || e instanceof DocumentError) throw e;
      const msg = firstLine(e);
      if (/pixel limit/i.test(msg))
        throw new RenderLimitError('pixels', opts.limits.pixels, undefined, `image page ${i + 1}: ${msg}`);
      throw new DocumentError('corrupt', `image page ${i + 1} cannot be decoded: ${msg}`);
    }
    opts.onPage?.(i);
  }
  return pages;
}
