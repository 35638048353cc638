// Legal holds: a fax, or every fax of a mailbox, that retention never deletes while held.
// Setting and clearing lock the fax or mailbox row, as the retention run does before it
// deletes, so a hold committed before the run's check is always seen. Both are audited
// (retention.hold / retention.release) in the same transaction as the change.
import { appendAuditEvent } from '@faxgate/audit';
import { ConflictError, type Db, InvalidInputError, inTransaction, NotFoundError } from '@faxgate/store';

export type HoldTarget = { faxId: number } | { mailbox: string };

export interface LegalHold {
  id: number;
  faxId: number | null;
  mailboxId: number | null;
  mailbox: string | null;
  reason: string;
  setBy: string;
  setAt: Date;
  clearedBy: string | null;
  clearedAt: Date | null;
}

export interface HoldActor {
  name: string;
  id?: number | null;
}

interface Locked {
  column: 'fax_id' | 'mailbox_id';
  id: number;
  subject: string;
  faxId: number | null;
  mailboxId: number | null;
}

/** Locks the fax or mailbox row for the rest of the transaction. */
async function lockTarget(trx: Db, target: HoldTarget): Promise<Locked> {
  if ('faxId' in target) {
    const row = await trx('faxes').where({ id: target.faxId }).forUpdate().first('id', 'mailbox_id');
    if (!row) throw new NotFoundError('fax', target.faxId);
    const id = Number(row.id);
    return { column: 'fax_id', id, subject: `fax:${id}`, faxId: id, mailboxId: row.mailbox_id ?? null };
  }
  const row = await trx('mailboxes').where({ name: target.mailbox }).forUpdate().first('id');
  if (!row) throw new NotFoundError('mailbox', target.mailbox);
  const id = Number(row.id);
  return { column: 'mailbox_id', id, subject: `mailbox:${target.mailbox}`, faxId: null, mailboxId: id };
}

const describe = (t: HoldTarget) => ('faxId' in t ? `fax ${t.faxId}` : `mailbox ${t.mailbox}`);

export async function setHold(
  db: Db,
  actor: HoldActor,
  target: HoldTarget,
  reason: string,
): Promise<LegalHold> {
  const why = reason.trim();
  if (why.length === 0 || why.length > 500) throw new InvalidInputError('reason: 1..500 characters');
  return inTransaction(db, async (trx) => {
    const t = await lockTarget(trx, target);
    const active = await trx('legal_holds').where(t.column, t.id).whereNull('cleared_at').first('id');
    if (active) throw new ConflictError(`${describe(target)} is already on legal hold (hold ${active.id})`);
    const [row] = await trx('legal_holds')
      .insert({ [t.column]: t.id, reason: why, set_by: actor.name })
      .returning('id');
    await appendAuditEvent(trx, {
      type: 'retention.hold',
      actor: actor.name,
      actorId: actor.id ?? null,
      subject: t.subject,
      faxId: t.faxId,
      mailboxId: t.mailboxId,
      details: { hold: Number(row.id), reason: why },
    });
    return getHold(trx, Number(row.id));
  });
}

export async function clearHold(db: Db, actor: HoldActor, target: HoldTarget): Promise<LegalHold> {
  return inTransaction(db, async (trx) => {
    const t = await lockTarget(trx, target);
    const [row] = await trx('legal_holds')
      .where(t.column, t.id)
      .whereNull('cleared_at')
      .update({ cleared_at: trx.fn.now(), cleared_by: actor.name })
      .returning('id');
    if (!row)
      throw new NotFoundError('legal hold', describe(target), `${describe(target)} is not on legal hold`);
    await appendAuditEvent(trx, {
      type: 'retention.release',
      actor: actor.name,
      actorId: actor.id ?? null,
      subject: t.subject,
      faxId: t.faxId,
      mailboxId: t.mailboxId,
      details: { hold: Number(row.id) },
    });
    return getHold(trx, Number(row.id));
  });
}

function holdsQuery(db: Db) {
  return db('legal_holds as h')
    .leftJoin('mailboxes as m', 'm.id', 'h.mailbox_id')
    .select('h.*', 'm.name as mailbox');
}

function toHold(r: Record<string, unknown>): LegalHold {
  const id = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    id: Number(r.id),
    faxId: id(r.fax_id),
    mailboxId: id(r.mailbox_id),
    mailbox: (r.mailbox as string | null) ?? null,
    reason: r.reason as string,
    setBy: r.set_by as string,
    setAt: r.set_at as Date,
    clearedBy: (r.cleared_by as string | null) ?? null,
    clearedAt: (r.cleared_at as Date | null) ?? null,
  };
}

async function getHold(db: Db, id: number): Promise<LegalHold> {
  return toHold(await holdsQuery(db).where('h.id', id).first());
}

/** Active holds (or all, cleared ones too), newest first. */
export async function listHolds(db: Db, opts: { all?: boolean } = {}): Promise<LegalHold[]> {
  const q = holdsQuery(db).orderBy('h.id', 'desc').limit(10_000);
  if (!opts.all) q.whereNull('h.cleared_at');
  return (await q).map(toHold);
}

/** SQL condition: the fax `f` is held, itself or through its mailbox. */
export const HELD_SQL = `EXISTS (SELECT 1 FROM legal_holds h
   WHERE h.cleared_at IS NULL AND (h.fax_id = f.id OR h.mailbox_id = f.mailbox_id))`;
