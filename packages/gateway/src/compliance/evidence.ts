// The live evidence the compliance report judges: configuration values, the last review,
// verify and checkpoints, controller evidence, selftest and release, health checks,
// retention runs, open alerts, who holds which role. A source another part has not built
// (its table or event never written) is absent here (null), never made up: its requirement
// then reads "not met: no evidence".
import fs from 'node:fs';
import { readCheckpoints, verifyAgainstCheckpoints } from '@faxgate/audit';
import type { Db } from '@faxgate/store';
import type { FaxgateConfig } from '../config/schema.js';
import { type ReviewDue, reviewDue } from '../review/reviews.js';

export interface EventEvidence {
  time: Date;
  actor: string;
  details: Record<string, unknown>;
}

export interface Evidence {
  now: Date;
  config: FaxgateConfig;
  review: ReviewDue;
  lastVerify: EventEvidence | null;
  checkpoints: {
    dir: string;
    exists: boolean;
    count: number;
    matched: number;
    ok: boolean;
    latestAt: Date | null;
  };
  lockdownEvidence: EventEvidence | null;
  lockdownReport: EventEvidence | null;
  selftest: EventEvidence | null;
  release: EventEvidence | null;
  retentionRun: EventEvidence | null;
  /** Latest result per health check, or null when the health check history does not exist. */
  healthChecks: Array<{ name: string; ok: boolean; at: Date }> | null;
  configVersions: { count: number; lastAt: Date | null; lastAuthor: string | null };
  openAlerts: Array<{ key: string; severity: string; summary: string }> | null;
  roles: Record<string, number>;
  grants: { direct: number; viaGroups: number };
  deadLetterMailbox: boolean;
  paths: Record<'spool' | 'tmp', { exists: boolean; mode: string | null; private: boolean }>;
}

async function tableExists(db: Db, table: string): Promise<boolean> {
  const { rows } = await db.raw('SELECT to_regclass(?) IS NOT NULL AS ok', [`public.${table}`]);
  return rows[0].ok === true;
}

async function lastEvent(db: Db, type: string): Promise<EventEvidence | null> {
  const r = await db('audit_events').where({ type }).orderBy('id', 'desc').first('time', 'actor', 'details');
  return r ? { time: r.time, actor: r.actor, details: r.details ?? {} } : null;
}

function pathEvidence(p: string) {
  try {
    const st = fs.lstatSync(p);
    const mode = (st.mode & 0o777).toString(8).padStart(3, '0');
    return { exists: true, mode, private: st.isDirectory() && (st.mode & 0o077) === 0 };
  } catch {
    return { exists: false, mode: null, private: false };
  }
}

async function checkpointEvidence(db: Db, dir: string): Promise<Evidence['checkpoints']> {
  if (!fs.existsSync(dir)) return { dir, exists: false, count: 0, matched: 0, ok: false, latestAt: null };
  try {
    const set = readCheckpoints(dir);
    const r = await verifyAgainstCheckpoints(db, set.checkpoints, set.publicKeys);
    const times = set.checkpoints.flatMap((c) => (c.checkpoint ? [Date.parse(c.checkpoint.time)] : []));
    const latest = times.length ? new Date(Math.max(...times)) : null;
    return { dir, exists: true, count: r.checks.length, matched: r.matched, ok: r.ok, latestAt: latest };
  } catch {
    return { dir, exists: true, count: 0, matched: 0, ok: false, latestAt: null };
  }
}

export async function gatherEvidence(db: Db, config: FaxgateConfig, now = new Date()): Promise<Evidence> {
  const healthChecks = (await tableExists(db, 'health_checks'))
    ? (
        await db.raw(
          `SELECT DISTINCT ON (name) name, ok, run_at FROM health_checks ORDER BY name, run_at DESC LIMIT 1000`,
        )
      ).rows.map((r: { name: string; ok: boolean; run_at: Date }) => ({
        name: r.name,
        ok: r.ok,
        at: r.run_at,
      }))
    : null;
  const openAlerts = (await tableExists(db, 'alerts'))
    ? await db('alerts').orderBy('key').limit(1000).select('key', 'severity', 'summary')
    : null;
  const versions = await db('config_versions').count({ n: '*' }).max({ t: 'created_at' }).first();
  const lastVersion = await db('config_versions').orderBy('version', 'desc').first('author');
  const roleRows = await db('user_roles as r')
    .join('users as u', 'u.id', 'r.user_id')
    .where('u.disabled', false)
    .groupBy('r.role')
    .select('r.role', db.raw('count(*)::int AS n'));
  const grantRows = await db('grants').select(
    db.raw('count(*) FILTER (WHERE user_id IS NOT NULL)::int AS direct'),
    db.raw('count(*) FILTER (WHERE group_id IS NOT NULL)::int AS groups'),
  );
  const postoffice = config.routing.inbound.default;
  const deadLetter = await db('mailboxes').where({ name: postoffice }).first('id');
  return {
    now,
    config,
    review: await reviewDue(db, config.review.intervalDays, now),
    lastVerify: await lastEvent(db, 'audit.verify'),
    checkpoints: await checkpointEvidence(db, config.audit.checkpointDir),
    lockdownEvidence: await lastEvent(db, 'lockdown.evidence'),
    lockdownReport: await lastEvent(db, 'lockdown.report'),
    selftest: await lastEvent(db, 'config.selftest'),
    release: await lastEvent(db, 'config.release'),
    retentionRun: await lastEvent(db, 'retention.run'),
    healthChecks,
    configVersions: {
      count: Number(versions?.n ?? 0),
      lastAt: (versions?.t as Date | null) ?? null,
      lastAuthor: lastVersion?.author ?? null,
    },
    openAlerts,
    roles: Object.fromEntries(roleRows.map((r: { role: string; n: number }) => [r.role, r.n])),
    grants: { direct: grantRows[0].direct, viaGroups: grantRows[0].groups },
    deadLetterMailbox: deadLetter !== undefined,
    paths: { spool: pathEvidence(config.paths.spool), tmp: pathEvidence(config.paths.tmp) },
  };
}
