// faxgate audit verify | audit export, log export
import { appendAuditEvent, verifyAuditChain } from '@faxgate/audit';
import { type Command, Option } from 'commander';
import { loggedIn } from '../api-client.js';
import { printJson, printLine } from '../context.js';
import { CliError } from '../errors.js';
import { requirePermission, withSession } from '../session.js';

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
    .description('recompute the hash chain: exit 0 intact, exit 1 naming the first bad event')
    .option('--json', 'print the result as JSON')
    .action(async function (this: Command, o: { json?: boolean }) {
      const r = await withSession(this, async (s) => {
        await requirePermission(s, 'audit.read', 'verify the audit trail');
        const result = await verifyAuditChain(s.db);
        // Recorded after the check, so the verification never covers its own record.
        await s.db.transaction((trx) =>
          appendAuditEvent(trx, {
            type: 'audit.verify',
            actor: s.actor,
            subject: 'audit_events',
            details: { ok: result.ok, checked: result.checked, firstBad: result.firstBad ?? null },
          }),
        );
        return result;
      });
      if (o.json) printJson(r);
      else if (r.ok) printLine(`audit trail intact: ${r.checked} events checked`);
      if (!r.ok) {
        const bad = r.firstBad;
        throw new CliError(
          `audit trail BROKEN at event ${bad?.seq} (${bad?.kind}): ${bad?.message}; ${r.checked} events before it are intact`,
          1,
        );
      }
    });

  rangeOptions(
    audit
      .command('export')
      .description(
        'write audit events to stdout with their hashes (needs audit.read; the read is recorded)',
      )
      .addOption(new Option('--format <format>', 'jsonl or csv').choices(['jsonl', 'csv']).default('jsonl')),
  ).action(async function (this: Command, o: { format: 'jsonl' | 'csv'; from?: string; to?: string }) {
    const { from, to } = range(o);
    await loggedIn(this).stream(
      '/audit/events',
      { format: o.format, from: from?.toISOString(), to: to?.toISOString() },
      process.stdout,
    );
  });

  const log = program.command('log').description('the send/receive log (superset of HylaFAX xferfaxlog)');

  rangeOptions(
    log
      .command('export')
      .description(
        'write the send/receive log to stdout (needs log.read; the read is recorded)',
      )
      .addOption(
        new Option('--format <format>', 'xferfaxlog (HylaFAX tab format), csv or jsonl')
          .choices(['xferfaxlog', 'csv', 'jsonl'])
          .default('xferfaxlog'),
      )
      .option('--time-zone <zone>', 'IANA zone of the xferfaxlog date column', 'UTC'),
  ).action(async function (
    this: Command,
    o: { format: 'xferfaxlog' | 'csv' | 'jsonl'; from?: string; to?: string; timeZone: string },
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
