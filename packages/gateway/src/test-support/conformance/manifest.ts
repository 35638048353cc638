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

export function readManifest(file: string): ManifestRow[] {
  return parseManifest(readFileSync(file, 'utf8'));
}

/** The group a file is reported under: its folder (`libtiff.net`, `pdf.js`). */
export function groupOf(path: string): string {
  const i = path.indexOf('/');
  return i < 0 ? '.' : path.slice(0, i);
}
