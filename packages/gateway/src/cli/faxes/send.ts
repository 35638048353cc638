// `faxgate send`: the submitter's outgoing mailbox, the router from the configuration, the
// files as pages, then `submitFax` — the same path as the REST API. Every refusal is exit 2
// with nothing queued.
import type { VerticalResolution } from '@faxgate/fax-core';
import { createRouter, type MailboxInput, type Router, RouterConfigError } from '@faxgate/router';
import { can, ForbiddenError, InvalidInputError, type Mailbox, mailboxes, users } from '@faxgate/store';
import { type CoverRequest, checkCoverRequest, coverOptions } from '../../documents/cover.js';
import { DestinationRefusedError } from '../../pipeline/errors.js';
import { queueSettings } from '../../pipeline/settings.js';
import { type SubmitResult, submitFax } from '../../pipeline/submit.js';
import { CliError } from '../errors.js';
import { type CliSession, requirePermission } from '../session.js';
import { loadPages } from './documents.js';
import { openCliQueue } from './queue-access.js';
import { parseTime } from './times.js';

export interface SendOptions {
  destination: string;
  mailbox?: string;
  priority?: string;
  sendAt?: string;
  killTime?: string;
  resolution?: VerticalResolution;
  subject?: string;
  /** A cover page in front (also implied by any of the cover fields). */
  cover?: boolean;
  toName?: string;
  toCompany?: string;
  comment?: string;
  urgency?: CoverRequest['urgency'];
}

/** The cover page asked for with the send flags, or undefined for none. */
function coverRequest(o: SendOptions): CoverRequest | undefined {
  const request: CoverRequest = {
    toName: o.toName,
    toCompany: o.toCompany,
    comment: o.comment,
    urgency: o.urgency,
  };
  const asked = o.cover || Object.values(request).some((v) => v !== undefined);
  if (!asked) return undefined;
  const problem = checkCoverRequest(request);
  if (problem) throw new CliError(`cover page ${problem}`, 2);
  return request;
}

export interface SendOutcome {
  result: SubmitResult;
  mailbox: Mailbox;
}

/** -P: 0 (most urgent) .. 255; exit 2 otherwise. */
export function parsePriority(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^[0-9]{1,3}$/.test(text) || Number(text) > 255) {
    throw new CliError(`-P: priority must be 0 (most urgent) .. 255, got ${JSON.stringify(text)}`, 2);
  }
  return Number(text);
}

/** -a / -k in the forms of times.ts; exit 2 otherwise. */
export function time(text: string | undefined, now: Date, flag: string): Date | undefined {
  if (text === undefined) return undefined;
  try {
    return parseTime(text, now);
  } catch (e) {
    throw new CliError(`${flag}: ${(e as Error).message}`, 2);
  }
}

/** --mailbox, else the one outgoing mailbox the user may send from. */
async function pickMailbox(s: CliSession, user: string, ref: string | undefined): Promise<Mailbox> {
  if (ref !== undefined) {
    const m = await mailboxes.find(s.db, /^[0-9]+$/.test(ref) ? Number(ref) : ref);
    if (m?.kind !== 'outgoing')
      throw new CliError(`--mailbox: no outgoing mailbox ${JSON.stringify(ref)}`, 2);
    return m;
  }
  const outgoing = await mailboxes.list(s.db, { kind: 'outgoing' });
  const mine: Mailbox[] = [];
  for (const m of outgoing) if (await can(s.db, user, 'out.send', m.id)) mine.push(m);
  if (mine.length === 1) return mine[0];
  // The only mailbox there is: the rights check below refuses and records it.
  if (mine.length === 0 && outgoing.length === 1) return outgoing[0];
  if (mine.length === 0) throw new CliError(`${user} may not send from any outgoing mailbox`, 2);
  throw new CliError(`give --mailbox: ${user} may send from ${mine.map((m) => m.name).join(', ')}`, 2);
}

/** The router from the configuration and the mailboxes as they are now. */
export async function routerFor(s: CliSession): Promise<Router<MailboxInput>> {
  const boxes = (await mailboxes.list(s.db)).map((m) => ({
    id: m.id,
    name: m.name,
    kind: m.kind,
    numbers: m.numbers,
  }));
  try {
    return createRouter(s.loaded.config.routing, boxes);
  } catch (e) {
    if (e instanceof RouterConfigError) throw new CliError(`configuration ${e.message}`, 2);
    throw e;
  }
}

export async function sendFax(s: CliSession, files: readonly string[], o: SendOptions): Promise<SendOutcome> {
  const user = s.asUser;
  if (user === null) throw new CliError('send needs --as USER: a fax belongs to the user who sends it', 2);
  const now = new Date();
  const priority = parsePriority(o.priority);
  const sendAt = time(o.sendAt, now, '-a');
  const killTime = time(o.killTime, now, '-k');
  if (killTime && killTime <= (sendAt ?? now))
    throw new CliError('-k: the kill time must be after the send time', 2);
  const mailbox = await pickMailbox(s, user, o.mailbox);
  await requirePermission(s, 'out.send', `send from mailbox ${mailbox.name}`, mailbox.id);
  const router = await routerFor(s);
  const cover = coverRequest(o);
  const me = cover ? await users.get(s.db, user) : undefined;
  const pages = await loadPages(
    files,
    o.resolution,
    cover &&
      me &&
      coverOptions(
        s.loaded.config,
        { name: me.name, displayName: me.displayName, faxNumber: mailbox.numbers[0] },
        { number: o.destination, subject: o.subject },
        cover,
      ),
  );
  const config = s.loaded.config;
  const q = await openCliQueue(config);
  try {
    const result = await submitFax(
      { db: s.db, queue: q.queue, router, settings: queueSettings(config) },
      {
        actor: user,
        mailboxId: mailbox.id,
        number: o.destination,
        pages,
        priority,
        sendAt,
        killTime,
        subject: o.subject,
      },
    );
    return { result, mailbox };
  } catch (e) {
    if (e instanceof DestinationRefusedError)
      throw new CliError(`${e.message} (rule ${e.rule}); nothing queued`, 2);
    if (e instanceof InvalidInputError || e instanceof ForbiddenError) throw new CliError(e.message, 2);
    throw e;
  } finally {
    await q.close();
  }
}
