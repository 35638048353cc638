// The sending window at claim time: a fax whose turn comes outside `queue.timeOfDay` is not
// dialled; its not_before moves to the next window start (state unchanged), with a
// `job.delayed` audit event in the same transaction, and its job waits until then.
import { appendAuditEvent } from '@faxgate/audit';
import { type Db, type Fax, faxes, inTransaction, StateConflictError } from '@faxgate/store';
import type { QueueSettings } from './settings.js';
import { nextWindowStart } from './time-of-day.js';
import { QUEUED_STATES } from './transitions.js';

type Window = Pick<QueueSettings, 'timeOfDay' | 'timeZone'>;

/** When the window next opens, or undefined when `now` is inside it (or there is none). */
export function windowOpensAt(settings: Window, now: number): Date | undefined {
  if (!settings.timeOfDay) return undefined;
  const opens = nextWindowStart(settings.timeOfDay, new Date(now), settings.timeZone);
  return opens.getTime() > now ? opens : undefined;
}

/** Records the delay; undefined when the fax left the queued states meanwhile (stopped). */
export async function deferToWindow(
  db: Db,
  faxId: number,
  opensAt: Date,
  settings: Window,
  actor: string,
): Promise<Fax | undefined> {
  return inTransaction(db, async (trx) => {
    const before = await faxes.getForUpdate(trx, faxId);
    const after = await faxes.updateState(
      trx,
      faxId,
      before.state,
      { notBefore: opensAt },
      { from: QUEUED_STATES },
    );
    await appendAuditEvent(trx, {
      type: 'job.delayed',
      actor,
      subject: `fax:${faxId}`,
      faxId,
      mailboxId: before.mailboxId,
      details: {
        reason: 'outside the sending window',
        timeOfDay: settings.timeOfDay?.text ?? 'Any',
        timeZone: settings.timeZone,
        notBefore: opensAt.toISOString(),
      },
    });
    return after;
  }).catch((e) => {
    if (e instanceof StateConflictError) return undefined;
    throw e;
  });
}
