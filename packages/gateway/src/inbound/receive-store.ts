// What a receiving call writes, step by step, so a crash loses nothing that was committed:
// the fax row at the start, each page as soon as its page end arrived (page, page count and a
// recv.page event in one transaction), a re-route once the sender's TSI is known, and the end
// (state, recv.end, RECV record in one transaction). Every step but the first changes the row
// only while it is still 'receiving' (compare-and-set): a fax the crash recovery has closed
// is never written again.
import { appendAuditEvent, encodeXferParams, recordXfer, xferDcsText } from '@faxgate/audit';
import { type BilevelPage, type PageQuality, writeFaxDocument } from '@faxgate/fax-core';
import { type Db, type Fax, faxes, faxPages, inTransaction } from '@faxgate/store';
import { encodePages, LPI } from '../pipeline/pages.js';

/** A fax being received: the row as we last wrote it, and what the RECV record needs. */
export interface Receiving {
  fax: Fax;
  pages: number;
  started: Date;
  controller: number;
  caller: string;
  actor: string;
  /** Widest page (pixels) and longest page (mm) so far: the RECV record's session params. */
  widest?: number;
  longestMm?: number;
}

/**
 * Stores page `r.pages + 1` and counts it: one transaction; the page is then safe. A page with
 * bad rows (repaired from the row above) is kept like any other and said so: the fax's
 * metadata.damage counts damaged pages and rows, recv.page names its counts, and its stored
 * TIFF carries BadFaxLines / ConsecutiveBadFaxLines (faxgate info shows them).
 */
export async function commitPage(
  db: Db,
  r: Receiving,
  page: BilevelPage,
  quality?: PageQuality,
): Promise<void> {
  const pageNo = r.pages + 1;
  const damaged = quality !== undefined && quality.badLines > 0 ? quality : undefined;
  let [row] = encodePages([page]);
  if (damaged)
    row = { ...row, tiff: writeFaxDocument('tiff', [{ page, quality: damaged }], { coding: 'mmr' }) };
  const before = r.fax.damage ?? { pages: 0, rows: 0 };
  const damage = damaged && { pages: before.pages + 1, rows: before.rows + damaged.badLines };
  r.fax = await inTransaction(db, async (trx) => {
    const info = await faxPages.add(trx, r.fax.id, { ...row, pageNo });
    const f = await faxes.updateState(
      trx,
      r.fax.id,
      'receiving',
      {
        pagesTotal: pageNo,
        pagesDone: pageNo,
        resolution: r.fax.resolution ?? LPI[page.resolution],
        ...(damage ? { metadata: { ...r.fax.metadata, damage } } : {}),
      },
      { from: ['receiving'] },
    );
    await appendAuditEvent(trx, {
      type: 'recv.page',
      actor: r.actor,
      subject: `fax:${r.fax.id}`,
      faxId: r.fax.id,
      mailboxId: r.fax.mailboxId,
      details: {
        page: pageNo,
        width: page.width,
        height: page.height,
        bytes: info.bytes,
        sha256: info.sha256,
        ...(damaged && {
          badLines: damaged.badLines,
          consecutiveBadLines: damaged.consecutiveBadLines,
          firstBadRow: damaged.firstBadRow ?? null,
          lastBadRow: damaged.lastBadRow ?? null,
        }),
      },
    });
    return f;
  });
  r.pages = pageNo;
  r.widest = Math.max(r.widest ?? 0, page.width);
  r.longestMm = Math.max(r.longestMm ?? 0, page.height / (LPI[page.resolution] / 25.4));
}

/** The RECV record's params: the rate from the card, resolution and size from the pages kept. */
function receiveParams(r: Receiving, rate: number | null): number {
  if (!rate) return 0;
  const lpi = r.fax.resolution ?? LPI.standard;
  const mm = r.longestMm ?? 0;
  return encodeXferParams({
    bitRate: rate,
    resolution: lpi > 300 ? 'superfine' : lpi > 150 ? 'fine' : 'standard',
    width: r.widest,
    // HylaFAX: up to 300 mm is A4, up to B4's 364 mm B4, longer unlimited
    length: mm <= 300 ? 'a4' : mm <= 364 ? 'b4' : 'unlimited',
  });
}

/** The sender's TSI is known: it is recorded, and the fax moves when a TSI rule picks another mailbox. */
export async function noteTsi(
  db: Db,
  r: Receiving,
  tsi: string,
  route: { mailbox: { id: number; name: string }; rule: string } | undefined,
): Promise<void> {
  const moved = route !== undefined && route.mailbox.id !== r.fax.mailboxId;
  r.fax = await inTransaction(db, async (trx) => {
    const f = await faxes.updateState(
      trx,
      r.fax.id,
      'receiving',
      {
        remoteStationId: tsi,
        ...(moved
          ? { mailboxId: route.mailbox.id, metadata: { ...r.fax.metadata, rule: route.rule, tsiRule: true } }
          : {}),
      },
      { from: ['receiving'] },
    );
    if (moved) {
      await appendAuditEvent(trx, {
        type: 'fax.route',
        actor: r.actor,
        subject: `fax:${r.fax.id}`,
        faxId: r.fax.id,
        mailboxId: route.mailbox.id,
        details: {
          from: r.fax.mailboxId,
          to: route.mailbox.id,
          mailbox: route.mailbox.name,
          rule: route.rule,
          tsi,
          why: 'routing rule on the sender TSI, applied after training',
        },
      });
    }
    return f;
  });
}

export interface ReceiveEnd {
  ok: boolean;
  /** Why not ok: a cause code (call class, 'partial', 'bad-document', …) and its text. */
  cause: string | null;
  causeText: string | null;
  remoteStationId: string | null;
  rate: number | null;
  conntimeSeconds: number;
  /** Default: from the start until now. */
  jobtimeSeconds?: number;
  /** Extra details for recv.end. */
  details?: Record<string, unknown>;
}

/** The end: state, recv.end and the RECV record, one transaction, only from 'receiving'. */
export async function finishReceive(db: Db, r: Receiving, end: ReceiveEnd): Promise<Fax> {
  return inTransaction(db, (trx) => closeReceiving(trx, r, end));
}

/** closeReceiving inside the caller's transaction (crash recovery shares it). */
export async function closeReceiving(trx: Db, r: Receiving, end: ReceiveEnd): Promise<Fax> {
  const f = r.fax;
  const updated = await faxes.updateState(
    trx,
    f.id,
    end.ok ? 'received' : 'failed',
    {
      remoteStationId: end.remoteStationId ?? f.remoteStationId,
      pagesTotal: r.pages,
      pagesDone: r.pages,
      completedAt: new Date(),
      cause: end.ok ? null : end.cause,
      causeText: end.ok ? null : end.causeText,
    },
    { from: ['receiving'] },
  );
  await appendAuditEvent(trx, {
    type: 'recv.end',
    actor: r.actor,
    subject: `fax:${f.id}`,
    faxId: f.id,
    mailboxId: updated.mailboxId,
    details: {
      ok: end.ok,
      pages: r.pages,
      remoteStationId: end.remoteStationId ?? f.remoteStationId ?? null,
      cause: end.ok ? null : end.cause,
      rate: end.rate,
      ...end.details,
    },
  });
  const params = receiveParams(r, end.rate);
  await recordXfer(trx, {
    type: 'RECV',
    time: r.started,
    commid: `r${f.id}`,
    device: `capi${r.controller}`,
    jobid: String(f.id),
    sender: 'fax',
    dest: f.localNumber ?? '',
    remoteStation: end.remoteStationId ?? f.remoteStationId ?? '',
    params,
    dcs: xferDcsText(params),
    npages: r.pages,
    jobtimeSeconds: end.jobtimeSeconds ?? Math.max(0, Math.round((Date.now() - r.started.getTime()) / 1000)),
    conntimeSeconds: end.conntimeSeconds,
    reason: end.ok ? '' : (end.causeText ?? ''),
    cidNumber: r.caller,
    faxId: f.id,
    mailboxId: updated.mailboxId,
    resultCode: end.ok ? 'ok' : (end.cause ?? 'failed'),
  });
  return updated;
}

/** "2 pages kept" / "1 page kept" / "no page kept". */
export function pagesKept(n: number): string {
  return n === 0 ? 'no page kept' : `${n} page${n === 1 ? '' : 's'} kept`;
}
