// The corpus manifests (realworld/fax/MANIFEST.tsv, realworld/docs/MANIFEST.tsv): one row per
// file, `path<TAB>checks<TAB>what`, checks comma-separated. A trailing `?` makes a check
// report-only (WARN), a trailing `~` marks a reference known to be wrong for that file (shown,
// never counted). Lines starting with # are the header comments that define the checks.
import { readFileSync } from 'node:fs';
import path from 'node:path';

const repoRoot = path.resolve(import.meta.dirname, '../../../../..');

/**
 * The shared corpus: $FAXGATE_CORPUS, default ../shared/testdata beside the repository (as
 * fax-core's test-support/corpus.ts, whose global setup has checked it is there).
 */
export function corpusRoot(): string {
  const env = process.env.FAXGATE_CORPUS;
  return env ? path.resolve(env) : path.resolve(repoRoot, '../shared/testdata');
}

/** must: fails the run; warn: reported, never fails; wrong: the reference is known wrong, shown only. */
export type CheckMode = 'must' | 'warn' | 'wrong';

export interface Check {
  /** The check as written, without its marker: `libtiff`, `ref:libtiff/refs/o-x.tiff`, `pages:14`. */
  spec: string;
  /** The part before the first colon: `libtiff`, `ref`, `pages`, `prefix-sfftobmp`, `badlines>0`. */
  name: string;
  /** The parts after it (`ref:FILE` → [FILE], `prefix-sfftobmp:FILE:N` → [FILE, N]). */
  args: string[];
  mode: CheckMode;
}

export interface ManifestRow {
  path: string;
  checks: Check[];
  what: string;
  line: number;
}

export function parseCheck(text: string): Check {
  const t = text.trim();
  const mode: CheckMode = t.endsWith('?') ? 'warn' : t.endsWith('~') ? 'wrong' : 'must';
  const spec = mode === 'must' ? t : t.slice(0, -1);
  const [name, ...args] = spec.split(':');
  if (!name) throw new Error(`empty check in "${text}"`);
  return { spec, name, args, mode };
}

/** Parses a manifest's text; throws naming the line for a row without path or checks. */
export function parseManifest(text: string): ManifestRow[] {
  const rows: ManifestRow[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '' || line.startsWith('#')) return;
    const [path, checks, ...what] = line.split('\t');
    if (!path || !checks) throw new Error(`manifest line ${i + 1}: expected path<TAB>checks<TAB>what`);
    rows.push({ path, checks: checks.split(',').map(parseCheck), what: what.join('\t'), line: i + 1 });
  });
  return rows;
}

/**
 * A check of the shared manifest that this project deliberately does otherwise, decided in an
 * issue: `from` (as written in the manifest) is checked as `to`, and the row says why.
 */
export interface ManifestOverride {
  from: string;
  to: string;
  why: string;
}

/**
 * Applies `overrides` (by file path). An override whose file or check is not in the manifest
 * throws, so a changed manifest cannot leave a stale override silently doing nothing.
 */
export function applyOverrides(
  rows: ManifestRow[],
  overrides: Readonly<Record<string, ManifestOverride>>,
): ManifestRow[] {
  const byPath = new Map(rows.map((r) => [r.path, r]));
  for (const [file, o] of Object.entries(overrides)) {
    const row = byPath.get(file);
    const i = row ? row.checks.findIndex((c) => c.spec === parseCheck(o.from).spec) : -1;
    if (!row || i < 0) throw new Error(`manifest override for ${file}: no check "${o.from}" in the manifest`);
    row.checks[i] = parseCheck(o.to);
    row.what = `${row.what} [checked as ${o.to}, not ${o.from}: ${o.why}]`;
  }
  return rows;
}

export function readManifest(
  file: string,
  overrides: Readonly<Record<string, ManifestOverride>> = {},
): ManifestRow[] {
  return applyOverrides(parseManifest(readFileSync(file, 'utf8')), overrides);
}

/** docs/MANIFEST.tsv rows this project checks otherwise, with the issue that decided it. */
export const DOC_OVERRIDES: Readonly<Record<string, ManifestOverride>> = {
  'pillow/hopper.gif': {
    from: 'refuse',
    to: 'pages:1',
    why: 'issue 16 asks GIF to be accepted (its one frame); an animated GIF is refused',
  },
};

/** The group a file is reported under: its folder (`libtiff.net`, `pdf.js`). */
export function groupOf(path: string): string {
  const i = path.indexOf('/');
  return i < 0 ? '.' : path.slice(0, i);
}
