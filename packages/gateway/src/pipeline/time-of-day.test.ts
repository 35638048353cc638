import { describe, expect, it } from 'vitest';
import { checkTimeZone, isInWindow, nextWindowStart, parseTimeOfDay, TimeOfDayError } from './time-of-day.js';

const BERLIN = 'Europe/Berlin';
const next = (text: string, iso: string, zone = BERLIN) =>
  nextWindowStart(parseTimeOfDay(text), new Date(iso), zone).toISOString();

describe('parseTimeOfDay', () => {
  it('reads Any, day ranges, lists, UUCP style and HH:MM', () => {
    expect(parseTimeOfDay('Any').windows).toEqual([]);
    expect(parseTimeOfDay(' any ').windows).toEqual([]);
    const t = parseTimeOfDay('Mon-Fri 0800-1800, Sat 09:00-12:00');
    expect(t.windows).toEqual([
      { days: new Set([1, 2, 3, 4, 5]), start: 480, end: 1080 },
      { days: new Set([6]), start: 540, end: 720 },
    ]);
    expect(parseTimeOfDay('Wk0800-1700').windows).toEqual([
      { days: new Set([1, 2, 3, 4, 5]), start: 480, end: 1020 },
    ]);
    expect(parseTimeOfDay('Fri-Mon').windows[0]).toEqual({
      days: new Set([5, 6, 0, 1]),
      start: 0,
      end: 1440,
    });
    expect(parseTimeOfDay('Mo We 2200-0600').windows[0]).toEqual({
      days: new Set([1, 3]),
      start: 1320,
      end: 360,
    });
    expect(parseTimeOfDay('0000-2400').windows[0]).toEqual({
      days: new Set([0, 1, 2, 3, 4, 5, 6]),
      start: 0,
      end: 1440,
    });
  });

  it.each([
    ['', /expected "Any"/],
    ['Mon-Fri 0800-1860', /minutes must be 00\.\.59 in "Mon-Fri 0800-1860", got "1860"/],
    ['Mon 2500-0600', /hours must be 00\.\.23/],
    ['Mon 2400-0600', /2400 only as an end/],
    ['Funday 0800-1000', /unknown day "Funday"/],
    ['Mon 0800-0800', /empty time range "0800-0800"/],
    ['Mon 0800-1000 1200-1400', /more than one time range/],
    ['0800-1000 Mon', /days must come before the time range/],
    ['Mon 0800-1000,', /empty window/],
    ['Mon 8-10', /expected a time HHMM in "Mon 8-10", got "8"/],
  ])('refuses %j', (text, message) => {
    expect(() => parseTimeOfDay(text)).toThrow(TimeOfDayError);
    expect(() => parseTimeOfDay(text)).toThrow(message);
  });

  it('checks time zones', () => {
    expect(() => checkTimeZone('Europe/Berlin')).not.toThrow();
    expect(() => checkTimeZone('local')).not.toThrow();
    expect(() => checkTimeZone('Mars/Olympus')).toThrow(RangeError);
  });
});

describe('nextWindowStart', () => {
  it('returns the instant itself inside the window, and for Any', () => {
    // Wednesday 2026-11-25 10:00 in Berlin (CET, UTC+1)
    expect(next('Mon-Fri 0800-1800', '2026-11-25T09:00:00.000Z')).toBe('2026-11-25T09:00:00.000Z');
    expect(next('Any', '2026-11-25T03:00:00.000Z')).toBe('2026-11-25T03:00:00.000Z');
  });

  it('moves to the start of the next window later the same day or the next day', () => {
    // Wed 06:30 local → 08:00 local
    expect(next('Mon-Fri 0800-1800', '2026-11-25T05:30:00.000Z')).toBe('2026-11-25T07:00:00.000Z');
    // Wed 18:00 local: the end is excluded → Thu 08:00
    expect(next('Mon-Fri 0800-1800', '2026-11-25T17:00:00.000Z')).toBe('2026-11-26T07:00:00.000Z');
    // Sat 12:30 local with a Saturday morning window → Mon 08:00
    expect(next('Mon-Fri 0800-1800, Sat 0900-1200', '2026-11-28T11:30:00.000Z')).toBe(
      '2026-11-30T07:00:00.000Z',
    );
  });

  it('wraps past midnight: 2200-0600 belongs to the day it starts on', () => {
    const w = 'Mon-Fri 2200-0600';
    // Sat 03:00 local is still Friday night's window
    expect(next(w, '2026-11-28T02:00:00.000Z')).toBe('2026-11-28T02:00:00.000Z');
    // Sat 07:00 local → Mon 22:00 local
    expect(next(w, '2026-11-28T06:00:00.000Z')).toBe('2026-11-30T21:00:00.000Z');
    // Mon 03:00 local: Sunday night is not in the window → Mon 22:00
    expect(next(w, '2026-11-30T02:00:00.000Z')).toBe('2026-11-30T21:00:00.000Z');
    expect(isInWindow(parseTimeOfDay(w), new Date('2026-12-01T04:59:59.000Z'), BERLIN)).toBe(true);
    expect(isInWindow(parseTimeOfDay(w), new Date('2026-12-01T05:00:00.000Z'), BERLIN)).toBe(false);
  });

  it('wraps past the end of the week', () => {
    // Sat 10:00 local, window only on Mondays → next Monday; Sun 23:00 → Monday 00:00
    expect(next('Mon 0700-0900', '2026-11-28T09:00:00.000Z')).toBe('2026-11-30T06:00:00.000Z');
    expect(next('Mon', '2026-11-29T22:00:00.000Z')).toBe('2026-11-29T23:00:00.000Z');
    // Mon 10:00 local, window Mondays 07-09 → a week later
    expect(next('Mon 0700-0900', '2026-11-30T09:00:00.000Z')).toBe('2026-12-07T06:00:00.000Z');
  });

  it('follows daylight saving time in the zone', () => {
    // Before the spring change (Sun 2026-03-29, 02:00 → 03:00): 08:00 CEST = 06:00 UTC
    expect(next('0800-1800', '2026-03-28T18:00:00.000Z')).toBe('2026-03-29T06:00:00.000Z');
    // After the autumn change (Sun 2026-10-25, 03:00 → 02:00): 08:00 CET = 07:00 UTC
    expect(next('0800-1800', '2026-10-24T18:00:00.000Z')).toBe('2026-10-25T07:00:00.000Z');
    // A start inside the skipped hour opens when the clocks jump (03:00 CEST = 01:00 UTC)
    expect(next('0230-0400', '2026-03-28T23:00:00.000Z')).toBe('2026-03-29T01:00:00.000Z');
    // A window wholly inside the skipped hour does not exist that day
    expect(next('0200-0259', '2026-03-28T23:00:00.000Z')).toBe('2026-03-30T00:00:00.000Z');
    // A start inside the repeated hour opens at its first occurrence (02:30 CEST = 00:30 UTC)
    expect(next('0230-0400', '2026-10-24T22:00:00.000Z')).toBe('2026-10-25T00:30:00.000Z');
  });

  it('uses other zones the same way', () => {
    // New York: 09:00 EST = 14:00 UTC
    expect(next('Mon-Fri 0900-1700', '2026-11-25T12:00:00.000Z', 'America/New_York')).toBe(
      '2026-11-25T14:00:00.000Z',
    );
    expect(next('Mon-Fri 0900-1700', '2026-11-25T12:00:00.000Z', 'UTC')).toBe('2026-11-25T12:00:00.000Z');
  });
});
