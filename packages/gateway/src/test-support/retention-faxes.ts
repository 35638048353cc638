// Finished faxes with real pages for the retention tests: inserted as the pipeline leaves
// them (a terminal state, completed_at set, MMR TIFF pages, a send/receive log row).
import { type Db, type Fax, type FaxState, faxes, faxPages } from '@faxgate/store';
import { testTiff } from './api-fixture.js';

export interface FinishedFaxInput {
  direction: 'in' | 'out';
  state: FaxState;
  mailboxId: number | null;
  /** How long ago it finished. */
  daysAgo: number;
  pages?: number;
}

export async function finishedFax(db: Db, i: FinishedFaxInput): Promise<Fax> {
  const completedAt = new Date(Date.now() - i.daysAgo * 86_400_000);
  const pages = i.pages ?? 2;
  const fax = await faxes.insert(db, {
    direction: i.direction,
    state: i.state,
    mailboxId: i.mailboxId,
    remoteNumber: '+49305551000',
    pagesTotal: pages,
    pagesDone: pages,
    completedAt,
  });
  for (let n = 1; n <= pages; n++) {
    await faxPages.add(db, fax.id, {
      pageNo: n,
      tiff: testTiff(1, 200 + n * 10),
      width: 1728,
      height: 200 + n * 10,
    });
  }
  await db('xfer_log').insert({
    time: completedAt,
    type: i.direction === 'out' ? 'SEND' : 'RECV',
    jobid: String(fax.id),
    npages: pages,
    fax_id: fax.id,
    mailbox_id: i.mailboxId,
  });
  return fax;
}

/** Pages left of each fax, and its state: what a run may change. */
export async function payloadState(db: Db, ids: number[]): Promise<Record<number, string>> {
  const out: Record<number, string> = {};
  for (const id of ids) {
    const f = await faxes.get(db, id);
    out[id] = `${f.state}/${(await faxPages.list(db, id)).length}`;
  }
  return out;
}
