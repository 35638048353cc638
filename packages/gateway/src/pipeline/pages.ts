// Fax pages in and out of the store: one single-page MMR (T.6) TIFF per fax_pages row, and
// the SFF document a CAPI card sends, built from those rows when the call starts.
import {
  type BilevelPage,
  ContainerError,
  readFaxDocument,
  sffFromTiffs,
  writeFaxDocument,
} from '@faxgate/fax-core';
import { type Db, InvalidInputError, type NewFaxPage } from '@faxgate/store';

/** Pages per submission; a bigger document is refused before anything is stored. */
export const MAX_PAGES = 500;

export const LPI = { standard: 98, fine: 196, superfine: 391 } as const;

/** Each page as a stored row: a one-page MMR TIFF. */
export function encodePages(pages: readonly BilevelPage[]): NewFaxPage[] {
  if (pages.length === 0) throw new InvalidInputError('a fax needs at least one page');
  if (pages.length > MAX_PAGES) throw new InvalidInputError(`a fax has at most ${MAX_PAGES} pages`);
  return pages.map((page, i) => ({
    pageNo: i + 1,
    tiff: writeFaxDocument('tiff', [page], { coding: 'mmr' }),
    width: page.width,
    height: page.height,
    yResolution: LPI[page.resolution],
    encoding: 'mmr',
  }));
}

/** A ready TIFF (any fax coding) as pages; malformed input is an InvalidInputError. */
export function pagesFromTiff(tiff: Uint8Array): BilevelPage[] {
  try {
    const doc = readFaxDocument(tiff, { limits: { maxPages: MAX_PAGES } });
    if (doc.format !== 'tiff') throw new InvalidInputError(`expected a TIFF document, got ${doc.format}`);
    return doc.pages.map((p) => p.page);
  } catch (e) {
    if (e instanceof ContainerError) throw new InvalidInputError(`unreadable fax document: ${e.message}`);
    throw e;
  }
}

/** The resolution a fax is sent with: fine when any page is finer than standard. */
export function documentResolution(pages: readonly BilevelPage[]): 'standard' | 'fine' {
  return pages.some((p) => p.resolution !== 'standard') ? 'fine' : 'standard';
}

/**
 * The stored pages of a fax as one SFF document (CAPI sends SFF; superfine is sent as fine).
 * Clean pages are transcoded from their MMR strips without pixels (sffFromTiffs).
 */
export async function loadSff(db: Db, faxId: number): Promise<{ sff: Uint8Array; pages: number }> {
  const rows: { tiff: Buffer }[] = await db('fax_pages')
    .where({ fax_id: faxId })
    .orderBy('page_no')
    .select('tiff');
  const { sff, pages } = sffFromTiffs(
    rows.map((r) => r.tiff),
    { maxResolution: 'fine' },
  );
  if (pages === 0) throw new InvalidInputError(`fax ${faxId} has no pages`);
  return { sff, pages };
}

/** Copies every stored page of one fax to another (internal delivery), in the caller's transaction. */
export async function copyPages(db: Db, fromFaxId: number, toFaxId: number): Promise<void> {
  await db.raw(
    `INSERT INTO fax_pages (fax_id, page_no, width, height, y_resolution, encoding, tiff, sha256)
     SELECT ?, page_no, width, height, y_resolution, encoding, tiff, sha256 FROM fax_pages WHERE fax_id = ?`,
    [toFaxId, fromFaxId],
  );
}
