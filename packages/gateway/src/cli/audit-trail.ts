// faxgate audit trail — the audit trail filtered and paged through GET /api/v1/audit/trail
// (audit.read; each page read is recorded at the gateway): one line per event, newest first.
import type { ApiClient } from './api-client.js';
import { printJson, printLine } from './context.js';

export interface TrailOptions {
  from?: Date;
  to?: Date;
  type?: string;
  actor?: string;
  fax?: string;
  mailbox?: string;
  subject?: string;
  before?: string;
  limit?: string;
  json?: boolean;
}

interface TrailItem {
  id: number;
  time: string;
  type: string;
  actor: string;
  subject: string | null;
  details: Record<string, unknown>;
}

export function trailLine(e: TrailItem): string {
  return [
    e.time,
    String(e.id).padStart(8),
    e.type.padEnd(22),
    e.actor.padEnd(16),
    e.subject ?? '',
    JSON.stringify(e.details),
  ]
    .join('  ')
    .trimEnd();
}

export async function auditTrail(api: ApiClient, o: TrailOptions): Promise<void> {
  const r = await api.call<{ items: TrailItem[]; next: number | null }>('GET', '/audit/trail', {
    query: {
      from: o.from?.toISOString(),
      to: o.to?.toISOString(),
      type: o.type,
      actor: o.actor,
      fax: o.fax,
      mailbox: o.mailbox,
      subject: o.subject,
      before: o.before,
      limit: o.limit,
    },
  });
  if (o.json) printJson(r);
  else for (const e of r.items) printLine(trailLine(e));
  if (r.next !== null && !o.json) process.stderr.write(`faxgate: more events: add --before ${r.next}\n`);
}
