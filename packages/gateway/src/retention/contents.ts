// What goes into a fax's archive package, read from the system of record: the pages (as a
// PDF and as one multi-page TIFF Class F, MMR — the stored pages' pixels unchanged), the fax
// record, its audit events (sealed first, so they carry their chain position and hash) and
// its send/receive log rows.
import { sealBeforeReading } from '@faxgate/audit';
import { type BilevelPage, readTiff, writeFaxPdf, writeTiff } from '@faxgate/fax-core';
import { type Db, type Fax, faxPages } from '@faxgate/store';
import { PACKAGE_FORMAT } from './package.js';

export interface PackageContext {
  fax: Fax;
  mailbox: string | null;
  rule: string;
  archivedBy: string;
  archivedAt: Date;
}

const jsonl = (rows: unknown[]) => Buffer.from(rows.map((r) => `${JSON.stringify(r)}\n`).join(''));

export async function packageFiles(db: Db, c: PackageContext): Promise<Map<string, Uint8Array>> {
  const { fax } = c;
  const infos = await faxPages.list(db, fax.id);
  const pages: BilevelPage[] = [];
  const pageMeta = [];
  for (const info of infos) {
    const stored = await faxPages.get(db, fax.id, info.pageNo);
    pages.push(readTiff(stored.tiff).pages[0].page);
    pageMeta.push({
      page: info.pageNo,
      width: info.width,
      height: info.height,
      yResolution: info.yResolution,
      encoding: info.encoding,
      bytes: info.bytes,
      storedSha256: info.sha256,
    });
  }
  await sealBeforeReading(db);
  const events = await db('audit_events')
    .where({ fax_id: fax.id })
    .orderBy('id')
    .select(
      'id',
      'seq',
      'time',
      'type',
      'actor',
      'actor_id',
      'subject',
      'mailbox_id',
      'fax_id',
      'details',
      'prev_hash',
      'hash',
    );
  const log = await db('xfer_log').where({ fax_id: fax.id }).orderBy('id').select('*');

  const files = new Map<string, Uint8Array>();
  if (pages.length > 0) {
    files.set('fax.pdf', writeFaxPdf(pages, { title: `Fax ${fax.id}`, createdAt: fax.createdAt }));
    files.set(
      'fax.tif',
      writeTiff(
        pages.map((page) => ({ page })),
        { coding: 'mmr' },
      ),
    );
  }
  files.set('audit.jsonl', jsonl(events));
  files.set('xferlog.jsonl', jsonl(log));
  const metadata = {
    format: PACKAGE_FORMAT,
    about:
      'A fax archived by faxgate before its pages were deleted by retention. MANIFEST.sha256 lists every other file with its SHA-256 (sha256sum -c MANIFEST.sha256); faxgate archive verify checks it.',
    files: {
      'fax.pdf': 'the pages as a PDF (each page its G4 data unchanged)',
      'fax.tif': 'the pages as one TIFF Class F (MMR), the stored pixels unchanged',
      'metadata.json': 'this file: the fax record, its mailbox, its pages and the retention rule',
      'audit.jsonl': "the fax's audit events (seq, prev_hash, hash as in the hash chain)",
      'xferlog.jsonl': "the fax's send/receive log rows",
    },
    archivedAt: c.archivedAt.toISOString(),
    archivedBy: c.archivedBy,
    rule: c.rule,
    mailbox: c.mailbox,
    fax,
    pages: pageMeta,
    auditEvents: events.length,
  };
  files.set('metadata.json', Buffer.from(`${JSON.stringify(metadata, null, 2)}\n`));
  return files;
}
