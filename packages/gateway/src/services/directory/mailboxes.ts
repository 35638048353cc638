// Mailbox operations of the directory service layer: listing (all with mailbox.manage, else
// the mailboxes the actor holds a right on), creating, and routing fax numbers to them.
import { can, type Db, type Mailbox, type MailboxKind, mailboxes } from '@faxgate/store';
import { type Actor, refOf, runOperation } from './actor.js';

/** Mailboxes the actor may know of: all with mailbox.manage, else those it holds a right on. */
export function listMailboxes(db: Db, actor: Actor): Promise<Mailbox[]> {
  return runOperation(db, actor, async (ctx) => {
    const all = await mailboxes.list(ctx.trx);
    const id = ctx.actor.id;
    if (id === null || (await can(ctx.trx, { id }, 'mailbox.manage'))) return all;
    const { rows } = await ctx.trx.raw(
      `SELECT DISTINCT mailbox_id AS id FROM grants
        WHERE user_id = ? OR group_id IN (SELECT group_id FROM group_members WHERE user_id = ?)`,
      [id, id],
    );
    const mine = new Set((rows as Array<{ id: string | number }>).map((r) => Number(r.id)));
    return all.filter((m) => mine.has(m.id));
  });
}

export interface CreateMailboxInput {
  name: string;
  kind: MailboxKind;
  description?: string;
  numbers?: string[];
}

export function createMailbox(db: Db, actor: Actor, input: CreateMailboxInput): Promise<Mailbox> {
  return runOperation(db, actor, async (ctx) => {
    ctx.authorize('mailbox.create', `create mailbox ${input.name}`);
    const created = await mailboxes.add(ctx.trx, input);
    await ctx.audit('admin.mailbox_add', `mailbox:${created.name}`, {
      kind: created.kind,
      numbers: created.numbers,
    });
    return created;
  });
}

/** Routes (`add: true`) or unroutes a fax number; returns the mailbox afterwards. */
export function setNumber(
  db: Db,
  actor: Actor,
  input: { mailbox: string | number; number: string; add: boolean },
): Promise<Mailbox> {
  return runOperation(db, actor, async (ctx) => {
    ctx.authorize('mailbox.number', `change the numbers of mailbox ${input.mailbox}`);
    const box = await mailboxes.get(ctx.trx, refOf(input.mailbox));
    if (input.add) {
      await mailboxes.addNumber(ctx.trx, box.id, input.number);
      await ctx.audit('admin.number_add', `mailbox:${box.name}`, { number: input.number });
    } else if (await mailboxes.removeNumber(ctx.trx, box.id, input.number)) {
      await ctx.audit('admin.number_remove', `mailbox:${box.name}`, { number: input.number });
    }
    return mailboxes.get(ctx.trx, box.id);
  });
}
