// A small line-based unified diff (for configuration history). Common prefix and suffix
// are trimmed, the middle is diffed by longest common subsequence; a middle too large for
// that (> 4M cells) is shown as removed-then-added, which is still a correct diff.

type Op = { op: ' ' | '-' | '+'; line: string };

function splitLines(s: string): string[] {
  if (s === '') return [];
  const lines = s.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function lcsOps(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  if (n * m > 4_000_000) {
    return [
      ...a.map((line) => ({ op: '-' as const, line })),
      ...b.map((line) => ({ op: '+' as const, line })),
    ];
  }
  // dp[i][j] = LCS length of a[i..], b[j..]
  const dp: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      dp[i][j] = a[i] === b[j] ? dp[i + 1][j + 1] + 1 : Math.max(dp[i + 1][j], dp[i][j + 1]);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      ops.push({ op: ' ', line: a[i] });
      i++;
      j++;
    } else if (dp[i + 1][j] >= dp[i][j + 1]) ops.push({ op: '-', line: a[i++] });
    else ops.push({ op: '+', line: b[j++] });
  }
  while (i < n) ops.push({ op: '-', line: a[i++] });
  while (j < m) ops.push({ op: '+', line: b[j++] });
  return ops;
}

/** Unified diff of two texts ('' when equal), with `context` lines around each change. */
export function unifiedDiff(
  before: string,
  after: string,
  options: { fromLabel?: string; toLabel?: string; context?: number } = {},
): string {
  if (before === after) return '';
  const ctx = options.context ?? 3;
  const a = splitLines(before);
  const b = splitLines(after);
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf])
    suf++;
  const ops: Op[] = [
    ...a.slice(0, pre).map((line) => ({ op: ' ' as const, line })),
    ...lcsOps(a.slice(pre, a.length - suf), b.slice(pre, b.length - suf)),
    ...a.slice(a.length - suf).map((line) => ({ op: ' ' as const, line })),
  ];
  const out: string[] = [`--- ${options.fromLabel ?? 'before'}`, `+++ ${options.toLabel ?? 'after'}`];
  // Group changes into hunks.
  let k = 0;
  const lineNoA: number[] = [];
  const lineNoB: number[] = [];
  let la = 1;
  let lb = 1;
  for (const o of ops) {
    lineNoA.push(la);
    lineNoB.push(lb);
    if (o.op !== '+') la++;
    if (o.op !== '-') lb++;
  }
  while (k < ops.length) {
    while (k < ops.length && ops[k].op === ' ') k++;
    if (k >= ops.length) break;
    const start = Math.max(0, k - ctx);
    let end = k;
    // extend while the next change is within 2*ctx of the last one
    let last = k;
    while (end < ops.length) {
      if (ops[end].op !== ' ') last = end;
      else if (end - last > 2 * ctx) break;
      end++;
    }
    const stop = Math.min(ops.length, last + ctx + 1);
    const hunk = ops.slice(start, stop);
    const countA = hunk.filter((o) => o.op !== '+').length;
    const countB = hunk.filter((o) => o.op !== '-').length;
    const startA = countA === 0 ? lineNoA[start] - 1 : lineNoA[start];
    const startB = countB === 0 ? lineNoB[start] - 1 : lineNoB[start];
    out.push(`@@ -${startA},${countA} +${startB},${countB} @@`);
    for (const o of hunk) out.push(`${o.op}${o.line}`);
    k = stop;
  }
  return `${out.join('\n')}\n`;
}
