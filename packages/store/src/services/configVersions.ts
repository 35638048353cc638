// Configuration history (M 5.73 / NET.4.3.A3: every change documented with who, when, diff).
import { createHash } from 'node:crypto';
import type { Db } from '../db.js';
import { inTransaction } from '../db.js';
import { unifiedDiff } from '../diff.js';
import { InvalidInputError, NotFoundError } from '../errors.js';

/**
 * What the author is: a faxgate user (through the API, logged in), an OS account (a file
 * edited on the host and read by the daemon, or `config record` on the host — the person
 * is not known, the account is), or the system (SIGHUP).
 */
export const CONFIG_AUTHOR_KINDS = ['user', 'os', 'system'] as const;
export type ConfigAuthorKind = (typeof CONFIG_AUTHOR_KINDS)[number];

/** Longest reason accepted (the column's check). */
export const CONFIG_REASON_MAX = 2000;

export interface ConfigVersion {
  version: number;
  /** The node (gateway process, `node.name`) that ran it; '' for versions recorded before nodes. */
  node: string;
  author: string;
  authorKind: ConfigAuthorKind;
  createdAt: Date;
  /** sha256 of the content (UTF-8), hex. */
  sha256: string;
  content: string;
  /** Unified diff against the previous version ('' for the first). */
  diff: string;
  /** Where the version came from ("gateway start (file)", "config reload (file)"). */
  comment: string;
  /** Why, as the person gave it (`--reason`); '' when none was given. */
  reason: string;
}

export function sha256Hex(content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}

// biome-ignore lint/suspicious/noExplicitAny: a config_versions row
function toVersion(r: any): ConfigVersion {
  return {
    version: r.version,
    node: r.node ?? '',
    author: r.author,
    authorKind: r.author_kind ?? 'user',
    createdAt: r.created_at,
    sha256: r.sha256,
    content: r.content,
    diff: r.diff,
    comment: r.comment,
    reason: r.reason ?? '',
  };
}

// A fixed key for pg_advisory_xact_lock: serialises concurrent `record` calls so that each
// diff is against the version really before it.
const CONFIG_LOCK_KEY = 0x66617863; // 'faxc'

/**
 * Records a configuration of a node. When the content equals that node's latest version,
 * nothing is written and that version is returned with `changed: false`; the diff is against
 * the node's previous version (nodes with different files do not flip-flop each other).
 */
export async function record(
  db: Db,
  input: {
    author: string;
    content: string;
    comment?: string;
    node?: string;
    authorKind?: ConfigAuthorKind;
    reason?: string;
  },
): Promise<ConfigVersion & { changed: boolean }> {
  const node = input.node ?? '';
  if (typeof node !== 'string' || node.length > 255) throw new InvalidInputError('node name too long');
  if (typeof input.author !== 'string' || input.author.trim() === '') {
    throw new InvalidInputError('a configuration version needs an author');
  }
  if (typeof input.content !== 'string') throw new InvalidInputError('configuration content must be text');
  const authorKind = input.authorKind ?? 'user';
  if (!CONFIG_AUTHOR_KINDS.includes(authorKind)) throw new InvalidInputError(`author kind ${authorKind}?`);
  const reason = (input.reason ?? '').trim();
  if (reason.length > CONFIG_REASON_MAX) {
    throw new InvalidInputError(`reason: at most ${CONFIG_REASON_MAX} characters`);
  }
  const sha = sha256Hex(input.content);
  return inTransaction(db, async (trx) => {
    await trx.raw('SELECT pg_advisory_xact_lock(?)', [CONFIG_LOCK_KEY]);
    const prev = await latest(trx, node);
    if (prev && prev.sha256 === sha) return { ...prev, changed: false };
    const diff = prev
      ? unifiedDiff(prev.content, input.content, {
          fromLabel: `version ${prev.version}`,
          toLabel: 'new',
        })
      : '';
    const [row] = await trx('config_versions')
      .insert({
        node,
        author: input.author,
        sha256: sha,
        content: input.content,
        diff,
        comment: input.comment ?? '',
        author_kind: authorKind,
        reason,
      })
      .returning('*');
    return { ...toVersion(row), changed: true };
  });
}

/** The newest version of `node` (of any node when undefined). */
export async function latest(db: Db, node?: string): Promise<ConfigVersion | null> {
  const q = db('config_versions').orderBy('version', 'desc');
  if (node !== undefined) q.where({ node });
  const row = await q.first();
  return row ? toVersion(row) : null;
}

export async function get(db: Db, version: number): Promise<ConfigVersion> {
  const row = await db('config_versions').where({ version }).first();
  if (!row) throw new NotFoundError('configuration version', version);
  return toVersion(row);
}

/**
 * Newest first (of one node when `node` is given; only versions below `before` when given,
 * for paging); `limit` defaults to 100.
 */
export async function list(
  db: Db,
  options: { limit?: number; node?: string; before?: number } = {},
): Promise<ConfigVersion[]> {
  const q = db('config_versions')
    .orderBy('version', 'desc')
    .limit(options.limit ?? 100);
  if (options.node !== undefined) q.where({ node: options.node });
  if (options.before !== undefined) q.where('version', '<', options.before);
  const rows = await q;
  return rows.map(toVersion);
}
