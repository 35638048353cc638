// faxgate mailbox mail show | add | remove | set — a mailbox's e-mail recipients and mail
// options through the gateway API with the caller's token (mailbox.manage); each change is an
// audit event naming the caller (mail/README.md).
import type { Command } from 'commander';
import { loggedIn } from '../api-client.js';
import { printJson, printLine } from '../context.js';
import { CliError } from '../errors.js';

interface MailboxMail {
  mailbox: string;
  recipients: string[];
  attachTiff: boolean;
  deleteAfterForward: boolean;
}

function print(m: MailboxMail, json: boolean | undefined): void {
  if (json) {
    printJson(m);
    return;
  }
  printLine(`mailbox ${m.mailbox}: received faxes mailed to ${m.recipients.join(', ') || '(nobody listed)'}`);
  printLine(`  TIFF beside the PDF: ${m.attachTiff ? 'yes' : 'no'}`);
  printLine(`  delete after forwarding: ${m.deleteAfterForward ? 'yes' : 'no'}`);
}

const yesNo = (v: string, what: string): boolean => {
  if (v === 'yes' || v === 'true' || v === 'on') return true;
  if (v === 'no' || v === 'false' || v === 'off') return false;
  throw new CliError(`${what}: expected yes or no, got ${JSON.stringify(v)}`, 2);
};

/** Adds `mail` under the existing `faxgate mailbox` command. */
export function registerMailboxMailCommands(mailbox: Command): void {
  const mail = mailbox
    .command('mail')
    .description("a mailbox's e-mail recipients and mail options (mailbox.manage)");
  const path = (box: string) => `/mailboxes/${encodeURIComponent(box)}/mail`;

  mail
    .command('show <mailbox>')
    .description('who gets its received faxes by e-mail, and its options')
    .option('--json', 'print as JSON')
    .action(async function (this: Command, box: string, o) {
      print(await loggedIn(this).call<MailboxMail>('GET', path(box)), o.json);
    });

  for (const action of ['add', 'remove'] as const) {
    mail
      .command(`${action} <mailbox> <address>`)
      .description(action === 'add' ? 'mail its received faxes to this address' : 'stop mailing them to it')
      .option('--json', 'print the settings afterwards as JSON')
      .action(async function (this: Command, box: string, address: string, o) {
        const m = await loggedIn(this).call<MailboxMail>(
          action === 'add' ? 'PUT' : 'DELETE',
          `${path(box)}/recipients/${encodeURIComponent(address)}`,
        );
        print(m, o.json);
      });
  }

  mail
    .command('set <mailbox>')
    .description('set the mail options')
    .option('--attach-tiff <yes|no>', 'a TIFF beside the PDF')
    .option(
      '--delete-after-forward <yes|no>',
      'delete a received fax once the relay accepted every mail for it',
    )
    .option('--json', 'print the settings afterwards as JSON')
    .action(async function (this: Command, box: string, o) {
      const json: Record<string, boolean> = {};
      if (o.attachTiff !== undefined) json.attachTiff = yesNo(o.attachTiff, '--attach-tiff');
      if (o.deleteAfterForward !== undefined)
        json.deleteAfterForward = yesNo(o.deleteAfterForward, '--delete-after-forward');
      if (Object.keys(json).length === 0)
        throw new CliError('give --attach-tiff or --delete-after-forward', 2);
      print(await loggedIn(this).call<MailboxMail>('PATCH', path(box), { json }), o.json);
    });
}
