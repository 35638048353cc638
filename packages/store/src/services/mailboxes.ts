// Mailboxes (incoming or outgoing) and the fax numbers routed to them.
import type { Db } from '../db.js';
import { inTransaction } from '../db.js';
import { ConflictError, InvalidInputError, NotFoundError } from '../errors.js';
import { isMailboxKind, MAILBOX_KINDS, type MailboxKind } from '../model.js';
import { checkId, checkNoControl } from '../names.js';
import { checkName, type Ref, resolveId } from './refs.js';

export interface Mailbox {
  id: number;
  name: string;
  kind: MailboxKind;
  description: string;
  /** Fax numbers of this mailbox, sorted. */
  numbers: string[];
  createdAt: Date;
}

export interface AddMailboxInput {
  name: string;
  kind: MailboxKind;
  description?: string;
  numbers?: string[];
}

const NUMBER_RE = /^\+?[0-9]{1,32}$/;

/** Fax numbers as stored: digits with an optional leading '+', spaces, dashes, dots, slashes and parentheses removed. */
export function normaliseNumber(number: unknown): string {
  const n = typeof number === 'string' ? number.replace(/[\s\-./()]/g, '') : '';
  if (!NUMBER_RE.test(n)) {
    throw new InvalidInputError(
      `fax number ${JSON.stringify(number)} is invalid: digits with an optional leading +, at most 32`,
    );
  }
  return n;
}

function checkKind(kind: unknown): MailboxKind {
  if (!isMailboxKind(kind)) {
    throw new InvalidInputError(
      `unknown mailbox kind ${JSON.stringify(kind)} (kinds: ${MAILBOX_KINDS.join(', ')})`,
    );
  }
  return kind;
}

interface MailboxRow {
  id: number;
  name: string;
  kind: MailboxKind;
  description: string;
  created_at: Date;
  numbers: string[] | null;
}

function mailboxQuery(db: Db) {
  return db({ mb: 'mailboxes' })
    .select('mb.id', 'mb.name', 'mb.kind', 'mb.description', 'mb.created_at')
    .select(
      db.raw(`COALESCE((SELECT array_agg(n.number ORDER BY n.number) FROM mailbox_numbers n
               WHERE n.mailbox_id = mb.id), '{}') AS numbers`),
    );
}

function toMailbox(row: MailboxRow): Mailbox {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    description: row.description,
    numbers: row.numbers ?? [],
    createdAt: row.created_at,
  };
}

export async function find(db: Db, ref: Ref): Promise<Mailbox | null> {
  const row = await mailboxQuery(db)
    .where(
      typeof ref === 'number'
        ? { 'mb.id': checkId('mailbox', ref) }
        : { 'mb.name': checkNoControl('mailbox name', ref) },
    )
    .first();
  return row ? toMailbox(row) : null;
}

export async function get(db: Db, ref: Ref): Promise<Mailbox> {
  const m = await find(db, ref);
  if (!m) throw new NotFoundError('mailbox', ref);
  return m;
}

export async function list(db: Db, options: { kind?: MailboxKind } = {}): Promise<Mailbox[]> {
  const q = mailboxQuery(db).orderBy('mb.name');
  if (options.kind !== undefined) q.where('mb.kind', checkKind(options.kind));
  return ((await q) as MailboxRow[]).map(toMailbox);
}

/** The mailbox of `kind` that owns `number`, or null. */
export async function findByNumber(db: Db, number: string, kind: MailboxKind): Promise<Mailbox | null> {
  const n = normaliseNumber(number);
  const row = await db('mailbox_numbers')
    .select('mailbox_id')
    .where({ kind: checkKind(kind), number: n })
    .first();
  return row ? get(db, row.mailbox_id as number) : null;
}

async function insertNumbers(db: Db, mailboxId: number, kind: MailboxKind, numbers: string[]): Promise<void> {
  for (const number of numbers) {
    const rows = await db('mailbox_numbers')
      .insert({ mailbox_id: mailboxId, kind, number })
      .onConflict(['kind', 'number'])
      .ignore()
      .returning('number');
    if (rows.length === 0) {
      const owner = await db({ n: 'mailbox_numbers' })
        .join({ mb: 'mailboxes' }, 'mb.id', 'n.mailbox_id')
        .where({ 'n.kind': kind, 'n.number': number })
        .first('mb.name', 'mb.id');
      if (owner && owner.id !== mailboxId) {
        throw new ConflictError(
          `fax number ${number} already belongs to ${kind} mailbox ${JSON.stringify(owner.name)}`,
        );
      }
    }
  }
}

export async function add(db: Db, input: AddMailboxInput): Promise<Mailbox> {
  const name = checkName('mailbox', input.name);
  const kind = checkKind(input.kind);
  const numbers = [...new Set((input.numbers ?? []).map(normaliseNumber))];
  return inTransaction(db, async (trx) => {
    // Check every number first, so that a conflict leaves nothing behind even in a caller's transaction.
    const taken = numbers.length
      ? await trx({ n: 'mailbox_numbers' })
          .join({ mb: 'mailboxes' }, 'mb.id', 'n.mailbox_id')
          .where('n.kind', kind)
          .whereIn('n.number', numbers)
          .first('n.number', 'mb.name')
      : undefined;
    if (taken) {
      throw new ConflictError(
        `fax number ${taken.number} already belongs to ${kind} mailbox ${JSON.stringify(taken.name)}`,
      );
    }
    const [row] = await trx('mailboxes')
      .insert({ name, kind, description: input.description ?? '' })
      .onConflict('name')
      .ignore()
      .returning('id');
    if (!row) throw new ConflictError(`mailbox ${JSON.stringify(name)} already exists`);
    await insertNumbers(trx, row.id as number, kind, numbers);
    return get(trx, row.id as number);
  });
}

/** Routes another fax number to a mailbox (ConflictError if another mailbox of the same kind has it). */
export async function addNumber(db: Db, mailbox: Ref, number: string): Promise<Mailbox> {
  const n = normaliseNumber(number);
  const m = await get(db, mailbox);
  await insertNumbers(db, m.id, m.kind, [n]);
  return get(db, m.id);
}

/** Removes a fax number from a mailbox; returns false when the mailbox did not have it. */
export async function removeNumber(db: Db, mailbox: Ref, number: string): Promise<boolean> {
  const n = normaliseNumber(number);
  const id = await resolveId(db, 'mailboxes', 'mailbox', mailbox);
  return (await db('mailbox_numbers').where({ mailbox_id: id, number: n }).delete()) > 0;
}
