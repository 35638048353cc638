// faxgate selftest | release: the pilot phase's checks and its end (issue 17 item 4), through
// the API with the caller's token — the daemon holds the checkpoint key that signs the report.
import type { Command } from 'commander';
import { formatSelftest, type StoredSelftest } from '../../pilot/selftest.js';
import type { ReleaseRecord } from '../../pilot/state.js';
import { loggedIn } from '../api-client.js';
import { printJson, printLine } from '../context.js';
import { CliError } from '../errors.js';

export function registerPilotCommands(program: Command): void {
  program
    .command('selftest')
    .description(
      "run this node's selftest (config.manage): database role, audit verify and checkpoints, lockdown, disk, render, test numbers; the report is signed with the audit checkpoint key, stored and printed; exit 1 when a check failed",
    )
    .option('--json', 'print the stored report as JSON')
    .action(async function (this: Command, opts: { json?: boolean }) {
      const s = await loggedIn(this).call<StoredSelftest>('POST', '/selftest', { json: {} });
      if (opts.json) printJson(s);
      else printLine(formatSelftest(s));
      if (!s.report.passed) throw new CliError('selftest failed', 1);
    });

  program
    .command('release')
    .description(
      'end the pilot of this node (config.manage): needs a passing selftest younger than pilot.selftestMaxAgeHours and an admin other than the one who last changed the configuration',
    )
    .option('--note <text>', 'recorded with the release')
    .option('--json', 'print the release as JSON')
    .action(async function (this: Command, opts: { note?: string; json?: boolean }) {
      const r = await loggedIn(this).call<ReleaseRecord & { mode: string }>('POST', '/release', {
        json: opts.note === undefined ? {} : { note: opts.note },
      });
      if (opts.json) return printJson(r);
      printLine(
        `node ${r.node} released by ${r.releasedBy} (release ${r.id}, selftest ${r.selftestId}, configuration version ${r.configVersion ?? '-'}, last changed by ${r.lastChangedBy}): mode ${r.mode}`,
      );
    });
}
