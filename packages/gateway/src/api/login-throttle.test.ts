import { describe, expect, it } from 'vitest';
import { createLoginThrottle } from './login-throttle.js';

describe('login throttle', () => {
  it('blocks a name from an address after the failures, until the window passes', () => {
    const t = createLoginThrottle(3, 60_000);
    for (let i = 0; i < 3; i++) {
      expect(t.blockedFor('Ada', '10.0.0.1', 1000 + i)).toBe(0);
      t.failed('ada', '10.0.0.1', 1000 + i);
    }
    expect(t.blockedFor('ADA', '10.0.0.1', 2000)).toBe(59);
    expect(t.blockedFor('ada', '10.0.0.2', 2000)).toBe(0);
    expect(t.blockedFor('bob', '10.0.0.1', 2000)).toBe(0);
    expect(t.blockedFor('ada', '10.0.0.1', 61_001)).toBe(0);
  });

  it('forgets failures after a successful login', () => {
    const t = createLoginThrottle(2, 60_000);
    t.failed('ada', 'a', 1);
    t.succeeded('ada', 'a');
    t.failed('ada', 'a', 2);
    expect(t.blockedFor('ada', 'a', 3)).toBe(0);
  });

  it('keeps memory bounded under many names', () => {
    const t = createLoginThrottle(1, 60_000, 100);
    for (let i = 0; i < 1000; i++) t.failed(`u${i}`, 'a', 5);
    expect(t.blockedFor('u999', 'a', 6)).toBeGreaterThan(0);
    expect(t.blockedFor('u0', 'a', 6)).toBe(0);
  });
});
