// faxgate queue hold | release | requeue | priority — the operator's queue control through the
// gateway API with the caller's token: queue.manage acts on any fax, a user on its own
// mailbox's (out.modify; out.send to requeue). A refusal is 403 and access.denied (exit 2).
import type { ApiClient } from '../api-client.js';
import { CliError } from '../errors.js';
import type { FaxAnswer } from '../faxes/job-control.js';

interface ControlAnswer {
  fax: FaxAnswer & { cause?: string | null; priority?: number };
  enqueued: boolean;
}

const QUEUE_LATER = (id: number) =>
  `faxgate: the queue (Redis) is not reachable now; the gateway's reconciler queues fax ${id}\n`;

export async function hold(api: ApiClient, jid: number, reason?: string): Promise<string> {
  const r = await api.call<ControlAnswer>('POST', `/faxes/${jid}/hold`, {
    json: reason === undefined ? {} : { reason },
  });
  return `fax ${r.fax.id} held: it is not dialled until released (faxgate queue release ${r.fax.id})`;
}

export async function release(api: ApiClient, jid: number): Promise<string> {
  const r = await api.call<ControlAnswer>('POST', `/faxes/${jid}/release`, { json: {} });
  if (!r.enqueued) process.stderr.write(QUEUE_LATER(r.fax.id));
  return `fax ${r.fax.id} released: it waits for a line again`;
}

export async function requeue(api: ApiClient, jid: number): Promise<string> {
  const r = await api.call<ControlAnswer>('POST', `/faxes/${jid}/requeue`, { json: {} });
  if (!r.enqueued) process.stderr.write(QUEUE_LATER(r.fax.id));
  return `fax ${r.fax.id} requeued: it is sent again (pages confirmed before are not sent twice)`;
}

export function parsePriorityValue(text: string): number {
  if (!/^[0-9]{1,3}$/.test(text) || Number(text) > 255)
    throw new CliError(`priority must be 0 (most urgent) .. 255, got ${JSON.stringify(text)}`, 2);
  return Number(text);
}

export async function priority(api: ApiClient, jid: number, value: number): Promise<string> {
  const r = await api.call<{ fax: FaxAnswer & { priority: number }; changed: string[] }>(
    'PATCH',
    `/faxes/${jid}`,
    { json: { priority: value } },
  );
  return r.changed.length === 0
    ? `fax ${r.fax.id}: priority already ${r.fax.priority}`
    : `fax ${r.fax.id}: priority ${r.fax.priority}`;
}
