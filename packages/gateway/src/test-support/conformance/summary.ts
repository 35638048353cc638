// The conformance summary: one table row per corpus folder (checks passed / failed / WARN,
// references known wrong shown apart, which references), one row per other conformance test
// file (the CCITT golden set and the like), then every check that did not pass, by name. Markdown, so the
// same text goes to the run's output, to $FAXGATE_CONFORMANCE_REPORT and into the README.
import type { ConformanceRecord } from './record.js';

export interface SummaryEntry {
  /** The test file, relative to the repository. */
  module: string;
  state: 'passed' | 'failed' | 'skipped' | 'pending';
  /** The test's name (for tests without a record). */
  name: string;
  record?: ConformanceRecord;
}

interface Row {
  group: string;
  files: Set<string>;
  passed: number;
  failed: number;
  warn: number;
  shownOk: number;
  shownBad: number;
  against: Set<string>;
}

/** The reference a check compares with, as the table names it. */
export function referenceOf(check: string): string {
  const name = check.split(':')[0];
  if (name === 'ref') return 'libtiff refs';
  if (name === 'prefix-libtiff') return 'libtiff (prefix)';
  if (name === 'prefix-sfftobmp') return 'sfftobmp (prefix)';
  if (name === 'badlines>0') return 'faxgate info';
  if (name === 'refuse') return 'refusal';
  if (name === 'pages') return 'page count';
  if (name === 'gspages') return 'gs pages';
  if (name === 'doccmp') return 'gs content';
  return name;
}

/** `packages/fax-core/src/codec/ccitt.conformance.test.ts` → `fax-core/codec/ccitt`. */
export function testName(module: string): string {
  return module
    .replace(/^packages\//, '')
    .replace('/src/', '/')
    .replace(/\.conformance\.test\.ts$/, '');
}

/** One line, at most 300 characters: details go into a Markdown list. */
const oneLine = (s: string) => {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > 300 ? `${t.slice(0, 299)}…` : t;
};

const otherPrefix = 'tests: ';

export function buildSummary(entries: readonly SummaryEntry[]): string {
  const rows = new Map<string, Row>();
  const row = (key: string): Row => {
    let r = rows.get(key);
    if (!r) {
      r = {
        group: key,
        files: new Set(),
        passed: 0,
        failed: 0,
        warn: 0,
        shownOk: 0,
        shownBad: 0,
        against: new Set(),
      };
      rows.set(key, r);
    }
    return r;
  };
  const problems: string[] = [];
  const warnings: string[] = [];
  const shown: string[] = [];
  for (const e of entries) {
    const c = e.record;
    if (!c) {
      // A conformance test of its own (the CCITT golden set, other parts' tests): one row per file.
      const r = row(`${otherPrefix}${testName(e.module)}`);
      if (e.state === 'passed') r.passed++;
      else {
        r.failed++;
        problems.push(`${e.module}: ${oneLine(e.name)} (${e.state})`);
      }
      continue;
    }
    const r = row(`${c.manifest}/${c.group}`);
    r.files.add(c.file);
    r.against.add(referenceOf(c.check) + (c.mode === 'wrong' ? '~' : ''));
    const line = `${c.manifest}/${c.file} ${c.check}${c.detail ? `: ${oneLine(c.detail)}` : ''}`;
    if (c.mode === 'wrong') {
      if (c.ok) r.shownOk++;
      else {
        r.shownBad++;
        shown.push(line);
      }
    } else if (c.ok && e.state === 'passed') r.passed++;
    else if (c.mode === 'warn' && e.state === 'passed') {
      r.warn++;
      warnings.push(line);
    } else {
      r.failed++;
      problems.push(line);
    }
  }
  const isOther = (r: Row) => r.group.startsWith(otherPrefix);
  const ordered = [...rows.values()].sort((a, b) =>
    isOther(a) !== isOther(b) ? (isOther(a) ? 1 : -1) : a.group.localeCompare(b.group),
  );
  const total = ordered.reduce(
    (t, r) => ({
      files: t.files + r.files.size,
      passed: t.passed + r.passed,
      failed: t.failed + r.failed,
      warn: t.warn + r.warn,
      shown: t.shown + r.shownOk + r.shownBad,
    }),
    { files: 0, passed: 0, failed: 0, warn: 0, shown: 0 },
  );
  const out = [
    '| corpus folder or test | files | passed | failed | warn | reference known wrong (agrees / differs) | against |',
    '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
    ...ordered.map(
      (r) =>
        `| ${r.group} | ${isOther(r) ? '' : r.files.size} | ${r.passed} | ${r.failed} | ${r.warn} | ${
          r.shownOk + r.shownBad ? `${r.shownOk} / ${r.shownBad}` : ''
        } | ${isOther(r) ? 'its own assertions' : [...r.against].sort().join(', ')} |`,
    ),
    `| **total** | ${total.files} | ${total.passed} | ${total.failed} | ${total.warn} | ${total.shown || ''} | |`,
  ];
  const list = (title: string, items: string[]) =>
    items.length ? ['', `${title} (${items.length}):`, '', ...items.map((i) => `- ${i}`)] : [];
  out.push(
    ...list('Failed', problems),
    ...list('WARN (report-only checks)', warnings),
    ...list('Reference known wrong, differs (not counted)', shown),
  );
  return `${out.join('\n')}\n`;
}
