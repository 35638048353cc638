// A mailbox's e-mail side (issue 19 item 1; mailbox.manage, operation `mailbox.mail`): the
// addresses its received faxes are mailed to, TIFF beside the PDF, and "delete after
// forwarding". Checked and audited like every directory operation (actor.ts).
import { type Db, mailboxes } from '@faxgate/store';
import { checkMailAddress } from '../../mail/address.js';
import { type Actor, refOf, runOperation } from './actor.js';

export interface MailboxMail {
  mailbox: string;
  recipients: string[];
  attachTiff: boolean;
  deleteAfterForward: boolean;
}

async function read(trx: Db, id: number, name: string): Promise<MailboxMail> {
  const row = await trx('mailboxes').where({ id }).first('mail_attach_tiff', 'mail_delete_after_forward');
  const recipients = await trx('mailbox_mail_recipients')
    .where({ mailbox_id: id })
    .orderBy('address')
    .pluck('address');
  return {
    mailbox: name,
    recipients,
    attachTiff: row.mail_attach_tiff,
    deleteAfterForward: row.mail_delete_after_forward,
  };
}

export function getMailboxMail(db: Db, actor: Actor, mailbox: string | number): Promise<MailboxMail> {
  return runOperation(db, actor, async (ctx) => {
    ctx.authorize('mailbox.mail', `read the e-mail settings of mailbox ${mailbox}`);
    const box = await mailboxes.get(ctx.trx, refOf(mailbox));
    return read(ctx.trx, box.id, box.name);
  });
}

/** Adds (`add: true`) or removes a recipient address; returns the settings afterwards. */
export function setMailRecipient(
  db: Db,
  actor: Actor,
  input: { mailbox: string | number; address: string; add: boolean },
): Promise<MailboxMail> {
  return runOperation(db, actor, async (ctx) => {
    ctx.authorize('mailbox.mail', `change the e-mail recipients of mailbox ${input.mailbox}`);
    const box = await mailboxes.get(ctx.trx, refOf(input.mailbox));
    const address = checkMailAddress(input.address, 'recipient');
    if (input.add) {
      const added = await ctx
        .trx('mailbox_mail_recipients')
        .insert({ mailbox_id: box.id, address })
        .onConflict(['mailbox_id', 'address'])
        .ignore()
        .returning('address');
      if (added.length)
        await ctx.audit('admin.mailbox_modify', `mailbox:${box.name}`, { mailRecipientAdded: address });
    } else if (await ctx.trx('mailbox_mail_recipients').where({ mailbox_id: box.id, address }).delete()) {
      await ctx.audit('admin.mailbox_modify', `mailbox:${box.name}`, { mailRecipientRemoved: address });
    }
    return read(ctx.trx, box.id, box.name);
  });
}

export function setMailboxMailOptions(
  db: Db,
  actor: Actor,
  input: { mailbox: string | number; attachTiff?: boolean; deleteAfterForward?: boolean },
): Promise<MailboxMail> {
  return runOperation(db, actor, async (ctx) => {
    ctx.authorize('mailbox.mail', `change the mail options of mailbox ${input.mailbox}`);
    const box = await mailboxes.get(ctx.trx, refOf(input.mailbox));
    const change: Record<string, boolean> = {};
    if (input.attachTiff !== undefined) change.mail_attach_tiff = input.attachTiff;
    if (input.deleteAfterForward !== undefined) change.mail_delete_after_forward = input.deleteAfterForward;
    if (Object.keys(change).length > 0) {
      await ctx.trx('mailboxes').where({ id: box.id }).update(change);
      await ctx.audit('admin.mailbox_modify', `mailbox:${box.name}`, {
        ...(input.attachTiff !== undefined ? { mailAttachTiff: input.attachTiff } : {}),
        ...(input.deleteAfterForward !== undefined
          ? { mailDeleteAfterForward: input.deleteAfterForward }
          : {}),
      });
    }
    return read(ctx.trx, box.id, box.name);
  });
}
