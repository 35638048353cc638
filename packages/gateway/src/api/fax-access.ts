// Who may see which fax. Metadata (numbers, times, pages, state): holders of metadata.read
// or queue.read see all outgoing faxes, metadata.read all incoming ones; others the faxes of
// mailboxes they hold a right on, and their own. Content (the pages) is stricter: in.read
// on the mailbox for a received fax; for a sent one its owner or out.send/out.modify on
// the mailbox — never the auditor (store/authz.ts `decide`).
import { can, type Db, type Fax, faxes, mailboxes } from '@faxgate/store';
import type { Principal } from './context.js';
import { ApiError } from './errors.js';

/** Mailbox ids whose fax metadata `p` sees, or 'all'. */
export async function visibleMailboxes(
  db: Db,
  p: Principal,
  direction?: 'in' | 'out',
): Promise<number[] | 'all'> {
  const me = { id: p.user.id };
  if (await can(db, me, 'metadata.read')) return 'all';
  if (direction === 'out' && (await can(db, me, 'queue.read'))) return 'all';
  if (p.user.roles.includes('auditor')) return [];
  const ids: number[] = [];
  const { rows } = await db.raw(
    `SELECT DISTINCT g.mailbox_id AS id FROM grants g
      WHERE g.user_id = ? OR g.group_id IN (SELECT group_id FROM group_members WHERE user_id = ?)`,
    [p.user.id, p.user.id],
  );
  for (const r of rows as Array<{ id: string | number }>) ids.push(Number(r.id));
  return ids;
}

export async function canSeeMetadata(db: Db, p: Principal, fax: Fax): Promise<boolean> {
  if (fax.ownerUserId === p.user.id) return true;
  const visible = await visibleMailboxes(db, p, fax.direction);
  return visible === 'all' || (fax.mailboxId !== null && visible.includes(fax.mailboxId));
}

export async function canReadContent(db: Db, p: Principal, fax: Fax): Promise<boolean> {
  if (fax.mailboxId === null) return false;
  const me = { id: p.user.id };
  if (fax.direction === 'in') return can(db, me, 'in.read', fax.mailboxId);
  if (p.user.roles.includes('auditor')) return false;
  if (fax.ownerUserId === p.user.id) return true;
  return (await can(db, me, 'out.send', fax.mailboxId)) || can(db, me, 'out.modify', fax.mailboxId);
}

export interface FaxQuery {
  direction?: 'in' | 'out';
  states?: string[];
  mailbox?: number;
  limit: number;
  before?: number;
}

/** A page of faxes visible to `p`, newest first (keyset paging on id). */
export async function listVisible(db: Db, p: Principal, q: FaxQuery): Promise<Fax[]> {
  const visible = await visibleMailboxes(db, p, q.direction);
  const sql = db('faxes').orderBy('id', 'desc').limit(q.limit);
  if (q.direction) sql.where('direction', q.direction);
  if (q.states?.length) sql.whereIn('state', q.states);
  if (q.mailbox !== undefined) sql.where('mailbox_id', q.mailbox);
  if (q.before !== undefined) sql.where('id', '<', q.before);
  if (visible !== 'all') {
    sql.where((w) => {
      w.where('owner_user_id', p.user.id);
      if (visible.length > 0) w.orWhereIn('mailbox_id', visible);
    });
  }
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
