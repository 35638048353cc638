// What a mail about a fax carries, made once for every sender of such mails (received-fax
// mails, send results, forwards to an address): the stored pages, the fax as one PDF (its MMR
// pages unchanged behind CCITTFaxDecode, as GET /faxes/{id}/document makes it) and times in UTC.
import { type BilevelPage, readTiff, writeFaxPdf } from '@faxgate/fax-core';
import { type Db, type Fax, faxPages } from '@faxgate/store';

/** The fax's stored pages, in order, at most `limit` of them. */
export async function storedPages(
  db: Db,
  faxId: number,
  limit = Number.POSITIVE_INFINITY,
): Promise<BilevelPage[]> {
  const pages: BilevelPage[] = [];
  for (const info of await faxPages.list(db, faxId)) {
    if (pages.length >= limit) break;
    pages.push(readTiff((await faxPages.get(db, faxId, info.pageNo)).tiff).pages[0].page);
  }
  return pages;
}

/** The pages as one PDF titled by the fax. */
export function faxPdf(fax: Fax, pages: BilevelPage[]): Buffer {
  const from = fax.remoteNumber || 'an unknown number';
  return Buffer.from(writeFaxPdf(pages, { title: `Fax ${fax.id} from ${from}`, createdAt: fax.createdAt }));
}

/** "2026-12-07 18:24:37 UTC", or "-". */
export function utcTime(d: Date | null): string {
  return d
    ? d
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, ' UTC')
    : '-';
}
