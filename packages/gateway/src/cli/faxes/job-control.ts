// faxgate modify | resubmit | settle | rm — job control on the pipeline's functions, like
// `stop`: --as names the user whose rights apply, a refusal is recorded (access.denied) and
// exits 2 with nothing changed.
import { appendAuditEvent } from '@faxgate/audit';
import {
  can,
  type Fax,
  ForbiddenError,
  faxes,
  InvalidInputError,
  NotFoundError,
  StateConflictError,
} from '@faxgate/store';
import { deleteFax } from '../../pipeline/delete.js';
import { DestinationRefusedError } from '../../pipeline/errors.js';
import { type ModifyChanges, type ModifyResult, modifyFax } from '../../pipeline/modify.js';
import { type ResubmitResult, resubmitFax } from '../../pipeline/resubmit.js';
import { queueSettings } from '../../pipeline/settings.js';
import { SETTLE_DECISIONS, type SettleDecision, settleOutcome } from '../../pipeline/settle.js';
import { CliError } from '../errors.js';
import { type CliSession, requirePermission } from '../session.js';
import { openCliQueue } from './queue-access.js';
import { parsePriority, routerFor, time } from './send.js';

function needUser(s: CliSession, what: string): string {
  if (s.asUser === null) throw new CliError(`${what} needs --as USER (the rights of that user apply)`, 2);
  return s.asUser;
}

async function outgoing(s: CliSession, jid: number): Promise<Fax & { mailboxId: number }> {
  const fax = await faxes.find(s.db, jid);
  if (!fax) throw new CliError(`no fax ${jid}`, 2);
  if (fax.direction !== 'out' || fax.mailboxId === null)
    throw new CliError(`fax ${jid} is not an outgoing fax`, 2);
  return fax as Fax & { mailboxId: number };
}

/** The pipeline's refusals as one line and exit 2: nothing was changed. */
function refusal(e: unknown): never {
  if (e instanceof DestinationRefusedError)
    throw new CliError(`${e.message} (rule ${e.rule}); nothing changed`, 2);
  if (
    e instanceof InvalidInputError ||
    e instanceof ForbiddenError ||
    e instanceof StateConflictError ||
    e instanceof NotFoundError
  ) {
    throw new CliError(e.message, 2);
  }
  throw e;
}

export interface ModifyOptions {
  destination?: string;
  sendAt?: string;
  killTime?: string;
  priority?: string;
  resolution?: 'standard' | 'fine';
}

export async function modify(s: CliSession, jid: number, o: ModifyOptions): Promise<ModifyResult> {
  const user = needUser(s, 'modify');
  const now = new Date();
  const changes: ModifyChanges = {
    number: o.destination,
    sendAt: time(o.sendAt, now, '-a'),
    killTime: time(o.killTime, now, '-k'),
    priority: parsePriority(o.priority),
    resolution: o.resolution,
  };
  if (Object.values(changes).every((v) => v === undefined))
    throw new CliError('give what to change: -d, -a, -k, -P or -r', 2);
  const fax = await outgoing(s, jid);
  await requirePermission(s, 'out.modify', `modify fax ${jid}`, fax.mailboxId);
  const router = await routerFor(s);
  const q = await openCliQueue(s.loaded.config);
  try {
    return await modifyFax({ db: s.db, queue: q.queue, router }, { actor: user, faxId: jid, changes }).catch(
      refusal,
    );
  } finally {
    await q.close();
  }
}

export async function resubmit(
  s: CliSession,
  jid: number,
  o: { destination?: string },
): Promise<ResubmitResult> {
  const user = needUser(s, 'resubmit');
  const fax = await outgoing(s, jid);
  await requirePermission(s, 'out.send', `resubmit fax ${jid}`, fax.mailboxId);
  const router = await routerFor(s);
  const config = s.loaded.config;
  const q = await openCliQueue(config);
  try {
    return await resubmitFax(
      { db: s.db, queue: q.queue, router, settings: queueSettings(config) },
      { actor: user, faxId: jid, number: o.destination },
    ).catch(refusal);
  } finally {
    await q.close();
  }
}

export function parseDecision(text: string): SettleDecision {
  if (!(SETTLE_DECISIONS as readonly string[]).includes(text))
    throw new CliError(`decision must be resend, sent or failed, got ${JSON.stringify(text)}`, 2);
  return text as SettleDecision;
}

export async function settle(
  s: CliSession,
  jid: number,
  decision: SettleDecision,
): Promise<{ fax: Fax; enqueued: boolean }> {
  const user = needUser(s, 'settle');
  const fax = await outgoing(s, jid);
  // The post office (queue.manage) or whoever may modify the mailbox's faxes.
  if (!(await can(s.db, user, 'queue.manage')) && !(await can(s.db, user, 'out.modify', fax.mailboxId))) {
    await s.db.transaction((trx) =>
      appendAuditEvent(trx, {
        type: 'access.denied',
        actor: s.actor,
        subject: `settle fax ${jid}`,
        details: { permission: 'queue.manage|out.modify', via: 'cli' },
      }),
    );
    throw new CliError(`${user} may not settle fax ${jid} (needs queue.manage or out.modify)`, 2);
  }
  const config = s.loaded.config;
  const q = await openCliQueue(config);
  try {
    return await settleOutcome(
      { db: s.db, queue: q.queue, settings: queueSettings(config) },
      { actor: user, faxId: jid, decision },
    ).catch(refusal);
  } finally {
    await q.close();
  }
}

export async function remove(s: CliSession, jid: number): Promise<string> {
  const user = needUser(s, 'rm');
  const fax = await faxes.find(s.db, jid);
  if (!fax) throw new CliError(`no fax ${jid}`, 2);
  if (fax.mailboxId === null) throw new CliError(`fax ${jid} is in no mailbox`, 2);
  const right = fax.direction === 'out' ? 'out.delete' : 'in.delete';
  await requirePermission(s, right, `delete fax ${jid}`, fax.mailboxId);
  const q = await openCliQueue(s.loaded.config);
  try {
    const r = await deleteFax({ db: s.db, queue: q.queue }, { actor: user, faxId: jid }).catch(refusal);
    const pages = `${r.pagesDeleted} page${r.pagesDeleted === 1 ? '' : 's'} removed`;
    const stopped = r.stopped ? 'stopped (it was waiting; it will not be sent) and ' : '';
    return `fax ${jid} ${stopped}deleted (${pages}; its record is kept)`;
  } finally {
    await q.close();
  }
}
