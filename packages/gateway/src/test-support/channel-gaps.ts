// B-channel utilisation from the simulator's call records (bench:utilisation): how long each
// channel sat idle while faxes were still waiting to be dialled. Pure arithmetic, no I/O.

export interface ChannelCall {
  /** Channel id, e.g. "c1/b3" (controller / B channel). */
  channel: string;
  /** CONNECT_REQ: the channel is seized. */
  startedAt: number;
  /** Line cleared: the channel is free again. */
  endedAt: number;
}

export interface ChannelFigures {
  channel: string;
  calls: number;
  busyMs: number;
  /** From the window start to this channel's first call (the worker's ramp-up). */
  rampMs: number;
  /** Idle gaps after a call while jobs waited (call end → next CONNECT_REQ on it), in order. */
  gaps: number[];
  maxGap: number;
  p99Gap: number;
}

export interface UtilisationReport {
  windowStart: number;
  windowEnd: number;
  /** Busy time / (channels × window). */
  utilisation: number;
  /** The same from the moment every channel had had its first call (ramp-up left out). */
  steadyUtilisation: number;
  steadyStart: number;
  channels: ChannelFigures[];
  /** Every turnover gap of every channel, ascending. */
  gaps: number[];
}

/** Nearest-rank percentile of an ascending list (0 for an empty one). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const overlap = (a0: number, a1: number, b0: number, b1: number) =>
  Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));

/**
 * The backlog is non-empty from the first CONNECT_REQ until the last one (after that no job
 * waits): `window` defaults to that span. `channels` names every usable channel, so one the
 * gateway never used counts as idle throughout.
 */
export function channelUtilisation(
  calls: readonly ChannelCall[],
  channels: readonly string[],
  window?: { start: number; end: number },
): UtilisationReport {
  if (calls.length === 0) throw new Error('no calls to measure');
  const windowStart = window?.start ?? Math.min(...calls.map((c) => c.startedAt));
  const windowEnd = window?.end ?? Math.max(...calls.map((c) => c.startedAt));
  const byChannel = new Map<string, ChannelCall[]>(channels.map((ch) => [ch, []]));
  for (const c of calls) {
    const list = byChannel.get(c.channel);
    if (!list) throw new Error(`call on channel ${c.channel}, which is not a usable one`);
    list.push(c);
  }
  const figures: ChannelFigures[] = [];
  let steadyStart = windowStart;
  for (const [channel, list] of byChannel) {
    list.sort((a, b) => a.startedAt - b.startedAt);
    const gaps: number[] = [];
    let busyMs = 0;
    for (let i = 0; i < list.length; i++) {
      const c = list[i];
      if (i > 0 && c.startedAt < list[i - 1].endedAt)
        throw new Error(`channel ${channel}: two calls at once (${list[i - 1].endedAt} > ${c.startedAt})`);
      busyMs += overlap(c.startedAt, c.endedAt, windowStart, windowEnd);
      // A gap counts while jobs waited: it starts before the window ends, and is cut there.
      if (c.endedAt < windowEnd)
        gaps.push(Math.min(list[i + 1]?.startedAt ?? windowEnd, windowEnd) - c.endedAt);
    }
    const first = list[0]?.startedAt ?? windowEnd;
    steadyStart = Math.max(steadyStart, Math.min(first, windowEnd));
    const sorted = [...gaps].sort((a, b) => a - b);
    figures.push({
      channel,
      calls: list.length,
      busyMs,
      rampMs: Math.max(0, first - windowStart),
      gaps,
      maxGap: sorted.at(-1) ?? 0,
      p99Gap: percentile(sorted, 99),
    });
  }
  const span = windowEnd - windowStart;
  const busy = figures.reduce((n, f) => n + f.busyMs, 0);
  let steadyBusy = 0;
  for (const c of calls) steadyBusy += overlap(c.startedAt, c.endedAt, steadyStart, windowEnd);
  const steadySpan = windowEnd - steadyStart;
  return {
    windowStart,
    windowEnd,
    utilisation: span > 0 ? busy / (channels.length * span) : 1,
    steadyUtilisation: steadySpan > 0 ? steadyBusy / (channels.length * steadySpan) : 1,
    steadyStart,
    channels: figures,
    gaps: figures.flatMap((f) => f.gaps).sort((a, b) => a - b),
  };
}
