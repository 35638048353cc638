// One retention run: find the faxes whose payload is due (per mailbox and direction: N days
// after they finished, outgoing once finished, incoming once forwarded), leave out held ones,
// archive each when archive.dir is set — written and verified before anything is deleted —
// then delete its pages and keep the record as `deleted`, audited per fax (retention.purge)
// and once per run (retention.run). A crash between the two steps leaves a complete package
// that the next run verifies and reuses, so a re-run is idempotent and nothing is lost.
import path from 'node:path';
import { appendAuditEvent } from '@faxgate/audit';
import { type Db, type Fax, type FaxState, faxes, faxPages, inTransaction } from '@faxgate/store';
import type { ArchiveConfig, RetentionConfig } from './config.js';
import { packageFiles } from './contents.js';
import { HELD_SQL } from './holds.js';
import {
  packageName,
  prepareArchiveRoot,
  removeStaleTemporaries,
  verifyPackage,
  writePackage,
} from './package.js';

/** Finished faxes, whose payload retention may delete (as `faxgate rm` may). */
export const FINISHED: Record<Fax['direction'], readonly FaxState[]> = {
  out: ['done', 'failed', 'rejected'],
  in: ['received', 'delivered', 'failed'],
};

export interface RetentionRunOptions {
  db: Db;
  retention: RetentionConfig;
  archive: ArchiveConfig;
  /** Who runs it: a user name, or `system:retention` for the scheduled job. */
  actor: string;
  actorId?: number | null;
  dryRun?: boolean;
  /** The run's "now" (default: the database clock). */
  now?: Date;
  signal?: AbortSignal;
}

export interface DueFax {
  id: number;
  direction: 'in' | 'out';
  state: FaxState;
  mailbox: string | null;
  /** `days:N`, `after-completion` or `after-forwarding`. */
  rule: string;
  finishedAt: Date;
}

export interface RetentionSummary {
  dryRun: boolean;
  now: string;
  /** Due faxes found (at most retention.maxFaxesPerRun), not counting held ones. */
  due: number;
  /** Due but on legal hold: left alone. */
  held: number;
  deleted: number;
  archived: number;
  pagesDeleted: number;
  /** Faxes not deleted because their archive could not be written or verified. */
  failed: number;
  archiveDir: string | null;
  /** Configured mailbox rules naming no mailbox. */
  unknownMailboxes: string[];
  /** The due faxes (dry run), or the deleted ones. */
  faxes: Array<DueFax & { archive?: string; error?: string }>;
}

/** The rule text of a row; the SQL below computes the same. */
const ruleSql = `CASE
    WHEN r.mode IS NOT NULL THEN r.mode
    ELSE 'days:' || (CASE f.direction WHEN 'out' THEN ?::int ELSE ?::int END)::text END`;

/**
 * Rules as a VALUES list (mailbox, direction, mode, days) joined to each fax; faxes without a
 * rule of their own keep the defaults (outgoingDays / incomingDays).
 */
function dueQuery(
  db: Db,
  r: RetentionConfig,
  now: Date,
  opts: { held: boolean; limit?: number; count?: boolean },
) {
  const rules: Array<[string, string, string, number | null]> = [];
  for (const m of r.mailboxes) {
    if (m.outgoing !== undefined)
      rules.push([
        m.mailbox,
        'out',
        typeof m.outgoing === 'number' ? `days:${m.outgoing}` : m.outgoing,
        typeof m.outgoing === 'number' ? m.outgoing : null,
      ]);
    if (m.incoming !== undefined)
      rules.push([
        m.mailbox,
        'in',
        typeof m.incoming === 'number' ? `days:${m.incoming}` : m.incoming,
        typeof m.incoming === 'number' ? m.incoming : null,
      ]);
  }
  const values = rules.length
    ? rules.map(() => '(?::text, ?::text, ?::text, ?::int)').join(', ')
    : '(NULL::text, NULL::text, NULL::text, NULL::int)';
  const finishedAt = 'coalesce(f.completed_at, f.updated_at)';
  const sql = `
    WITH rules(mailbox, direction, mode, days) AS (VALUES ${values})
    SELECT f.id, f.direction, f.state, m.name AS mailbox, ${finishedAt} AS finished_at, ${ruleSql} AS rule
      FROM faxes f
      LEFT JOIN mailboxes m ON m.id = f.mailbox_id
      LEFT JOIN rules r ON r.mailbox = m.name AND r.direction = f.direction
     WHERE ((f.direction = 'out' AND f.state IN (${FINISHED.out.map(() => '?').join(', ')}))
         OR (f.direction = 'in' AND f.state IN (${FINISHED.in.map(() => '?').join(', ')})))
       AND ${opts.held ? '' : 'NOT'} ${HELD_SQL}
       AND CASE
         WHEN r.mode = 'after-completion' THEN ${finishedAt} <= ?::timestamptz
         WHEN r.mode = 'after-forwarding' THEN EXISTS (SELECT 1 FROM audit_events e
              WHERE e.fax_id = f.id AND e.type = 'fax.forward' AND e.time <= ?::timestamptz)
         ELSE ${finishedAt} <= ?::timestamptz - make_interval(days => coalesce(r.days,
              CASE f.direction WHEN 'out' THEN ?::int ELSE ?::int END))
       END
     ORDER BY f.id
     ${opts.limit ? `LIMIT ${Number(opts.limit)}` : ''}`;
  const bindings = [
    ...rules.flat(),
    r.outgoingDays,
    r.incomingDays,
    ...FINISHED.out,
    ...FINISHED.in,
    now,
    now,
    now,
    r.outgoingDays,
    r.incomingDays,
  ];
  // Held ones are only counted: a held mailbox may cover any number of faxes.
  return db.raw(opts.count ? `SELECT count(*)::int AS n FROM (${sql}) due` : sql, bindings);
}

export async function findDue(
  db: Db,
  r: RetentionConfig,
  now: Date,
): Promise<{ due: DueFax[]; held: number }> {
  const { rows } = await dueQuery(db, r, now, { held: false, limit: r.maxFaxesPerRun });
  const held = await dueQuery(db, r, now, { held: true, count: true });
  return {
    due: rows.map((x: Record<string, unknown>) => ({
      id: Number(x.id),
      direction: x.direction as 'in' | 'out',
      state: x.state as FaxState,
      mailbox: (x.mailbox as string | null) ?? null,
      rule: x.rule as string,
      finishedAt: x.finished_at as Date,
    })),
    held: Number(held.rows[0].n),
  };
}

async function unknownMailboxes(db: Db, r: RetentionConfig): Promise<string[]> {
  const names = r.mailboxes.map((m) => m.mailbox);
  if (names.length === 0) return [];
  const found = new Set((await db('mailboxes').whereIn('name', names).select('name')).map((m) => m.name));
  return names.filter((n) => !found.has(n));
}

export async function runRetention(o: RetentionRunOptions): Promise<RetentionSummary> {
  const { db } = o;
  const now: Date = o.now ?? (await db.raw('SELECT now() AS t')).rows[0].t;
  const { due, held } = await findDue(db, o.retention, now);
  const archiveDir = o.archive.dir ?? null;
  const summary: RetentionSummary = {
    dryRun: o.dryRun ?? false,
    now: now.toISOString(),
    due: due.length,
    held,
    deleted: 0,
    archived: 0,
    pagesDeleted: 0,
    failed: 0,
    archiveDir,
    unknownMailboxes: await unknownMailboxes(db, o.retention),
    faxes: [],
  };
  if (o.dryRun) {
    summary.faxes = due;
    return summary;
  }
  if (archiveDir) {
    await prepareArchiveRoot(archiveDir);
    await removeStaleTemporaries(archiveDir);
  }
  for (const d of due) {
    if (o.signal?.aborted) break;
    let archive: { name: string; manifestSha256: string } | null = null;
    try {
      if (archiveDir) archive = await archiveFax(o, d, archiveDir, now);
      const pages = await purge(o, d, archive);
      if (pages === null) continue; // held or changed meanwhile: left alone
      summary.deleted++;
      summary.pagesDeleted += pages;
      if (archive) summary.archived++;
      summary.faxes.push({ ...d, ...(archive ? { archive: archive.name } : {}) });
    } catch (e) {
      summary.failed++;
      summary.faxes.push({ ...d, error: (e as Error).message });
    }
  }
  const { faxes: _list, ...counts } = summary;
  await inTransaction(db, (trx) =>
    appendAuditEvent(trx, {
      type: 'retention.run',
      actor: o.actor,
      actorId: o.actorId ?? null,
      subject: 'retention',
      details: { ...counts, failedFaxes: summary.faxes.filter((f) => f.error).map((f) => f.id) },
    }),
  );
  return summary;
}

/** Writes (or finds, complete, from an interrupted run) the fax's package. */
async function archiveFax(
  o: RetentionRunOptions,
  d: DueFax,
  root: string,
  now: Date,
): Promise<{ name: string; manifestSha256: string }> {
  const name = packageName(d.id);
  const existing = await verifyPackage(path.join(root, name));
  if (existing.ok && existing.manifestSha256) return { name, manifestSha256: existing.manifestSha256 };
  if (!existing.problems[0]?.includes('cannot be read (ENOENT)')) {
    // A package under this name that does not verify: never overwritten, never deleted.
    throw new Error(`archive package ${name} exists and does not verify: ${existing.problems[0]}`);
  }
  const fax = await faxes.get(o.db, d.id);
  const files = await packageFiles(o.db, {
    fax,
    mailbox: d.mailbox,
    rule: d.rule,
    archivedBy: o.actor,
    archivedAt: now,
  });
  const written = await writePackage(root, name, files);
  return { name, manifestSha256: written.manifestSha256 };
}

/** Deletes the pages and keeps the record as `deleted`; null when held or changed meanwhile. */
async function purge(
  o: RetentionRunOptions,
  d: DueFax,
  archive: { name: string; manifestSha256: string } | null,
): Promise<number | null> {
  return inTransaction(o.db, async (trx) => {
    // The same row locks legal holds take: a hold committed before this point is seen.
    const before = await faxes.getForUpdate(trx, d.id);
    if (before.mailboxId !== null)
      await trx('mailboxes').where({ id: before.mailboxId }).forShare().first('id');
    const held = await trx.raw(`SELECT ${HELD_SQL} AS held FROM faxes f WHERE f.id = ?`, [d.id]);
    if (held.rows[0].held || !FINISHED[before.direction].includes(before.state)) return null;
    const pagesDeleted = await faxPages.deleteAll(trx, d.id);
    await faxes.updateState(
      trx,
      d.id,
      'deleted',
      {
        metadata: {
          ...before.metadata,
          deletedFrom: before.state,
          deletedBy: 'retention',
          pagesDeleted,
          ...(archive ? { archive: archive.name } : {}),
        },
      },
      { from: FINISHED[before.direction] },
    );
    await appendAuditEvent(trx, {
      type: 'retention.purge',
      actor: o.actor,
      actorId: o.actorId ?? null,
      subject: `fax:${d.id}`,
      faxId: d.id,
      mailboxId: before.mailboxId,
      details: {
        direction: before.direction,
        was: before.state,
        rule: d.rule,
        pagesDeleted,
        archive: archive ? { package: archive.name, manifestSha256: archive.manifestSha256 } : null,
      },
    });
    return pagesDeleted;
  });
}
