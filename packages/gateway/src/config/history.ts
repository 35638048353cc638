// Configuration history as an auditor reads it (issue 17 item 5, M 5.73, NET.4.3.A3): the
// versions with who (a person, an OS account, the system), node, when, why; one version's
// content; the difference between two versions as key paths and as text; an export of
// all of it. Secrets are redacted on the way out as well as when recorded: a version
// recorded before a redaction rule existed must not repeat its secret.
import { type ConfigVersion, configVersions, type Knex, unifiedDiff } from '@faxgate/store';
import { parse, stringify } from 'yaml';
import { type ConfigChange, diffConfig } from './diff.js';
import { isSecretParam, REDACTED, redactUrlsIn } from './redact.js';

const MARK = 'faxgateredactedmark';

/**
 * redactUrlsIn for text that may already be redacted: a URL ends at '<', so an already
 * redacted `?token=<redacted>` would read as an empty value and be redacted twice.
 */
function reRedact(text: string): string {
  return redactUrlsIn(text.split(REDACTED).join(MARK)).split(MARK).join(REDACTED);
}

/** Keys whose value is a secret wherever they occur (secret, sessionSecret, password, token…). */
function isSecretKey(key: string): boolean {
  return isSecretParam(key) && !/^(redact|tokenTtl|passwordMin)/i.test(key);
}

function redactDeep(value: unknown, key = ''): unknown {
  if (typeof value === 'string') {
    if (key && isSecretKey(key) && value !== '' && value !== REDACTED) return REDACTED;
    return reRedact(value);
  }
  if (Array.isArray(value)) return value.map((v) => redactDeep(v));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v, k)]));
  }
  return value;
}

/**
 * The stored content with every secret redacted again (unchanged text when nothing was
 * left to redact — the case for every version recorded by this code). Content that is not
 * YAML any more is redacted as text.
 */
export function redactContent(content: string): string {
  let doc: unknown;
  try {
    doc = parse(content);
  } catch {
    return reRedact(content);
  }
  const redacted = redactDeep(doc);
  return JSON.stringify(redacted) === JSON.stringify(doc) ? content : stringify(redacted);
}

/** One line per version in a listing: no content. */
export interface VersionSummary {
  version: number;
  node: string;
  author: string;
  authorKind: ConfigVersion['authorKind'];
  createdAt: Date;
  sha256: string;
  comment: string;
  reason: string;
}

export interface VersionDetail extends VersionSummary {
  content: string;
  /** Unified diff against the node's previous version, as recorded ('' for the first). */
  diff: string;
}

export interface VersionDiff {
  from: VersionSummary;
  to: VersionSummary;
  changes: ConfigChange[];
  /** Unified diff of the redacted contents. */
  text: string;
}

export function summary(v: ConfigVersion): VersionSummary {
  return {
    version: v.version,
    node: v.node,
    author: v.author,
    authorKind: v.authorKind,
    createdAt: v.createdAt,
    sha256: v.sha256,
    comment: reRedact(v.comment),
    reason: reRedact(v.reason),
  };
}

export function detail(v: ConfigVersion): VersionDetail {
  return { ...summary(v), content: redactContent(v.content), diff: reRedact(v.diff) };
}

function safeParse(content: string): unknown {
  try {
    return parse(content) ?? {};
  } catch {
    return {};
  }
}

/** Versions newest first (of one node when given). */
export async function history(
  db: Knex,
  opts: { node?: string; limit?: number; before?: number } = {},
): Promise<VersionSummary[]> {
  return (await configVersions.list(db, opts)).map(summary);
}

export async function show(db: Knex, version: number): Promise<VersionDetail> {
  return detail(await configVersions.get(db, version));
}

/** What changed from version `a` to version `b` (any two, of any nodes). */
export async function diffVersions(db: Knex, a: number, b: number): Promise<VersionDiff> {
  const [va, vb] = [await configVersions.get(db, a), await configVersions.get(db, b)];
  const ca = redactContent(va.content);
  const cb = redactContent(vb.content);
  return {
    from: summary(va),
    to: summary(vb),
    changes: diffConfig(safeParse(ca), safeParse(cb)),
    text: unifiedDiff(ca, cb, { fromLabel: `version ${a}`, toLabel: `version ${b}` }),
  };
}

/** Every version (of one node when given), oldest first, with content: the export. */
export async function exportHistory(db: Knex, opts: { node?: string } = {}): Promise<VersionDetail[]> {
  const out: VersionDetail[] = [];
  let before: number | undefined;
  for (;;) {
    const page = await configVersions.list(db, { node: opts.node, before, limit: 500 });
    out.push(...page.map(detail));
    if (page.length < 500) break;
    before = page[page.length - 1].version;
  }
  return out.reverse();
}

/** A line of `faxgate config history`. */
export function formatSummary(v: VersionSummary): string {
  const who =
    v.authorKind === 'user'
      ? v.author
      : v.authorKind === 'os'
        ? `${v.author} (OS account, no faxgate user)`
        : `${v.author} (system)`;
  const why = v.reason ? ` — ${v.reason}` : '';
  return `${v.version}\t${new Date(v.createdAt).toISOString()}\t${v.node || '-'}\t${who}\t${v.comment}${why}`;
}
