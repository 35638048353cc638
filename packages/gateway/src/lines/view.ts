// What GET /api/v1/lines and `faxgate status --lines` show per controller: the line's state
// (since when, last error, reconnect attempts) and each B channel (idle, sending fax N,
// receiving fax N).
import type { ChannelPool, ChannelSlot } from '../pipeline/channel-pool.js';
import type { LineSupervisor, LineView } from './supervisor.js';

export interface LineWithChannels extends LineView {
  /** This process's B channels of the controller; empty when it holds none. */
  channels: ChannelSlot[];
}

export function linesWithChannels(
  lines: Pick<LineSupervisor, 'state'>,
  pool: Pick<ChannelPool, 'snapshot'> | undefined,
): LineWithChannels[] {
  const books = pool?.snapshot() ?? [];
  return lines.state().lines.map((l) => ({
    ...l,
    channels: books.find((b) => b.controller === l.controller)?.slots ?? [],
  }));
}
