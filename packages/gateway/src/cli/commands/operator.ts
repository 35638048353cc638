// faxgate queue hold | release | requeue | priority | stop — queue control for operators
// (queue.manage, any fax) and for senders on their own faxes (the mailbox's rights).
// Under `queue` because `faxgate release` is the release step of the pilot phase.
import type { Command } from 'commander';
import { loggedIn } from '../api-client.js';
import { printLine } from '../context.js';
import { parseJid, stop } from '../faxes/job-control.js';
import { hold, parsePriorityValue, priority, release, requeue } from '../operator/queue-control.js';

export function registerOperatorCommands(program: Command): void {
  const queue = program
    .command('queue')
    .description('control the send queue: hold, release, requeue, reprioritise or stop a fax');

  queue
    .command('hold <jid>')
    .description('hold a waiting fax: it is not dialled until released (queue.manage, or out.modify)')
    .option('--reason <text>', 'why (shown in status and recorded)')
    .action(async function (this: Command, jid: string, o: { reason?: string }) {
      printLine(await hold(loggedIn(this), parseJid(jid), o.reason));
    });

  queue
    .command('release <jid>')
    .description('release a held fax: it waits for a line again (queue.manage, or out.modify)')
    .action(async function (this: Command, jid: string) {
      printLine(await release(loggedIn(this), parseJid(jid)));
    });

  queue
    .command('requeue <jid>')
    .description('put a failed fax back in the queue with fresh dial counts (queue.manage, or out.send)')
    .action(async function (this: Command, jid: string) {
      printLine(await requeue(loggedIn(this), parseJid(jid)));
    });

  queue
    .command('priority <jid> <n>')
    .description('reprioritise a waiting fax, 0 (most urgent) .. 255 (queue.manage, or out.modify)')
    .action(async function (this: Command, jid: string, n: string) {
      printLine(await priority(loggedIn(this), parseJid(jid), parsePriorityValue(n)));
    });

  queue
    .command('stop <jid>')
    .description('stop a fax, as faxgate stop (queue.manage, or out.stop)')
    .action(async function (this: Command, jid: string) {
      printLine(await stop(loggedIn(this), parseJid(jid)));
    });
}
