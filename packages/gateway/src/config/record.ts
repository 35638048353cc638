// Configuration as a documented artefact (M 5.73, NET.4.3.A3, M 6.69): every configuration
// the gateway runs with is stored as a version (author, time, sha256, redacted content,
// diff) with a `config.change` audit event, in one transaction, whenever it changed.

import { appendAuditEvent } from '@faxgate/audit';
import { type ConfigAuthorKind, configVersions, inTransaction } from '@faxgate/store';
import { parse } from 'yaml';
import { type ConfigChange, diffConfig } from './diff.js';
import { configDocument, redactUrlsIn } from './redact.js';
import type { FaxgateConfig } from './schema.js';

type Db = Parameters<typeof inTransaction>[0];

export interface RecordedConfig {
  changed: boolean;
  version: number;
  sha256: string;
  /** Key paths that differ from the previous version (all keys for the first version). */
  changes: ConfigChange[];
}

/** Strings (at any depth) with every URL in them redacted. */
function scrub(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === 'string') return redactUrlsIn(value);
  if (Array.isArray(value)) return value.map(scrub);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrub(v)]));
  }
  return value;
}

export async function recordConfigVersion(
  db: Db,
  input: {
    config: FaxgateConfig;
    author: string;
    comment?: string;
    /** 'user' (default): a logged-in faxgate user; 'os': an OS account (file edit, host CLI); 'system'. */
    authorKind?: ConfigAuthorKind;
    /** Why, as the person gave it (`--reason`). */
    reason?: string;
  },
): Promise<RecordedConfig> {
  const content = configDocument(input.config);
  // A reason is free text: a URL in it ("webhook moved to https://…?token=…") is redacted too.
  const reason = redactUrlsIn(input.reason?.trim() ?? '');
  return inTransaction(db, async (trx) => {
    // Per node: another gateway on this database with another file is not a change of ours.
    const node = input.config.node.name;
    const prev = await configVersions.latest(trx, node);
    const v = await configVersions.record(trx, {
      author: input.author,
      content,
      comment: input.comment,
      node,
      authorKind: input.authorKind ?? 'user',
      reason,
    });
    if (!v.changed) return { changed: false, version: v.version, sha256: v.sha256, changes: [] };
    const changes = diffConfig(prev ? parse(prev.content) : {}, parse(content));
    await appendAuditEvent(trx, {
      type: 'config.change',
      actor: input.author,
      subject: `config:v${v.version}`,
      details: {
        node,
        version: v.version,
        sha256: v.sha256,
        previous: prev?.version ?? null,
        comment: input.comment ?? '',
        authorKind: input.authorKind ?? 'user',
        reason,
        // A previous version recorded before a redaction rule existed may still hold a
        // secret in a URL: the event never repeats it.
        changes: changes.map((c) => ({ path: c.path, from: scrub(c.from), to: scrub(c.to) })),
      },
    });
    return { changed: true, version: v.version, sha256: v.sha256, changes };
  });
}
