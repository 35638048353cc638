// The mailbox a fax forwarded to a user goes into: the user's personal incoming mailbox,
// which is the one incoming mailbox on which `in.read` is granted to the user directly (not
// through a group: a group's mailbox belongs to the group). None, or several, is refused
// with the names, so the caller forwards to a mailbox instead — never a guess.
import { type Db, InvalidInputError, type Mailbox, mailboxes, NotFoundError, users } from '@faxgate/store';

export async function personalMailbox(
  db: Db,
  userName: string,
): Promise<{ userId: number; mailbox: Mailbox }> {
  const user = await users.find(db, userName);
  if (!user) throw new NotFoundError('user', userName);
  if (user.disabled)
    throw new InvalidInputError(`user ${user.name} is disabled: forward to a mailbox instead`);
  const rows: Array<{ id: number }> = await db({ g: 'grants' })
    .join({ mb: 'mailboxes' }, 'mb.id', 'g.mailbox_id')
    .where({ 'g.user_id': user.id, 'g.right': 'in.read', 'mb.kind': 'incoming' })
    .distinct('mb.id')
    .orderBy('mb.id');
  if (rows.length === 0) {
    throw new InvalidInputError(
      `user ${user.name} has no personal incoming mailbox (one with in.read granted to them directly): forward to a mailbox instead`,
    );
  }
  const boxes = await Promise.all(rows.map((r) => mailboxes.get(db, Number(r.id))));
  if (boxes.length > 1) {
    throw new InvalidInputError(
      `user ${user.name} reads several incoming mailboxes (${boxes.map((b) => b.name).join(', ')}): forward to one of them`,
    );
  }
  return { userId: user.id, mailbox: boxes[0] };
}
