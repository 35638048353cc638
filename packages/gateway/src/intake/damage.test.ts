// The damage policy of a submission (pure): where a page counts as damaged, and the message.
import { describe, expect, it } from 'vitest';
import {
  beyondPolicy,
  DamagedPagesError,
  DEFAULT_DAMAGE_POLICY,
  describeDamage,
  pageDamage,
} from './damage.js';

const page = (badLines: number, consecutiveBadLines: number, rows = 1000) =>
  pageDamage(1, 'a.tif', rows, {
    badLines,
    consecutiveBadLines,
    firstBadRow: 10,
    lastBadRow: 10 + badLines - 1,
  });

describe('damage policy (default: more than 1 % of rows, or a run of 16)', () => {
  it('lets a page through up to 1 % of its rows in runs under 16, refuses beyond either', () => {
    const p = DEFAULT_DAMAGE_POLICY;
    expect(beyondPolicy(p, [page(10, 15)])).toEqual([]);
    expect(beyondPolicy(p, [page(11, 1)])).toHaveLength(1);
    expect(beyondPolicy(p, [page(16, 16, 10_000)])).toHaveLength(1);
    expect(beyondPolicy(p, [page(15, 15, 10_000)])).toEqual([]);
    expect(beyondPolicy({ maxBadLineFraction: 0, maxConsecutiveBadLines: 1 }, [page(1, 1)])).toHaveLength(1);
  });

  it('names page, counts and rows in the refusal', () => {
    const d = pageDamage(2, 'scan.tif', 3369, {
      badLines: 3133,
      consecutiveBadLines: 3133,
      firstBadRow: 236,
      lastBadRow: 3368,
    });
    expect(describeDamage(d)).toBe('page 2: 3133 of 3369 rows damaged (rows 236–3368)');
    expect(
      describeDamage(
        pageDamage(1, 'x', 100, { badLines: 1, consecutiveBadLines: 1, firstBadRow: 7, lastBadRow: 7 }),
      ),
    ).toBe('page 1: 1 of 100 rows damaged (row 7)');
    const e = new DamagedPagesError([d], 'send with --accept-damaged to send it anyway');
    expect(e.message).toBe(
      'page 2: 3133 of 3369 rows damaged (rows 236–3368); send with --accept-damaged to send it anyway',
    );
    expect(e.code).toBe('damaged_pages');
  });
});
