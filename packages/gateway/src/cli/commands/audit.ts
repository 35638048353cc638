// faxgate audit verify | audit checkpoint | audit checkpoints export | audit export, log export
import { type Command, Option } from 'commander';
import {
  checkpointCommand,
  exportCheckpointsCommand,
  type VerifyOptions,
  verifyCommand,
} from '../../audit-checkpoints/commands.js';
import { loggedIn } from '../api-client.js';
import { auditTrail, type TrailOptions } from '../audit-trail.js';
import { CliError } from '../errors.js';

/** --from / --to: an ISO 8601 date (UTC midnight) or date-time. */
function parseTime(flag: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const ok = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value);
  const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (!ok || Number.isNaN(d.getTime())) {
    throw new CliError(
      `${flag}: expected an ISO 8601 date or date-time (e.g. 2026-01-31 or 2026-01-31T12:00:00Z), got ${JSON.stringify(value)}`,
      2,
    );
  }
  return d;
}

function range(o: { from?: string; to?: string }): { from?: Date; to?: Date } {
  const from = parseTime('--from', o.from);
  const to = parseTime('--to', o.to);
  if (from && to && from >= to) throw new CliError('--from must be before --to', 2);
  return { from, to };
}

// Exports of the audit trail and the send/receive log are reads of personal data (M 5.25):
// they go through the gateway API with the caller's token, so the read is checked and
// recorded under the faxgate user holding the right (GET /audit/events, GET /log).

const rangeOptions = (cmd: Command) =>
  cmd
    .option(
      '--from <time>',
      'first instant included (ISO 8601 date or date-time, UTC unless a zone is given)',
    )
    .option('--to <time>', 'first instant excluded');

export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('the hash-chained audit trail');

  audit
    .command('verify')
    .description(
      'recompute the hash chain and check it against signed checkpoints: exit 0 intact, exit 1 naming the first bad event or checkpoint (works without the daemon, as the database owner)',
    )
    .option(
      '--checkpoints <path>',
      'a checkpoint file, JSON lines export or directory (default: audit.checkpointDir)',
    )
    .option('--public-key <file>', "verify signatures with this public key only (an auditor's pinned copy)")
    .option('--json', 'print the result as JSON')
    .action(async function (this: Command, o: VerifyOptions) {
      await verifyCommand(this, o);
    });

  audit
    .command('checkpoint')
    .description('sign the chain head now and write it to audit.checkpointDir and the system log')
    .option('--init-key', 'create the signing key (audit.checkpointKeyFile, 0600) when it does not exist')
    .action(async function (this: Command, o: { initKey?: boolean }) {
      await checkpointCommand(this, o);
    });

  audit
    .command('checkpoints')
    .description('signed checkpoints of the chain, kept outside the database')
    .command('export')
    .description(
      'copy the checkpoints and the public key for an auditor: a directory, or JSON lines to stdout',
    )
    .option('--out <dir|->', 'a directory to copy into (made 0700), or - for JSON lines on stdout', '-')
    .action(async function (this: Command, o: { out: string }) {
      await exportCheckpointsCommand(this, o);
    });

  rangeOptions(
    audit
      .command('export')
      .description('write audit events to stdout with their hashes (needs audit.read; the read is recorded)')
      .addOption(new Option('--format <format>', 'jsonl or csv').choices(['jsonl', 'csv']).default('jsonl')),
  ).action(async function (this: Command, o: { format: 'jsonl' | 'csv'; from?: string; to?: string }) {
    const { from, to } = range(o);
    await loggedIn(this).stream(
      '/audit/events',
      { format: o.format, from: from?.toISOString(), to: to?.toISOString() },
      process.stdout,
    );
  });

  rangeOptions(
    audit
      .command('trail')
      .description('audit events newest first, filtered, in pages (needs audit.read; the read is recorded)')
      .option('--type <types>', 'event types, comma-separated; job.* for a family')
      .option('--actor <name>', 'who acted')
      .option('--fax <jid>', 'events of this fax')
      .option('--mailbox <mailbox>', 'events of this mailbox (name or id)')
      .option('--subject <subject>', 'e.g. line:controller-1')
      .option('--before <id>', 'the page after: events older than this id')
      .option('--limit <n>', 'events per page, 1..500 (default 100)')
      .option('--json', 'print the page as JSON (items and next)'),
  ).action(async function (
    this: Command,
    o: Omit<TrailOptions, 'from' | 'to'> & { from?: string; to?: string },
  ) {
    const { from, to } = range(o);
    await auditTrail(loggedIn(this), { ...o, from, to });
  });

  const log = program.command('log').description('the send/receive log (superset of HylaFAX xferfaxlog)');

  rangeOptions(
    log
      .command('export')
      .description('write the send/receive log to stdout (needs log.read; the read is recorded)')
      .addOption(
        new Option(
          '--format <format>',
          "xferfaxlog (HylaFAX+ tab format, 20 columns), xferfaxlog-19 (HylaFAX 6.0, as Debian's xferfaxstats/recvstats read it), csv or jsonl",
        )
          .choices(['xferfaxlog', 'xferfaxlog-19', 'csv', 'jsonl'])
          .default('xferfaxlog'),
      )
      .option('--time-zone <zone>', 'IANA zone of the xferfaxlog date column', 'UTC'),
  ).action(async function (
    this: Command,
    o: {
      format: 'xferfaxlog' | 'xferfaxlog-19' | 'csv' | 'jsonl';
      from?: string;
      to?: string;
      timeZone: string;
    },
  ) {
    const { from, to } = range(o);
    try {
      new Intl.DateTimeFormat('en', { timeZone: o.timeZone });
    } catch {
      throw new CliError(`--time-zone: unknown time zone ${JSON.stringify(o.timeZone)}`, 2);
    }
    await loggedIn(this).stream(
      '/log',
      { format: o.format, from: from?.toISOString(), to: to?.toISOString(), timeZone: o.timeZone },
      process.stdout,
    );
  });
}
