// faxgate rights review [--json | --csv] — the auditor's rights review through the gateway
// API (GET /rights/review, audit.read; the read is recorded under the caller).
import type { Command } from 'commander';
import type { RightRow } from '../../rights/review.js';
import { loggedIn } from '../api-client.js';
import { printJson, printLine } from '../context.js';
import { CliError } from '../errors.js';

/** The review as a table: one line per right held, void ones marked. */
export function rightsTable(rows: readonly RightRow[]): string[] {
  const through = (r: RightRow) =>
    r.via === 'group' ? `group ${r.group}` : r.via === 'role' ? `role ${r.role}` : 'direct grant';
  const cols = rows.map((r) => [
    r.mailbox,
    r.right,
    r.user,
    through(r),
    r.effective ? '' : `(not effective: ${r.note})`,
  ]);
  const head = ['Mailbox', 'Right', 'User', 'Through', ''];
  const width = head.map((h, i) => Math.max(h.length, ...cols.map((c) => c[i].length)));
  return [head, ...cols].map((c) =>
    c
      .map((v, i) => v.padEnd(width[i]))
      .join('  ')
      .trimEnd(),
  );
}

export function registerRightsCommands(program: Command): void {
  const rights = program.command('rights').description('rights of users and groups on mailboxes');
  rights
    .command('review')
    .description(
      'who holds which right on which mailbox, through which group or role; capabilities by role (audit.read; the read is recorded)',
    )
    .option('--json', 'print the rows as JSON')
    .option('--csv', 'print the rows as CSV')
    .action(async function (this: Command, o: { json?: boolean; csv?: boolean }) {
      if (o.json && o.csv) throw new CliError('give --json or --csv, not both', 2);
      const api = loggedIn(this);
      if (o.csv) {
        await api.stream('/rights/review', { format: 'csv' }, process.stdout);
        return;
      }
      const { items } = await api.call<{ items: RightRow[] }>('GET', '/rights/review');
      if (o.json) printJson(items);
      else for (const line of rightsTable(items)) printLine(line);
    });
}
