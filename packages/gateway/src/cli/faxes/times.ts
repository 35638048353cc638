// Times for `send -a` (send at) and `-k` (kill time), in the forms sendfax users type:
// `now`, `now + 30 minutes`, `+2 hours`, or an absolute ISO 8601 time (local unless it
// names a zone). Anything else is refused, never guessed.
const UNITS: Record<string, number> = {
  second: 1000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 604_800_000,
};

/** Returns the time or throws an Error naming the accepted forms. */
export function parseTime(text: string, now: Date): Date {
  const s = text.trim().toLowerCase();
  if (s === 'now') return now;
  const rel = /^(?:now\s*)?\+\s*([0-9]{1,6})\s*(second|minute|hour|day|week)s?$/.exec(s);
  if (rel) return new Date(now.getTime() + Number(rel[1]) * UNITS[rel[2]]);
  // Date-time only (no bare numbers): YYYY-MM-DD[ T]HH:MM[:SS][zone]
  if (
    /^[0-9]{4}-[0-9]{2}-[0-9]{2}[ t][0-9]{2}:[0-9]{2}(:[0-9]{2})?(\.[0-9]+)?(z|[+-][0-9]{2}:?[0-9]{2})?$/.test(
      s,
    )
  ) {
    const d = new Date(text.trim().replace(' ', 'T'));
    if (!Number.isNaN(d.getTime())) return d;
  }
  throw new Error(
    `cannot read the time ${JSON.stringify(text)}: use "now + 30 minutes", "+2 hours" or "2026-12-24 08:00"`,
  );
}
