// The auto-rotate rule: a landscape page turns only when it then prints larger.
import { describe, expect, it } from 'vitest';
import { faxGeometry } from './geometry.js';
import { turnsLandscape } from './orientation.js';

const fine = faxGeometry('fine');
const pt = (w: number, h: number) => turnsLandscape(w / 72, h / 72, fine);

describe('turnsLandscape', () => {
  it('turns landscape pages wider than the fax line', () => {
    expect(pt(842, 595)).toBe(true); // A4 landscape: 70 % upright, 100 % turned
    expect(pt(792, 612)).toBe(true); // Letter landscape
    expect(pt(649, 323)).toBe(true); // an envelope of 9 inches
    expect(pt(2000, 800)).toBe(true); // a banner: still larger turned (39 % against 28 %)
  });

  it('keeps pages upright that fit the line as they are', () => {
    expect(pt(200, 50)).toBe(false); // a 200×50 pt label
    expect(pt(595, 421)).toBe(false); // A5 landscape: full size upright
    expect(pt(610, 396)).toBe(false); // 8.47 × 5.5 in: exactly the line's width
  });

  it('does not turn for a gain under 1 % (half-Letter landscape shrinks 0.4 % upright)', () => {
    expect(pt(612, 396)).toBe(false);
  });

  it('never turns portrait or nearly square pages', () => {
    expect(pt(595, 842)).toBe(false);
    expect(pt(1000, 980)).toBe(false); // wider than the line, but not landscape
    expect(pt(0, 0)).toBe(false);
  });

  it('uses the physical size, so it holds at every vertical resolution', () => {
    for (const r of ['standard', 'fine', 'superfine'] as const) {
      const g = faxGeometry(r);
      expect(turnsLandscape(842 / 72, 595 / 72, g)).toBe(true);
      expect(turnsLandscape(200 / 72, 50 / 72, g)).toBe(false);
    }
  });
});
