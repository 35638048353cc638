// Who may see which fax, for the API: thin wrappers around the one rule in the store
// (store/src/visibility.ts — metadata and content), plus the sending mailbox of a submission.
import {
  can,
  canReadFaxContent,
  canSeeFax,
  type Db,
  type Fax,
  faxes,
  loadViewer,
  mailboxes,
  whereFaxVisible,
} from '@faxgate/store';
import type { Principal } from './context.js';
import { ApiError } from './errors.js';

export function canSeeMetadata(db: Db, p: Principal, fax: Fax): Promise<boolean> {
  return canSeeFax(db, p.user.id, fax);
}

export function canReadContent(db: Db, p: Principal, fax: Fax): Promise<boolean> {
  return canReadFaxContent(db, p.user.id, fax);
}

export interface FaxQuery {
  direction?: 'in' | 'out';
  states?: string[];
  mailbox?: number;
  limit: number;
  before?: number;
  /** Digits the remote number contains (the console's search). */
  numberDigits?: string;
  /** Created at or after / before these times. */
  from?: Date;
  to?: Date;
}

/** A page of faxes visible to `p`, newest first (keyset paging on id). */
export async function listVisible(db: Db, p: Principal, q: FaxQuery): Promise<Fax[]> {
  const viewer = await loadViewer(db, p.user.id);
  if (!viewer) return [];
  const sql = db('faxes').orderBy('id', 'desc').limit(q.limit);
  if (q.direction) sql.where('direction', q.direction);
  if (q.states?.length) sql.whereIn('state', q.states);
  if (q.mailbox !== undefined) sql.where('mailbox_id', q.mailbox);
  if (q.before !== undefined) sql.where('id', '<', q.before);
  if (q.numberDigits)
    sql.whereRaw(`regexp_replace(coalesce(remote_number, ''), '[^0-9]', '', 'g') LIKE ?`, [
      `%${q.numberDigits}%`,
    ]);
  if (q.from) sql.where('created_at', '>=', q.from);
  if (q.to) sql.where('created_at', '<', q.to);
  whereFaxVisible(sql, viewer, q.direction);
  return (await sql).map(faxes.toFax);
}

/** The outgoing mailbox a submission goes from: the named one, or the only one `p` may send from. */
export async function sendingMailbox(db: Db, p: Principal, ref: string | undefined): Promise<number> {
  if (ref !== undefined) {
    const m = await mailboxes.find(db, /^[0-9]+$/.test(ref) ? Number(ref) : ref);
    if (m?.kind !== 'outgoing')
      throw new ApiError(404, 'not_found', `no outgoing mailbox ${JSON.stringify(ref)}`);
    return m.id;
  }
  const outgoing = await mailboxes.list(db, { kind: 'outgoing' });
  const mine = [];
  for (const m of outgoing) if (await can(db, { id: p.user.id }, 'out.send', m.id)) mine.push(m);
  if (mine.length === 1) return mine[0].id;
  // The only mailbox there is: the rights check refuses and records it.
  if (mine.length === 0 && outgoing.length === 1) return outgoing[0].id;
  if (mine.length === 0)
    throw new ApiError(403, 'forbidden', `${p.user.name} may not send from any outgoing mailbox`);
  throw new ApiError(
    400,
    'invalid_input',
    `give mailbox: ${p.user.name} may send from ${mine.map((m) => m.name).join(', ')}`,
  );
}
