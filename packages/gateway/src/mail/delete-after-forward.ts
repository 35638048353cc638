// "Delete incoming after forwarding" (mailboxes.mail_delete_after_forward): a received fax's
// content goes only once the relay has accepted every mail for it (fax.received and
// fax.forward rows all `sent`, none with a rejected recipient) and no legal hold applies. It
// goes the way a user's delete goes (pipeline/delete.ts): pages removed, the row kept as
// `deleted` with its record, a fax.delete event — here by the system, with the mails named.
import { appendAuditEvent } from '@faxgate/audit';
import { type Db, faxes, faxPages, inTransaction } from '@faxgate/store';
import { HELD_SQL } from '../retention/holds.js';

const FORWARDING = ['fax.received', 'fax.forward'];

/** Deletes fax `faxId` when its mailbox asks for it and every forwarding mail was accepted; true when deleted. */
export async function deleteIfForwarded(db: Db, faxId: number, actor = 'system'): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    // Locked: two mails accepted at once decide one after the other.
    const f = await trx('faxes as f')
      .join('mailboxes as m', 'm.id', 'f.mailbox_id')
      .where('f.id', faxId)
      .forUpdate('f')
      .first(
        'f.id',
        'f.state',
        'f.direction',
        'f.mailbox_id',
        'f.metadata',
        'm.mail_delete_after_forward',
        trx.raw(`${HELD_SQL} AS held`),
      );
    if (f?.direction !== 'in' || !f.mail_delete_after_forward || f.held) return false;
    if (f.state !== 'received' && f.state !== 'delivered') return false;
    const mails = await trx('mail_outbox')
      .where({ fax_id: faxId })
      .whereIn('purpose', FORWARDING)
      .select('id', 'state', 'last_error');
    if (mails.length === 0 || mails.some((m) => m.state !== 'sent' || m.last_error !== null)) return false;
    const pagesDeleted = await faxPages.deleteAll(trx, faxId);
    await faxes.updateState(
      trx,
      faxId,
      'deleted',
      {
        metadata: {
          ...f.metadata,
          deletedFrom: f.state,
          deletedBy: actor,
          pagesDeleted,
          deletedAfterMail: true,
        },
      },
      { from: ['received', 'delivered'] },
    );
    await appendAuditEvent(trx, {
      type: 'fax.delete',
      actor,
      subject: `fax:${faxId}`,
      faxId,
      mailboxId: Number(f.mailbox_id),
      details: {
        direction: 'in',
        was: f.state,
        stopped: false,
        pagesDeleted,
        reason: 'forwarded by e-mail',
        mails: mails.map((m) => Number(m.id)),
      },
    });
    return true;
  });
}
