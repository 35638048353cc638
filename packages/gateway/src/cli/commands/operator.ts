// faxgate hold | release | requeue | priority — queue control for operators (queue.manage)
// and for senders on their own faxes. Stop is `faxgate stop` (faxes.ts).
import type { Command } from 'commander';
import { loggedIn } from '../api-client.js';
import { printLine } from '../context.js';
import { parseJid } from '../faxes/job-control.js';
import { hold, parsePriorityValue, priority, release, requeue } from '../operator/queue-control.js';

export function registerOperatorCommands(program: Command): void {
  program
    .command('hold <jid>')
    .description('hold a waiting fax: it is not dialled until released (queue.manage, or out.modify)')
    .option('--reason <text>', 'why (shown in status and recorded)')
    .action(async function (this: Command, jid: string, o: { reason?: string }) {
      printLine(await hold(loggedIn(this), parseJid(jid), o.reason));
    });

  program
    .command('release <jid>')
    .description('release a held fax: it waits for a line again (queue.manage, or out.modify)')
    .action(async function (this: Command, jid: string) {
      printLine(await release(loggedIn(this), parseJid(jid)));
    });

  program
    .command('requeue <jid>')
    .description('put a failed fax back in the queue with fresh dial counts (queue.manage, or out.send)')
    .action(async function (this: Command, jid: string) {
      printLine(await requeue(loggedIn(this), parseJid(jid)));
    });

  program
    .command('priority <jid> <n>')
    .description('reprioritise a waiting fax, 0 (most urgent) .. 255 (queue.manage, or out.modify)')
    .action(async function (this: Command, jid: string, n: string) {
      printLine(await priority(loggedIn(this), parseJid(jid), parsePriorityValue(n)));
    });
}
