import { describe, expect, it } from 'vitest';
import { parseTime } from './times.js';

const now = new Date('2026-11-27T10:00:00Z');

describe('parseTime (send -a / -k)', () => {
  it('reads now and relative times', () => {
    expect(parseTime('now', now)).toEqual(now);
    expect(parseTime('now + 30 minutes', now)).toEqual(new Date('2026-11-27T10:30:00Z'));
    expect(parseTime('+2 hours', now)).toEqual(new Date('2026-11-27T12:00:00Z'));
    expect(parseTime('+1 day', now)).toEqual(new Date('2026-11-28T10:00:00Z'));
  });

  it('reads absolute times with a zone', () => {
    expect(parseTime('2026-12-24T08:00:00Z', now)).toEqual(new Date('2026-12-24T08:00:00Z'));
    expect(parseTime('2026-12-24 08:00+01:00', now)).toEqual(new Date('2026-12-24T07:00:00Z'));
  });

  it('refuses what it cannot read, naming the forms', () => {
    for (const bad of ['tomorrow', '12', '+3 fortnights', '2026-13-45 99:99', 'now + -1 hours', '']) {
      expect(() => parseTime(bad, now), bad).toThrow(/use "now \+ 30 minutes"/);
    }
  });
});
