// faxgate retention run | legal-hold set/clear/list | archive verify
// `retention run` and `legal-hold` are requests to the running gateway (retention.manage):
// the daemon runs retention with its configuration, as the service user that owns
// archive.dir, under the scheduled job's lock. `archive verify` reads only the files.
import type { Command } from 'commander';
import {
  describeSummary,
  type LegalHold,
  type RetentionSummary,
  verifyArchive,
} from '../../retention/index.js';
import { loggedIn } from '../api-client.js';
import { cliConfig, printJson, printLine } from '../context.js';
import { CliError } from '../errors.js';

function parseNow(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const d = new Date(text);
  if (Number.isNaN(d.getTime()))
    throw new CliError(`--now: expected an ISO 8601 date or date-time, got ${JSON.stringify(text)}`, 2);
  return d.toISOString();
}

function holdTarget(o: { fax?: string; mailbox?: string }): string {
  if ((o.fax === undefined) === (o.mailbox === undefined))
    throw new CliError('give --fax JID or --mailbox NAME', 2);
  if (o.fax !== undefined) {
    if (!/^[1-9][0-9]{0,15}$/.test(o.fax))
      throw new CliError(`--fax: expected a fax number (JID), got ${JSON.stringify(o.fax)}`, 2);
    return `/legal-holds/faxes/${o.fax}`;
  }
  return `/legal-holds/mailboxes/${encodeURIComponent(o.mailbox as string)}`;
}

const holdLine = (h: LegalHold) =>
  `hold ${h.id}: ${h.faxId !== null ? `fax ${h.faxId}` : `mailbox ${h.mailbox}`} — ${h.reason} (set by ${h.setBy} at ${new Date(h.setAt).toISOString()}${h.clearedAt ? `; cleared by ${h.clearedBy} at ${new Date(h.clearedAt).toISOString()}` : ''})`;

export function registerRetentionCommands(program: Command): void {
  const retention = program
    .command('retention')
    .description('delete the payload of faxes past their retention');

  retention
    .command('run')
    .description(
      'run retention now in the gateway (retention.manage): due faxes archived (archive.dir) and their pages deleted, records and the send/receive log kept; prints the summary',
    )
    .option('--dry-run', 'list what is due and change nothing')
    .option('--now <time>', 'the run\'s "now" (ISO 8601); later than the clock only with --dry-run')
    .option('--json', 'print the summary as JSON')
    .action(async function (this: Command, o: { dryRun?: boolean; now?: string; json?: boolean }) {
      const s = await loggedIn(this).call<RetentionSummary>('POST', '/retention/runs', {
        json: { dryRun: o.dryRun ?? false, ...(o.now ? { now: parseNow(o.now) } : {}) },
      });
      if (o.json) {
        printJson(s);
        return;
      }
      printLine(describeSummary(s));
      for (const f of s.faxes) {
        const where = f.mailbox ?? '(no mailbox)';
        const tail = f.error ? ` FAILED: ${f.error}` : f.archive ? ` archived as ${f.archive}` : '';
        printLine(
          `  fax ${f.id} ${f.direction} ${where} ${f.rule} finished ${new Date(f.finishedAt).toISOString()}${tail}`,
        );
      }
      if (s.failed > 0)
        throw new CliError(`${s.failed} due faxes were not deleted (their archive failed)`, 1);
    });

  const hold = program
    .command('legal-hold')
    .description('legal holds: a held fax (or every fax of a held mailbox) is never deleted by retention');

  hold
    .command('set')
    .description('put a fax or a mailbox on legal hold (retention.manage)')
    .option('--fax <jid>', 'the fax')
    .option('--mailbox <name>', 'every fax of this mailbox')
    .requiredOption('--reason <text>', 'why (recorded with the hold and in the audit trail)')
    .action(async function (this: Command, o: { fax?: string; mailbox?: string; reason: string }) {
      const h = await loggedIn(this).call<LegalHold>('PUT', holdTarget(o), { json: { reason: o.reason } });
      printLine(holdLine(h));
    });

  hold
    .command('clear')
    .description('clear the legal hold of a fax or a mailbox (retention.manage)')
    .option('--fax <jid>', 'the fax')
    .option('--mailbox <name>', 'the mailbox')
    .action(async function (this: Command, o: { fax?: string; mailbox?: string }) {
      const h = await loggedIn(this).call<LegalHold>('DELETE', holdTarget(o));
      printLine(holdLine(h));
    });

  hold
    .command('list')
    .description('the active legal holds (retention.manage)')
    .option('--all', 'cleared holds too')
    .option('--json', 'print JSON')
    .action(async function (this: Command, o: { all?: boolean; json?: boolean }) {
      const holds = await loggedIn(this).call<LegalHold[]>('GET', '/legal-holds', { query: { all: o.all } });
      if (o.json) printJson(holds);
      else if (holds.length === 0) printLine('no legal holds');
      else for (const h of holds) printLine(holdLine(h));
    });

  program
    .command('archive')
    .description('the archive retention writes before it deletes (archive.dir)')
    .command('verify [dir]')
    .description(
      'check every package (or one) against its MANIFEST.sha256: exit 0 intact, exit 1 naming each mismatch (reads only the files; default archive.dir)',
    )
    .option('--json', 'print the result as JSON')
    .action(async function (this: Command, dir: string | undefined, o: { json?: boolean }) {
      const root = dir ?? cliConfig(this).config.archive.dir;
      if (!root) throw new CliError('no archive: give DIR or set archive.dir', 2);
      let r: Awaited<ReturnType<typeof verifyArchive>>;
      try {
        r = await verifyArchive(root);
      } catch (e) {
        throw new CliError(
          `archive ${root}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
          2,
        );
      }
      const bad = r.packages.filter((p) => !p.ok);
      if (o.json) printJson(r);
      else {
        for (const p of bad) for (const problem of p.problems) printLine(`${p.dir}: ${problem}`);
        for (const t of r.incomplete)
          printLine(`${t}: an interrupted write (not a package; the next run removes it)`);
        printLine(`${r.packages.length - bad.length} of ${r.packages.length} packages intact`);
      }
      if (bad.length > 0) throw new CliError(`archive ${root}: ${bad.length} packages do not verify`, 1);
    });
}
