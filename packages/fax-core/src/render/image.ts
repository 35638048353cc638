// PNG, JPEG and (multi-page) TIFF → fax pages with sharp (libvips). Runs only inside a
// render worker. Sizes and page counts are read from the headers first and checked
// against the limits; only then is a page decoded, with libvips' own pixel cap as a
// second guard. Fax TIFFs (1-bit, 1728/2048/2432 wide, ~204 dpi) pass through with their
// pixels untouched.
import sharp, { type Metadata } from 'sharp';
import {
  type BilevelPage,
  convertResolution,
  createPage,
  FAX_WIDTHS,
  type VerticalResolution,
} from '../page.js';
import { greyToBilevel } from './bilevel.js';
import { DocumentError, RenderLimitError } from './errors.js';
import { faxGeometry, fitPage } from './geometry.js';
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
  onPage?: (index: number) => void;
}

/** Assumed when an image states no density: a typical office scan. */
const DEFAULT_DPI = 200;

async function header(bytes: Uint8Array, page?: number): Promise<Metadata> {
  try {
    return await sharp(bytes, { page, limitInputPixels: false, failOn: 'error' }).metadata();
  } catch (e) {
    throw new DocumentError('corrupt', `image header cannot be read: ${(e as Error).message}`);
  }
}

function isFaxPage(meta: Metadata): boolean {
  const d = meta.density ?? 0;
  return (
    meta.format === 'tiff' &&
    meta.bitsPerSample === 1 &&
    (FAX_WIDTHS as readonly number[]).includes(meta.width ?? 0) &&
    d >= 195 &&
    d <= 210
  );
}

/**
 * Vertical resolution of a fax TIFF page. sharp reports only the horizontal density, so
 * it is told by the page's length: an A4/Letter fax page is ~1100 lines at 98 lpi,
 * ~2200 at 196 and ~4400 at 391.
 */
function faxResolution(meta: Metadata): VerticalResolution {
  const ratio = (meta.height ?? 0) / (meta.width ?? 1);
  return ratio < 0.95 ? 'standard' : ratio < 1.9 ? 'fine' : 'superfine';
}

export async function renderImage(bytes: Uint8Array, opts: ImageRenderOptions): Promise<BilevelPage[]> {
  const first = await header(bytes);
  const count = first.format === 'tiff' ? Math.max(1, first.pages ?? 1) : 1;
  const maxPages = opts.limits.pages - opts.extraPages;
  if (count > maxPages)
    throw new RenderLimitError(
      'pages',
      opts.limits.pages,
      count + opts.extraPages,
      `image has ${count} pages (limit ${maxPages})`,
    );
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
      if (isFaxPage(meta)) {
        // Lossless: 1-bit pixels decoded as 0/255, copied bit for bit.
        const { data, info } = await src.extractChannel(0).raw().toBuffer({ resolveWithObject: true });
        const own = faxResolution(meta);
        const page = createPage(info.width, info.height, own);
        greyToBilevel(
          { data, width: info.width, height: info.height, stride: info.width },
          page,
          0,
          0,
          'none',
          128,
        );
        pages.push(opts.resolution ? convertResolution(page, opts.resolution) : page);
      } else {
        const g = faxGeometry(opts.resolution ?? 'fine');
        const dpi = meta.density && meta.density >= 50 && meta.density <= 2400 ? meta.density : DEFAULT_DPI;
        const oriented =
          meta.orientation && meta.orientation >= 5
            ? [meta.height!, meta.width!]
            : [meta.width!, meta.height!];
        const fit = fitPage(oriented[0] / dpi, oriented[1] / dpi, g, g.a4Lines);
        const { data, info } = await src
          .autoOrient()
          .flatten({ background: '#ffffff' })
          .greyscale()
          .resize(fit.drawWidth, fit.drawHeight, {
            fit: 'fill',
            kernel: opts.dither === 'none' ? 'linear' : 'lanczos3',
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
      }
    } catch (e) {
      if (e instanceof RenderLimitError || e instanceof DocumentError) throw e;
      const msg = (e as Error).message;
      if (/pixel limit/i.test(msg))
        throw new RenderLimitError('pixels', opts.limits.pixels, undefined, `image page ${i + 1}: ${msg}`);
      throw new DocumentError('corrupt', `image page ${i + 1} cannot be decoded: ${msg}`);
    }
    opts.onPage?.(i);
  }
  return pages;
}
