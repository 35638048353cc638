// faxgate status --lines: each controller's line (up/down, since when, last error, reconnect
// attempts) and each B channel (idle, sending fax N, receiving fax N), from GET /api/v1/lines.
import type { ApiClient } from '../api-client.js';
import { printJson, printLine } from '../context.js';

interface LineRow {
  name: string;
  controller: number;
  state: 'up' | 'down' | 'unknown' | 'out-of-service';
  since: string | null;
  lastError: string | null;
  reconnectAttempts: number;
  bChannels: number | null;
  outOfService?: { reason: string; setBy: string; since: string } | null;
  channels: Array<{ channel: number; state: 'idle' | 'sending' | 'receiving'; faxId?: number }>;
}

interface LinesAnswer {
  transport: string;
  lockdownMode: string;
  controllers: number[];
  lines?: LineRow[];
  channels?: { total: number; usable: number; inUse: number; receiving: number; reserve: number };
}

function localTime(iso: string | null): string {
  if (!iso) return '-';
  return new Intl.DateTimeFormat('sv-SE', {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(iso));
}

export function channelText(c: LineRow['channels'][number]): string {
  if (c.state === 'idle') return `B${c.channel} idle`;
  return `B${c.channel} ${c.state} fax ${c.faxId ?? '?'}`;
}

export async function printLines(api: ApiClient, o: { json?: boolean }): Promise<void> {
  const r = await api.call<LinesAnswer>('GET', '/lines');
  if (o.json) {
    printJson(r);
    return;
  }
  const reserve = r.channels ? `, ${r.channels.reserve} B channel(s) per controller kept for receiving` : '';
  printLine(`transport ${r.transport}, lockdown ${r.lockdownMode}${reserve}`);
  if (!r.lines) {
    printLine(`controllers ${r.controllers.join(', ') || 'none'} (not supervised in this process)`);
    return;
  }
  for (const l of r.lines) {
    const head = `${l.name}: ${l.state} since ${localTime(l.since)}`;
    const oos = l.outOfService;
    const extra =
      l.state === 'up'
        ? ''
        : oos
          ? ` (by ${oos.setBy} at ${localTime(oos.since)}${oos.reason ? `: ${oos.reason}` : ''})`
          : `, ${l.reconnectAttempts} reconnect attempt(s)${l.lastError ? `, last error: ${l.lastError}` : ''}`;
    printLine(head + extra);
    printLine(`  ${l.channels.length > 0 ? l.channels.map(channelText).join(', ') : 'no B channels known'}`);
  }
}
