// `faxgate send`: the files and options as the multipart form of POST /api/v1/faxes, sent
// with the caller's token — the API picks the mailbox, checks out.send, renders, routes and
// queues, and records it all. Files are streamed from disk, not read into memory first.
// Bad options are refused here (exit 2) before anything is sent.
import fs from 'node:fs';
import path from 'node:path';
import { type CoverRequest, checkCoverRequest } from '../../documents/cover.js';
import { type ApiClient, refusedDestination } from '../api-client.js';
import { CliError } from '../errors.js';
import { parseTime } from './times.js';

export interface SendOptions {
  destination: string;
  mailbox?: string;
  priority?: string;
  sendAt?: string;
  killTime?: string;
  resolution?: 'standard' | 'fine';
  subject?: string;
  /** A cover page in front (also implied by any of the cover fields). */
  cover?: boolean;
  toName?: string;
  toCompany?: string;
  comment?: string;
  urgency?: CoverRequest['urgency'];
  /** Send pages damaged beyond intake.damage anyway (the API's acceptDamaged, audited). */
  acceptDamaged?: boolean;
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

/** A file to upload, opened lazily (streamed by fetch); unreadable files are bad input. */
async function fileBlob(file: string): Promise<Blob> {
  try {
    const st = fs.statSync(file);
    if (st.isDirectory()) throw new CliError(`cannot read ${file}: is a directory`, 2);
    fs.accessSync(file, fs.constants.R_OK);
    return await fs.openAsBlob(file);
  } catch (e) {
    if (e instanceof CliError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new CliError(`cannot read ${file}: ${why}`, 2);
  }
}

export interface SubmitAnswer {
  fax: { id: number; remoteNumber: string | null; pagesTotal: number; mailboxId: number | null };
  outcome: 'queued' | 'internal';
  deliveredFaxId: number | null;
  enqueued: boolean;
}

export async function sendFax(
  api: ApiClient,
  files: readonly string[],
  o: SendOptions,
): Promise<SubmitAnswer> {
  const now = new Date();
  const priority = parsePriority(o.priority);
  const sendAt = time(o.sendAt, now, '-a');
  const killTime = time(o.killTime, now, '-k');
  if (killTime && killTime <= (sendAt ?? now))
    throw new CliError('-k: the kill time must be after the send time', 2);
  const cover = coverRequest(o);
  const form = new FormData();
  const field = (k: string, v: string | number | undefined) => {
    if (v !== undefined) form.append(k, String(v));
  };
  field('number', o.destination);
  field('mailbox', o.mailbox);
  field('priority', priority);
  // A send time in the past is "now" for the gateway as well.
  field('sendAt', sendAt && sendAt > now ? sendAt.toISOString() : undefined);
  field('killTime', killTime?.toISOString());
  field('resolution', o.resolution);
  field('subject', o.subject);
  if (o.acceptDamaged) field('acceptDamaged', 'true');
  if (cover) {
    field('cover', 'true');
    field('coverToName', cover.toName);
    field('coverToCompany', cover.toCompany);
    field('coverComment', cover.comment);
    field('coverUrgency', cover.urgency);
  }
  for (const file of files) form.append('document', await fileBlob(file), path.basename(file));
  return api.call<SubmitAnswer>('POST', '/faxes', { form }).catch(refusedDestination('nothing queued'));
}
