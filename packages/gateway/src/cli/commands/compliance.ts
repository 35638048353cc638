// faxgate compliance report [--json | --html]: each BSI requirement with its live evidence
// and verdict, through the API (audit.read; the read is recorded). Exit 1 when a
// software-checkable requirement is not met, so a cron job or CI can act on it.
import type { Command } from 'commander';
import { loggedIn } from '../api-client.js';
import { printJson, printLine } from '../context.js';
import { CliError } from '../errors.js';

interface Report {
  generatedAt: string;
  node: string;
  notMet: number;
  verdicts: Array<{
    id: string;
    title: string;
    status: 'met' | 'not-met' | 'organisational';
    detail: string;
  }>;
}

const LABEL = { met: 'met', 'not-met': 'NOT MET', organisational: 'organisational' } as const;

export function registerComplianceCommands(program: Command): void {
  program
    .command('compliance')
    .description('compliance with the BSI fax requirements (M 2.178–6.69, NET.4.3)')
    .command('report')
    .description(
      'each requirement with its live evidence and verdict: met, not met (what is wrong) or organisational (what to do and record); exit 1 when one is not met (needs audit.read; the read is recorded)',
    )
    .option('--json', 'the whole report with its evidence as JSON')
    .option('--html', 'the report as one self-contained HTML page')
    .action(async function (this: Command, o: { json?: boolean; html?: boolean }) {
      if (o.json && o.html) throw new CliError('--json and --html exclude each other', 2);
      const api = loggedIn(this);
      let notMet: number;
      if (o.html) {
        const chunks: Buffer[] = [];
        const { Writable } = await import('node:stream');
        const sink = new Writable({
          write(c, _e, cb) {
            chunks.push(Buffer.from(c));
            cb();
          },
        });
        await api.stream('/compliance/report', { format: 'html' }, sink);
        const html = Buffer.concat(chunks).toString('utf8');
        process.stdout.write(html);
        notMet = Number(/<p>(\d+) software-checkable/.exec(html)?.[1] ?? 0);
      } else {
        const r = await api.call<Report>('GET', '/compliance/report');
        notMet = r.notMet;
        if (o.json) printJson(r);
        else {
          for (const v of r.verdicts)
            printLine(`${v.id.padEnd(12)} ${LABEL[v.status].padEnd(14)} ${v.detail || v.title}`);
        }
      }
      if (notMet > 0) throw new CliError(`${notMet} requirement(s) not met`, 1);
    });
}
