// The disk guard (BSI M 5.75: a full disk must not lose faxes silently). Each node looks at
// its own spool, tmp and archive directories and at the database's size on a timer of its
// own (not the cluster scheduler: every node's disks matter to that node). At critical the
// node refuses submissions (HTTP 507) and incoming calls (a cause the sender retries) and
// takes them again by itself once space is back. Level changes are audited (disk.state) and
// each target's alert raised or cleared (alerts/).
import os from 'node:os';
import { appendAuditEvent } from '@faxgate/audit';
import type { Db } from '@faxgate/store';
import { setAlert } from '../alerts/alerts.js';
import type { Logger } from '../logger.js';
import type { DiskConfig } from './config.js';
import { type DiskLevel, databaseLevel, directoryLevel, freePercent, humanBytes, worst } from './levels.js';
import { type SpaceProbe, statfsProbe } from './probe.js';

export interface DiskTarget {
  name: 'spool' | 'tmp' | 'archive' | 'database';
  level: DiskLevel;
  path?: string;
  freeBytes?: number;
  totalBytes?: number;
  freePercent?: number;
  /** The database's size (database target). */
  sizeBytes?: number;
  /** The probe failed: counted as warning (unknown is not fine, not critical either). */
  error?: string;
}

export interface DiskState {
  level: DiskLevel;
  checkedAt: Date | null;
  targets: DiskTarget[];
}

export interface DiskGuardOptions {
  db: Db;
  log: Logger;
  actor: string;
  disk: DiskConfig;
  dirs: { spool: string; tmp: string; archive?: string };
  /** The free-space reading (default: fs.statfs). */
  probe?: SpaceProbe;
  /** The database's size in bytes (default: pg_database_size of the current database). */
  databaseSize?: () => Promise<number>;
  /** Part of alert keys: several nodes have disks of their own. Default: the host name. */
  node?: string;
}

export interface DiskGuard {
  /** Looks now (also run on the timer). */
  check(): Promise<DiskState>;
  state(): DiskState;
  /** Why submissions and calls are refused now, or undefined. */
  refusal(): string | undefined;
  stop(): Promise<void>;
}

function summaryOf(t: DiskTarget, c: DiskConfig): string {
  if (t.error) return `${t.name}${t.path ? ` ${t.path}` : ''}: free space unknown: ${t.error}`;
  if (t.name === 'database') {
    const limit = t.level === 'critical' ? c.databaseCriticalBytes : c.databaseWarningBytes;
    return `database size ${humanBytes(t.sizeBytes ?? 0)}${t.level === 'ok' ? '' : ` (${t.level} above ${humanBytes(limit)})`}`;
  }
  const pct = (t.freePercent ?? 0).toFixed(1);
  const limits =
    t.level === 'critical'
      ? ` (critical below ${c.criticalPercent} % or ${humanBytes(c.criticalBytes)})`
      : t.level === 'warning'
        ? ` (warning below ${c.warningPercent} % or ${humanBytes(c.warningBytes)})`
        : '';
  return `${t.name} ${t.path}: ${humanBytes(t.freeBytes ?? 0)} free, ${pct} %${limits}`;
}

const nodeKey = (n: string) =>
  n
    .toLowerCase()
    .replace(/[^a-z0-9._-]/g, '-')
    .slice(0, 60) || 'node';

export async function startDiskGuard(opts: DiskGuardOptions): Promise<DiskGuard> {
  const { db, log, actor } = opts;
  const probe = opts.probe ?? statfsProbe;
  const databaseSize =
    opts.databaseSize ??
    (async () => {
      const { rows } = await db.raw('SELECT pg_database_size(current_database())::bigint AS n');
      return Number(rows[0].n);
    });
  const node = nodeKey(opts.node ?? os.hostname());
  let current: DiskState = { level: 'ok', checkedAt: null, targets: [] };
  let running: Promise<DiskState> | undefined;
  let stopped = false;

  const dirs = (['spool', 'tmp', 'archive'] as const).flatMap((name) => {
    const p = opts.dirs[name];
    return p ? [{ name, path: p }] : [];
  });

  async function read(): Promise<DiskTarget[]> {
    const c = opts.disk;
    const out = await Promise.all(
      dirs.map(async ({ name, path }): Promise<DiskTarget> => {
        try {
          const r = await probe(path);
          return { name, path, level: directoryLevel(r, c), ...r, freePercent: freePercent(r) };
        } catch (e) {
          return { name, path, level: 'warning', error: (e as Error).message };
        }
      }),
    );
    try {
      const sizeBytes = await databaseSize();
      out.push({ name: 'database', level: databaseLevel(sizeBytes, c), sizeBytes });
    } catch (e) {
      out.push({ name: 'database', level: 'warning', error: (e as Error).message });
    }
    return out;
  }

  async function checkOnce(): Promise<DiskState> {
    const c = opts.disk;
    const targets = await read();
    const level = worst(targets.map((t) => t.level));
    const previous = current;
    current = { level, checkedAt: new Date(), targets };
    if (level !== previous.level) {
      const text = targets
        .filter((t) => t.level !== 'ok')
        .map((t) => summaryOf(t, c))
        .join('; ');
      (level === 'ok' ? log.info : level === 'warning' ? log.warn : log.error)(
        `disk guard: ${previous.level} → ${level}${text ? `: ${text}` : ''}${level === 'critical' ? ' — submissions and incoming calls refused' : previous.level === 'critical' ? ' — submissions and incoming calls taken again' : ''}`,
      );
      await db.transaction((trx) =>
        appendAuditEvent(trx, {
          type: 'disk.state',
          actor,
          subject: `node:${node}`,
          details: {
            level,
            previous: previous.level,
            refusing: level === 'critical',
            targets: targets.map((t) => ({
              name: t.name,
              level: t.level,
              ...(t.freeBytes === undefined ? {} : { freeBytes: t.freeBytes, freePercent: t.freePercent }),
              ...(t.sizeBytes === undefined ? {} : { sizeBytes: t.sizeBytes }),
              ...(t.error ? { error: t.error } : {}),
            })),
          },
        }),
      );
    }
    for (const t of targets) {
      const key = t.name === 'database' ? 'disk.database' : `disk.${t.name}:${node}`;
      const summary = summaryOf(t, c);
      await setAlert(
        db,
        t.level !== 'ok',
        { key, severity: t.level === 'critical' ? 'critical' : 'warning', source: 'disk-guard', summary },
        summary,
        { actor },
      );
    }
    return current;
  }

  const check = () => {
    running ??= checkOnce().finally(() => {
      running = undefined;
    });
    return running;
  };

  // The first look before the node takes work: a full disk at start refuses at once.
  await check();
  const timer = setInterval(() => {
    if (stopped) return;
    check().catch((e: Error) => log.error(`disk guard: check failed: ${e.message}`));
  }, opts.disk.intervalSeconds * 1000);
  timer.unref();

  return {
    check,
    state: () => current,
    refusal() {
      if (current.level !== 'critical') return undefined;
      const full = current.targets
        .filter((t) => t.level === 'critical')
        .map((t) => summaryOf(t, opts.disk))
        .join('; ');
      return `disk space critical (${full}); faxes are accepted again once space is freed`;
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running?.catch(() => {});
    },
  };
}
