import { describe, expect, it } from 'vitest';
import { unifiedDiff } from './diff.js';

/** Applies a unified diff strictly: every context and removed line must match `before`. */
function apply(before: string, diff: string): string {
  const a = before === '' ? [] : before.replace(/\n$/, '').split('\n');
  const out: string[] = [];
  let pos = 0; // next unconsumed line of a (0-based)
  const lines = diff.replace(/\n$/, '').split('\n').slice(2);
  for (let i = 0; i < lines.length; ) {
    const m = /^@@ -(\d+),(\d+) \+(\d+),(\d+) @@$/.exec(lines[i]);
    if (!m) throw new Error(`bad hunk header ${lines[i]}`);
    const startA = Number(m[2]) === 0 ? Number(m[1]) : Number(m[1]) - 1;
    if (startA < pos) throw new Error('hunks overlap');
    out.push(...a.slice(pos, startA));
    pos = startA;
    let countA = 0;
    let countB = 0;
    for (i++; i < lines.length && !lines[i].startsWith('@@'); i++) {
      const op = lines[i][0];
      const text = lines[i].slice(1);
      if (op === ' ' || op === '-') {
        if (a[pos] !== text)
          throw new Error(
            `line ${pos + 1}: expected ${JSON.stringify(a[pos])}, diff says ${JSON.stringify(text)}`,
          );
        pos++;
        countA++;
      }
      if (op === ' ' || op === '+') {
        out.push(text);
        countB++;
      }
    }
    if (countA !== Number(m[2]) || countB !== Number(m[4]))
      throw new Error(`hunk counts wrong: ${lines[i - 1]}`);
  }
  out.push(...a.slice(pos));
  return out.length ? `${out.join('\n')}\n` : '';
}

function rng(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

describe('unifiedDiff', () => {
  it('equal texts give no diff', () => {
    expect(unifiedDiff('a\nb\n', 'a\nb\n')).toBe('');
  });

  it('writes hunks with context and correct headers', () => {
    const before = 'a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\n';
    const after = 'a\nB\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\nm\n';
    expect(unifiedDiff(before, after)).toBe(
      '--- before\n+++ after\n@@ -1,5 +1,5 @@\n a\n-b\n+B\n c\n d\n e\n@@ -10,3 +10,4 @@\n j\n k\n l\n+m\n',
    );
    expect(unifiedDiff('', 'x\n')).toBe('--- before\n+++ after\n@@ -0,0 +1,1 @@\n+x\n');
    expect(unifiedDiff('x\n', '')).toBe('--- before\n+++ after\n@@ -1,1 +0,0 @@\n-x\n');
  });

  it('any edit applies back exactly (500 random cases)', () => {
    const r = rng(42);
    for (let n = 0; n < 500; n++) {
      const a = Array.from({ length: Math.floor(r() * 30) }, () => `l${Math.floor(r() * 8)}`);
      const b = a.filter(() => r() > 0.2).flatMap((x) => (r() > 0.85 ? [x, `n${Math.floor(r() * 8)}`] : [x]));
      if (r() > 0.5) b.unshift('first');
      const before = a.length ? `${a.join('\n')}\n` : '';
      const after = b.length ? `${b.join('\n')}\n` : '';
      expect(apply(before, unifiedDiff(before, after))).toBe(after);
    }
  });
});
