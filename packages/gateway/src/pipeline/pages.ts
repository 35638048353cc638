// Fax pages in and out of the store: one single-page MMR (T.6) TIFF per fax_pages row, and
// the SFF document a CAPI card sends, built from those rows when the call starts.
import {
  type BilevelPage,
  ContainerError,
  createPage,
  detectFormat,
  readFaxDocument,
  readTiff,
  sffFromTiffs,
  type TiffPage,
  writeFaxDocument,
  writeSff,
  writeTiffStrips,
} from '@faxgate/fax-core';
import { type Db, InvalidInputError, type NewFaxPage } from '@faxgate/store';

/** Pages per submission; a bigger document is refused before anything is stored. */
export const MAX_PAGES = 500;

export const LPI = { standard: 98, fine: 196, superfine: 391 } as const;

/**
 * Pages pagesFromTiff read from a clean MMR strip, and that strip: encodePages stores it as it
 * is instead of coding the same pixels again. Keyed by the page object, so a page that was
 * converted (convertResolution makes a new one) or came from elsewhere is coded as before.
 */
const cleanStrips = new WeakMap<BilevelPage, Uint8Array>();

/**
 * The strip of a page when storing it as it is gives the very page coding the pixels would:
 * one MMR strip, MSB first, MinIsWhite, every row decoded (none repaired, none missing), at
 * standard or fine resolution. Anything else is coded again from the pixels.
 */
function cleanMmrStrip(p: TiffPage): Uint8Array | undefined {
  const { info, quality, strip } = p;
  if (strip === undefined || info.coding !== 'mmr' || info.fillOrder !== 1 || info.photometric !== 0)
    return undefined;
  if (quality.badLines !== 0 || info.resolution === 'superfine') return undefined;
  return strip;
}

/** One page as its stored TIFF: the tags writeFaxDocument('tiff', …, mmr) writes, either way. */
function storedTiff(page: BilevelPage): Uint8Array {
  const strip = cleanStrips.get(page);
  if (strip !== undefined) return writeTiffStrips([{ page, strip }], { coding: 'mmr' });
  return writeFaxDocument('tiff', [page], { coding: 'mmr' });
}

/** Each page as a stored row: a one-page MMR TIFF. */
export function encodePages(pages: readonly BilevelPage[]): NewFaxPage[] {
  if (pages.length === 0) throw new InvalidInputError('a fax needs at least one page');
  if (pages.length > MAX_PAGES) throw new InvalidInputError(`a fax has at most ${MAX_PAGES} pages`);
  return pages.map((page, i) => ({
    pageNo: i + 1,
    tiff: storedTiff(page),
    width: page.width,
    height: page.height,
    yResolution: LPI[page.resolution],
    encoding: 'mmr',
  }));
}

/**
 * A ready TIFF (any fax coding) as pages; malformed input is an InvalidInputError. Decoding is
 * the check that the document is sound; pages of clean MMR strips keep them for encodePages.
 */
export function pagesFromTiff(tiff: Uint8Array): BilevelPage[] {
  const limits = { maxPages: MAX_PAGES };
  try {
    if (detectFormat(tiff) !== 'tiff') {
      const doc = readFaxDocument(tiff, { limits }); // throws for an unknown format
      throw new InvalidInputError(`expected a TIFF document, got ${doc.format}`);
    }
    return readTiff(tiff, { limits }).pages.map((p) => {
      const strip = cleanMmrStrip(p);
      if (strip !== undefined) cleanStrips.set(p.page, strip);
      return p.page;
    });
  } catch (e) {
    if (e instanceof ContainerError) throw new InvalidInputError(`unreadable fax document: ${e.message}`);
    throw e;
  }
}

/** The resolution a fax is sent with: fine when any page is finer than standard. */
export function documentResolution(pages: readonly BilevelPage[]): 'standard' | 'fine' {
  return pages.some((p) => p.resolution !== 'standard') ? 'fine' : 'standard';
}

/** What one call sends: from which page (the ones before it were confirmed already), at which resolution. */
export interface SendPlan {
  /** 1-based; a retry starts after the pages the remote confirmed (HylaFAX sends only the rest). */
  firstPage: number;
  /** 'standard' after the remote refused fine: finer pages are decimated to 98 lpi. */
  resolution: 'fine' | 'standard';
}

/** Rows of a page kept when it goes down to standard resolution: every `factor`-th (196 lpi → 98: every second). */
export function decimateToStandard(page: BilevelPage): BilevelPage {
  if (page.resolution === 'standard') return page;
  const factor = Math.round(LPI[page.resolution] / LPI.standard);
  const out = createPage(page.width, Math.ceil(page.height / factor), 'standard');
  const { stride } = page;
  for (let y = 0; y < out.height; y++) {
    const src = y * factor * stride;
    out.data.set(page.data.subarray(src, src + stride), y * stride);
  }
  return out;
}

/** The stored page TIFFs of a fax, in page order (page_no ≥ fromPage). */
export async function loadPageTiffs(db: Db, faxId: number, fromPage = 1): Promise<Uint8Array[]> {
  const rows: { tiff: Buffer }[] = await db('fax_pages')
    .where({ fax_id: faxId })
    .andWhere('page_no', '>=', fromPage)
    .orderBy('page_no')
    .select('tiff');
  return rows.map((r) => r.tiff);
}

/**
 * Stored page TIFFs (all of the fax, in order) as the SFF of one call: the pages from
 * `plan.firstPage` on; clean pages are transcoded from their MMR strips without pixels
 * (sffFromTiffs, superfine sent as fine); at standard the finer pages are decimated.
 */
export function buildSff(
  tiffs: readonly Uint8Array[],
  plan: SendPlan = { firstPage: 1, resolution: 'fine' },
): { sff: Uint8Array; pages: number } {
  const rest = tiffs.slice(Math.max(0, plan.firstPage - 1));
  if (rest.length === 0) throw new InvalidInputError(`no pages from page ${plan.firstPage} on`);
  if (plan.resolution === 'standard') {
    const pages = rest.flatMap((t) => readTiff(t).pages.map((p) => decimateToStandard(p.page)));
    return { sff: writeSff(pages), pages: pages.length };
  }
  const { sff, pages } = sffFromTiffs(rest, { maxResolution: 'fine' });
  return { sff, pages };
}

/**
 * The stored pages of a fax as one SFF document (CAPI sends SFF; superfine is sent as fine):
 * all of them, or what `plan` says.
 */
export async function loadSff(
  db: Db,
  faxId: number,
  plan?: SendPlan,
): Promise<{ sff: Uint8Array; pages: number }> {
  const tiffs = await loadPageTiffs(db, faxId);
  if (tiffs.length === 0) throw new InvalidInputError(`fax ${faxId} has no pages`);
  return buildSff(tiffs, plan);
}

/** Copies every stored page of one fax to another (internal delivery), in the caller's transaction. */
export async function copyPages(db: Db, fromFaxId: number, toFaxId: number): Promise<void> {
  await db.raw(
    `INSERT INTO fax_pages (fax_id, page_no, width, height, y_resolution, encoding, tiff, sha256)
     SELECT ?, page_no, width, height, y_resolution, encoding, tiff, sha256 FROM fax_pages WHERE fax_id = ?`,
    [toFaxId, fromFaxId],
  );
}
