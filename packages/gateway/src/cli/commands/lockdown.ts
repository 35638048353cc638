// faxgate lockdown report: is the card fax-only, as configured? (M 4.59, NET.4.3.A3)
import {
  buildReport,
  checkEvidence,
  formatReport,
  listListeningSockets,
  type ReportInput,
} from '@faxgate/isdn-lockdown';
import type { Command } from 'commander';
import { privilegedDatabaseWarning } from '../../database-start.js';
import { AuditEvidenceStore, auditLockdownEvents } from '../../lockdown/evidence-store.js';
import { allowedListeners, lockdownPolicy, openLineTransport } from '../../lockdown/policy.js';
import { printJson } from '../context.js';
import { CliError } from '../errors.js';
import { requirePermission, withSession } from '../session.js';

const DAY_MS = 24 * 3600 * 1000;

export function registerLockdownCommands(program: Command): void {
  const lockdown = program.command('lockdown').description('fax-only lockdown of the CAPI controllers');
  lockdown
    .command('report')
    .description(
      'read every controller, compare with the recorded evidence, list listening sockets; exit 1 on any violation',
    )
    .option('--json', 'print the report as JSON')
    .action(async function (this: Command, opts: { json?: boolean }) {
      const report = await withSession(this, async (s) => {
        await requirePermission(s, 'audit.read', 'read the lockdown report');
        const config = s.loaded.config;
        const policy = lockdownPolicy(config);
        const store = new AuditEvidenceStore(s.db);
        const record = auditLockdownEvents(s.db, s.actor);
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
        const counts = await s
          .db('audit_events')
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
        const dbWarning = await privilegedDatabaseWarning(s.db, config);
        if (dbWarning) r.warnings.push(dbWarning);
        await record({ type: 'lockdown.report', details: { ok: r.ok, violations: r.violations } });
        return r;
      });
      if (opts.json) printJson(report);
      else process.stdout.write(formatReport(report));
      if (!report.ok) throw new CliError(`lockdown report: ${report.violations.length} violation(s)`, 1);
    });
}
