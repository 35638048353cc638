// faxgate stop | modify | resubmit | settle | rm — job control through the gateway API with
// the caller's token. The API checks the right on the fax's mailbox (a refusal is 403 and
// an access.denied event, here exit 2), then the pipeline does the work in one transaction.
import { SETTLE_DECISIONS, type SettleDecision } from '../../pipeline/settle.js';
import { type ApiClient, refusedDestination } from '../api-client.js';
import { CliError } from '../errors.js';
import { parsePriority, time } from './send.js';

export interface FaxAnswer {
  id: number;
  state: string;
  remoteNumber: string | null;
  pagesTotal: number;
}

export function parseJid(text: string): number {
  if (!/^[0-9]{1,15}$/.test(text) || Number(text) < 1)
    throw new CliError(`not a fax id: ${JSON.stringify(text)}`, 2);
  return Number(text);
}

export async function stop(api: ApiClient, jid: number): Promise<string> {
  const r = await api.call<{ fax: FaxAnswer; was: 'waiting' | 'running' | 'finished' }>(
    'POST',
    `/faxes/${jid}/stop`,
  );
  if (r.was === 'waiting') return `fax ${jid} stopped (it was waiting; it will not be sent)`;
  if (r.was === 'finished') throw new CliError(`fax ${jid} is ${r.fax.state}: nothing to stop`, 2);
  return `fax ${jid}: stop requested, the call is being disconnected`;
}

export interface ModifyOptions {
  destination?: string;
  sendAt?: string;
  killTime?: string;
  priority?: string;
  resolution?: 'standard' | 'fine';
}

export interface ModifyAnswer {
  fax: FaxAnswer;
  changed: string[];
  queue?: 'updated' | 'deferred' | 'none';
}

export async function modify(api: ApiClient, jid: number, o: ModifyOptions): Promise<ModifyAnswer> {
  const now = new Date();
  const sendAt = time(o.sendAt, now, '-a');
  const body = {
    number: o.destination,
    // "now" (or any time already past): as soon as possible
    sendAt: sendAt === undefined ? undefined : sendAt <= now ? null : sendAt.toISOString(),
    killTime: time(o.killTime, now, '-k')?.toISOString(),
    priority: parsePriority(o.priority),
    resolution: o.resolution,
  };
  if (Object.values(body).every((v) => v === undefined))
    throw new CliError('give what to change: -d, -a, -k, -P or -r', 2);
  return api
    .call<ModifyAnswer>('PATCH', `/faxes/${jid}`, { json: body })
    .catch(refusedDestination('nothing changed'));
}

export interface ResubmitAnswer {
  fax: FaxAnswer;
  outcome: 'queued' | 'internal';
  resubmitOf: number;
  enqueued: boolean;
  deliveredFax?: { id: number } | null;
}

export async function resubmit(
  api: ApiClient,
  jid: number,
  o: { destination?: string },
): Promise<ResubmitAnswer> {
  return api
    .call<ResubmitAnswer>('POST', `/faxes/${jid}/resubmit`, {
      json: o.destination === undefined ? {} : { number: o.destination },
    })
    .catch(refusedDestination('nothing queued'));
}

export function parseDecision(text: string): SettleDecision {
  if (!(SETTLE_DECISIONS as readonly string[]).includes(text))
    throw new CliError(`decision must be resend, sent or failed, got ${JSON.stringify(text)}`, 2);
  return text as SettleDecision;
}

export async function settle(
  api: ApiClient,
  jid: number,
  decision: SettleDecision,
): Promise<{ fax: FaxAnswer; enqueued: boolean }> {
  return api.call('POST', `/faxes/${jid}/settle`, { json: { decision } });
}

export async function remove(api: ApiClient, jid: number): Promise<string> {
  const r = await api.call<{ fax: FaxAnswer; pagesDeleted: number; stopped: boolean }>(
    'DELETE',
    `/faxes/${jid}`,
  );
  const pages = `${r.pagesDeleted} page${r.pagesDeleted === 1 ? '' : 's'} removed`;
  const stopped = r.stopped ? 'stopped (it was waiting; it will not be sent) and ' : '';
  return `fax ${jid} ${stopped}deleted (${pages}; its record is kept)`;
}
