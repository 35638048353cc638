// The lockdown report (M 4.59, NET.4.3.A3) as one function, for `faxgate lockdown report` on
// the host and GET /api/v1/lockdown/report for auditors: every controller read now and
// compared with the recorded evidence, listening sockets, lockdown activity of the last 24 h,
// the render sandbox and a privileged database role; recorded as `lockdown.report`.
import {
  buildReport,
  checkEvidence,
  type LockdownReport,
  listListeningSockets,
  type ReportInput,
} from '@faxgate/isdn-lockdown';
import type { Db } from '@faxgate/store';
import type { FaxgateConfig } from '../config/schema.js';
import { privilegedDatabaseWarning } from '../database-start.js';
import { AuditEvidenceStore, auditLockdownEvents } from './evidence-store.js';
import { allowedListeners, lockdownPolicy, openLineTransport } from './policy.js';

const DAY_MS = 24 * 3600 * 1000;

export async function lockdownReport(db: Db, config: FaxgateConfig, actor: string): Promise<LockdownReport> {
  const policy = lockdownPolicy(config);
  const store = new AuditEvidenceStore(db);
  const record = auditLockdownEvents(db, actor);
  let evidence: ReportInput['evidence'];
  const transport = await openLineTransport(config).catch((e: Error) => e);
  if (transport instanceof Error) {
    evidence = { error: transport.message };
  } else {
    try {
      evidence = await checkEvidence(transport, policy, store, record);
    } catch (e) {
      evidence = {
        error: `${config.lines.transport} ${config.lines.host}:${config.lines.port}: ${(e as Error).message}`,
      };
    } finally {
      await transport.close().catch(() => {});
    }
  }
  const since = new Date(Date.now() - DAY_MS);
  const counts = await db('audit_events')
    .where('time', '>=', since)
    .whereIn('type', ['lockdown.violation', 'lockdown.call_rejected'])
    .select('type')
    .count<{ type: string; count: string }[]>('* as count')
    .groupBy('type');
  const count = (t: string) => Number(counts.find((c) => c.type === t)?.count ?? 0);
  const r = buildReport({
    policy,
    evidence,
    sockets: await listListeningSockets(),
    allowedListeners: allowedListeners(config),
    activity: {
      since: since.toISOString(),
      violations: count('lockdown.violation'),
      callsRejected: count('lockdown.call_rejected'),
    },
    lastChange: await store.lastChange(),
    renderSandbox: config.render.sandbox,
  });
  // A daemon that may disable its own audit triggers is part of the picture (database-start.ts).
  const dbWarning = await privilegedDatabaseWarning(db, config);
  if (dbWarning) r.warnings.push(dbWarning);
  await record({ type: 'lockdown.report', details: { ok: r.ok, violations: r.violations } });
  return r;
}
