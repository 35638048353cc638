// faxgate audit review --from T --to T --note "…" | audit reviews | audit review-report:
// the log review (M 5.25) through the API with the caller's token, so the right (audit.read)
// is checked and the review and every report read are recorded under the faxgate user.
import { type Command, Option } from 'commander';
import { loggedIn } from '../api-client.js';
import { printJson, printLine } from '../context.js';
import { CliError } from '../errors.js';

/** An ISO 8601 date (UTC midnight) or date-time; anything else is exit 2. */
export function parseInstant(flag: string, value: string): string {
  const ok = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value);
  const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (!ok || Number.isNaN(d.getTime()))
    throw new CliError(
      `${flag}: expected an ISO 8601 date or date-time (e.g. 2026-01-31), got ${JSON.stringify(value)}`,
      2,
    );
  return d.toISOString();
}

interface ReviewJson {
  id: number;
  from: string;
  to: string;
  note: string;
  reviewer: string;
  createdAt: string;
}

/** The program's `audit` command (audit.ts adds it first), or a new one. */
function auditCommand(program: Command): Command {
  return (
    program.commands.find((c) => c.name() === 'audit') ??
    program.command('audit').description('the hash-chained audit trail')
  );
}

export function registerReviewCommands(program: Command): void {
  const audit = auditCommand(program);

  audit
    .command('review')
    .description(
      'mark a period of the audit trail and send/receive log as reviewed, with a note (needs audit.read; append-only, recorded)',
    )
    .requiredOption('--from <time>', 'first instant of the period (ISO 8601 date or date-time)')
    .requiredOption('--to <time>', 'first instant after the period')
    .requiredOption('--note <text>', 'what was checked and found')
    .option('--json', 'print the recorded review as JSON')
    .action(async function (this: Command, o: { from: string; to: string; note: string; json?: boolean }) {
      const from = parseInstant('--from', o.from);
      const to = parseInstant('--to', o.to);
      if (from >= to) throw new CliError('--from must be before --to', 2);
      const r = await loggedIn(this).call<ReviewJson>('POST', '/audit/reviews', {
        json: { from, to, note: o.note },
      });
      if (o.json) printJson(r);
      else printLine(`review ${r.id} recorded: ${r.from} – ${r.to} by ${r.reviewer}`);
    });

  audit
    .command('reviews')
    .description(
      'list recorded log reviews, newest first, and whether the next one is overdue (needs audit.read)',
    )
    .option('--json', 'print as JSON')
    .action(async function (this: Command, o: { json?: boolean }) {
      const r = await loggedIn(this).call<{
        intervalDays: number;
        overdue: boolean;
        dueAt: string | null;
        reviews: ReviewJson[];
      }>('GET', '/audit/reviews');
      if (o.json) return printJson(r);
      printLine(
        r.overdue
          ? `a log review is OVERDUE (every ${r.intervalDays} days, due ${r.dueAt})`
          : `next log review due ${r.dueAt ?? '(no events yet)'} (every ${r.intervalDays} days)`,
      );
      for (const v of r.reviews)
        printLine(`${v.id}\t${v.from}\t${v.to}\t${v.reviewer}\t${v.note.replace(/\s+/g, ' ')}`);
    });

  audit
    .command('review-report')
    .description(
      'the review report of a period to stdout: faxes per mailbox, failures by cause, lockdown rejections, denied accesses, configuration changes (needs audit.read; the read is recorded)',
    )
    .requiredOption('--from <time>', 'first instant of the period')
    .requiredOption('--to <time>', 'first instant after the period')
    .addOption(
      new Option('--format <format>', 'json, csv or html').choices(['json', 'csv', 'html']).default('json'),
    )
    .action(async function (this: Command, o: { from: string; to: string; format: string }) {
      const from = parseInstant('--from', o.from);
      const to = parseInstant('--to', o.to);
      if (from >= to) throw new CliError('--from must be before --to', 2);
      await loggedIn(this).stream('/audit/review-report', { from, to, format: o.format }, process.stdout);
    });
}
