// Which faxes a CLI caller may list. The OS account (no --as) is trusted and sees all;
// holders of metadata.read or queue.read (admin, post office, operator, auditor) see every
// outgoing fax; anyone else sees faxes of mailboxes it holds a right on, and its own.
import { can, canReadMetadata, type Fax, type Permission } from '@faxgate/store';
import type { CliSession } from '../session.js';

export type FaxFilter = (fax: Fax) => Promise<boolean>;

/** Outgoing faxes (metadata only): status table. */
export async function outgoingVisibility(s: CliSession): Promise<FaxFilter> {
  const user = s.asUser;
  if (user === null) return async () => true;
  if ((await can(s.db, user, 'metadata.read')) || (await can(s.db, user, 'queue.read'))) {
    return async () => true;
  }
  const me = await s.db('users').where({ name: user }).first('id');
  return byMailbox(
    (mailboxId) => canReadMetadata(s.db, user, mailboxId),
    (fax) => fax.ownerUserId === me?.id,
  );
}

/** Faxes of mailboxes on which the caller holds `right` (e.g. in.read for the inbox). */
export function rightVisibility(s: CliSession, right: Permission): FaxFilter {
  const user = s.asUser;
  if (user === null) return async () => true;
  return byMailbox((mailboxId) => can(s.db, user, right, mailboxId));
}

/** One rights check per mailbox, however many faxes it holds. */
function byMailbox(check: (mailboxId: number) => Promise<boolean>, also?: (fax: Fax) => boolean): FaxFilter {
  const seen = new Map<number, Promise<boolean>>();
  return async (fax) => {
    if (also?.(fax)) return true;
    if (fax.mailboxId === null) return false;
    let ok = seen.get(fax.mailboxId);
    if (!ok) {
      ok = check(fax.mailboxId);
      seen.set(fax.mailboxId, ok);
    }
    return ok;
  };
}
