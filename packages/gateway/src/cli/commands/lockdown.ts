// faxgate lockdown report: is the card fax-only, as configured? (M 4.59, NET.4.3.A3)
import { formatReport } from '@faxgate/isdn-lockdown';
import type { Command } from 'commander';
import { lockdownReport } from '../../lockdown/report.js';
import { printJson } from '../context.js';
import { CliError } from '../errors.js';
import { requirePermission, withSession } from '../session.js';

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
        return lockdownReport(s.db, s.loaded.config, s.actor);
      });
      if (opts.json) printJson(report);
      else process.stdout.write(formatReport(report));
      if (!report.ok) throw new CliError(`lockdown report: ${report.violations.length} violation(s)`, 1);
    });
}
