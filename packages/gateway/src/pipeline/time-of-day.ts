// The sending window (HylaFAX TimeOfDay): when faxes may be dialled, in wall-clock time of a
// time zone. Pure: a parser and a "next instant inside the window" function.
//
// Syntax: windows separated by commas; a window is days and/or a time range:
//   "Any"                       always (the default)
//   "Mon-Fri 0800-1800, Sat 0900-1200"
//   "Wk0800-1700"               HylaFAX/UUCP style: Wk = Mon-Fri, glued to the time
//   "2200-0600"                 every day; an end at or before the start runs past midnight
//                               and belongs to the day it starts on (Fri 2200-0600 = until Sat 06:00)
// Days: Mon Tue Wed Thu Fri Sat Sun (or Mo Tu We Th Fr Sa Su), ranges like Mon-Fri or Fri-Mon,
// several separated by spaces, Wk (Mon-Fri), Any (every day). Times: HHMM-HHMM or HH:MM-HH:MM,
// 0000..2400. Without days a window is every day; without a time it is the whole day.

/**
 * A sending window that cannot be parsed. It stays beside its parser, not in pipeline/errors.ts:
 * the configuration schema uses this pure module and must not load the store with it.
 */
export class TimeOfDayError extends Error {}

export interface TimeWindow {
  /** Days the window starts on: 0 = Sunday … 6 = Saturday. */
  days: ReadonlySet<number>;
  /** Minutes after local midnight, start inclusive, end exclusive; end ≤ start runs past midnight. */
  start: number;
  end: number;
}

/** Parsed windows; an empty list means "Any" (no restriction). */
export interface TimeOfDay {
  text: string;
  windows: readonly TimeWindow[];
}

const DAY_NAMES: Record<string, number> = {
  sun: 0,
  su: 0,
  mon: 1,
  mo: 1,
  tue: 2,
  tu: 2,
  wed: 3,
  we: 3,
  thu: 4,
  th: 4,
  fri: 5,
  fr: 5,
  sat: 6,
  sa: 6,
};
const ALL_DAYS = [0, 1, 2, 3, 4, 5, 6];
const DAY = 1440;

function dayOf(name: string, window: string): number {
  const d = DAY_NAMES[name.toLowerCase()];
  if (d === undefined) {
    throw new TimeOfDayError(`unknown day "${name}" in "${window}" (Mon Tue Wed Thu Fri Sat Sun, Wk, Any)`);
  }
  return d;
}

function daysOf(token: string, window: string): number[] {
  const t = token.toLowerCase();
  if (t === 'any') return ALL_DAYS;
  if (t === 'wk') return [1, 2, 3, 4, 5];
  const range = /^([a-z]+)-([a-z]+)$/i.exec(token);
  if (!range) return [dayOf(token, window)];
  const from = dayOf(range[1], window);
  const to = dayOf(range[2], window);
  const out = [from];
  for (let d = from; d !== to; ) {
    d = (d + 1) % 7;
    out.push(d);
  }
  return out;
}

function minutesOf(hhmm: string, window: string, isEnd: boolean): number {
  const m = /^(\d\d):?(\d\d)$/.exec(hhmm);
  if (!m) throw new TimeOfDayError(`expected a time HHMM in "${window}", got "${hhmm}"`);
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (min > 59) throw new TimeOfDayError(`minutes must be 00..59 in "${window}", got "${hhmm}"`);
  if (h > 24 || (h === 24 && (min > 0 || !isEnd))) {
    throw new TimeOfDayError(`hours must be 00..23 (2400 only as an end) in "${window}", got "${hhmm}"`);
  }
  return h * 60 + min;
}

function parseWindow(window: string): TimeWindow {
  let days: number[] | undefined;
  let times: [number, number] | undefined;
  for (const raw of window.split(/\s+/)) {
    // UUCP style "Wk0800-1700": days glued to the time range.
    const glued = /^([A-Za-z][A-Za-z-]*?)(\d\d:?\d\d-\d\d:?\d\d)$/.exec(raw);
    const parts = glued ? [glued[1], glued[2]] : [raw];
    for (const token of parts) {
      const time = /^(\d[\d:]*)-(\d[\d:]*)$/.exec(token);
      if (time) {
        if (times) throw new TimeOfDayError(`more than one time range in "${window}"`);
        const start = minutesOf(time[1], window, false);
        const end = minutesOf(time[2], window, true);
        if (start === end) throw new TimeOfDayError(`empty time range "${token}" in "${window}"`);
        times = [start, end];
      } else {
        if (times) throw new TimeOfDayError(`days must come before the time range in "${window}"`);
        days = [...(days ?? []), ...daysOf(token, window)];
      }
    }
  }
  return { days: new Set(days ?? ALL_DAYS), start: times?.[0] ?? 0, end: times?.[1] ?? DAY };
}

/** Parses a TimeOfDay text; throws TimeOfDayError with a message that names the bad part. */
export function parseTimeOfDay(text: string): TimeOfDay {
  const trimmed = text.trim();
  if (trimmed === '') throw new TimeOfDayError('expected "Any" or windows like "Mon-Fri 0800-1800", got ""');
  if (trimmed.toLowerCase() === 'any') return { text: trimmed, windows: [] };
  const windows = trimmed.split(',').map((w) => {
    const window = w.trim();
    if (window === '') throw new TimeOfDayError(`empty window in "${trimmed}" (stray comma?)`);
    return parseWindow(window);
  });
  return { text: trimmed, windows };
}

/** Throws RangeError for a zone Intl does not know; "local" is the process's own zone. */
export function checkTimeZone(zone: string): void {
  if (zone !== 'local') new Intl.DateTimeFormat('en-US', { timeZone: zone });
}

interface Wall {
  year: number;
  month: number;
  day: number;
  /** Seconds after local midnight. */
  seconds: number;
  weekday: number;
}

const formats = new Map<string, Intl.DateTimeFormat>();
function formatFor(zone: string): Intl.DateTimeFormat {
  let f = formats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone === 'local' ? undefined : zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formats.set(zone, f);
  }
  return f;
}

/** The wall-clock time of an instant in the zone (whole seconds). */
function wallOf(ms: number, zone: string): Wall {
  const p: Record<string, number> = {};
  for (const part of formatFor(zone).formatToParts(new Date(ms))) {
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  }
  return {
    year: p.year,
    month: p.month,
    day: p.day,
    seconds: p.hour * 3600 + p.minute * 60 + p.second,
    weekday: new Date(Date.UTC(p.year, p.month - 1, p.day)).getUTCDay(),
  };
}

/** Offset of the zone at an instant, in ms (wall − UTC). */
function offsetAt(ms: number, zone: string): number {
  const w = wallOf(ms, zone);
  const wallMs = Date.UTC(w.year, w.month - 1, w.day) + w.seconds * 1000;
  return wallMs - Math.floor(ms / 1000) * 1000;
}

/**
 * The first instant whose wall-clock time is at or after the given local time: the time
 * itself, the earlier of two when the clocks go back, the moment the clocks jump when it
 * falls into a gap (spring forward).
 */
function instantOf(year: number, month: number, day: number, minutes: number, zone: string): number {
  const wallMs = Date.UTC(year, month - 1, day) + minutes * 60_000;
  const before = offsetAt(wallMs - 2 * DAY * 60_000, zone);
  const after = offsetAt(wallMs + 2 * DAY * 60_000, zone);
  const candidates = [wallMs - before, wallMs - after]
    .filter((t) => offsetAt(t, zone) === wallMs - t)
    .sort((a, b) => a - b);
  if (candidates.length > 0) return candidates[0];
  // A gap: search the jump between the two readings (offsets differ only there).
  let lo = Math.min(wallMs - before, wallMs - after);
  let hi = Math.max(wallMs - before, wallMs - after);
  const loOffset = offsetAt(lo, zone);
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (offsetAt(mid, zone) === loOffset) lo = mid;
    else hi = mid;
  }
  return hi;
}

function inside(windows: readonly TimeWindow[], w: Wall): boolean {
  const minute = w.seconds / 60;
  const yesterday = (w.weekday + 6) % 7;
  return windows.some((win) =>
    win.end > win.start
      ? win.days.has(w.weekday) && minute >= win.start && minute < win.end
      : (win.days.has(w.weekday) && minute >= win.start) || (win.days.has(yesterday) && minute < win.end),
  );
}

/** Whether `at` lies inside the window (always for "Any"). */
export function isInWindow(tod: TimeOfDay, at: Date, zone = 'local'): boolean {
  return tod.windows.length === 0 || inside(tod.windows, wallOf(at.getTime(), zone));
}

/**
 * The first instant at or after `at` inside the window: `at` itself when it is inside,
 * else the start of the next window (DST-aware; a window that falls wholly into a skipped
 * hour does not exist that day).
 */
export function nextWindowStart(tod: TimeOfDay, at: Date, zone = 'local'): Date {
  const now = at.getTime();
  if (tod.windows.length === 0) return at;
  const today = wallOf(now, zone);
  if (inside(tod.windows, today)) return at;
  let best = Number.POSITIVE_INFINITY;
  // Every window starts within the next 7 days; look at 8 so a DST shift cannot hide one.
  for (let k = 0; k <= 8; k++) {
    const date = new Date(Date.UTC(today.year, today.month - 1, today.day + k));
    const weekday = date.getUTCDay();
    for (const win of tod.windows) {
      if (!win.days.has(weekday)) continue;
      const t = instantOf(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), win.start, zone);
      if (t > now && t < best && inside(tod.windows, wallOf(t, zone))) best = t;
    }
    if (best < Number.POSITIVE_INFINITY) break;
  }
  if (best === Number.POSITIVE_INFINITY) throw new TimeOfDayError(`no window in "${tod.text}" within 8 days`);
  return new Date(best);
}
