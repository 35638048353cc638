// faxgate mailbox add, grant, revoke
import { grants, MAILBOX_RIGHTS, type MailboxKind, type MailboxRight, mailboxes } from '@faxgate/store';
import { type Command, Option } from 'commander';
import { printJson, printLine } from '../context.js';
import { CliError } from '../errors.js';
import { change, requirePermission, withSession } from '../session.js';

interface GranteeOptions {
  mailbox: string;
  user?: string;
  group?: string;
  json?: boolean;
}

function grantee(o: GranteeOptions): { user: string } | { group: string } {
  if ((o.user === undefined) === (o.group === undefined))
    throw new CliError('give exactly one of --user or --group', 2);
  return o.user !== undefined ? { user: o.user } : { group: o.group as string };
}

export function registerMailboxCommands(program: Command): void {
  const mailbox = program.command('mailbox').description('mailboxes and the fax numbers routed to them');

  mailbox
    .command('add <name>')
    .description('create a mailbox')
    .addOption(
      new Option('--kind <kind>', 'incoming or outgoing')
        .choices(['incoming', 'outgoing'])
        .makeOptionMandatory(),
    )
    .option(
      '--number <number...>',
      'fax numbers of this mailbox (called numbers for incoming, sender numbers for outgoing)',
    )
    .option('--description <text>', 'what the mailbox is for')
    .option('--json', 'print the new mailbox as JSON')
    .action(async function (this: Command, name: string, o) {
      const m = await withSession(this, async (s) => {
        await requirePermission(s, 'mailbox.manage', 'add mailboxes');
        return change(s, 'admin.mailbox_add', async (trx) => {
          const created = await mailboxes.add(trx, {
            name,
            kind: o.kind as MailboxKind,
            numbers: o.number ?? [],
            description: o.description,
          });
          const details = { kind: created.kind, numbers: created.numbers };
          return { event: { subject: `mailbox:${created.name}`, details }, result: created };
        });
      });
      if (o.json) printJson(m);
      else
        printLine(
          `${m.kind} mailbox ${m.name} created${m.numbers.length ? ` (${m.numbers.join(', ')})` : ''}`,
        );
    });

  for (const action of ['grant', 'revoke'] as const) {
    program
      .command(`${action} <right>`)
      .description(
        `${action === 'grant' ? 'grant a mailbox right to' : 'revoke a mailbox right from'} a user or group (rights: ${MAILBOX_RIGHTS.join(', ')})`,
      )
      .requiredOption('--mailbox <mailbox>', 'the mailbox')
      .option('--user <user>', 'a user (individual grants only by exception, M 2.179)')
      .option('--group <group>', 'a group')
      .option('--json', 'print the result as JSON')
      .action(async function (this: Command, right: string, o: GranteeOptions) {
        const who = grantee(o);
        const input = { ...who, mailbox: o.mailbox, right: right as MailboxRight };
        const target = 'user' in who ? `user:${who.user}` : `group:${who.group}`;
        const result = await withSession(this, async (s) => {
          await requirePermission(s, 'user.manage', `${action} rights`);
          return change(s, action === 'grant' ? 'admin.grant' : 'admin.revoke', async (trx) => {
            const changed =
              action === 'grant' ? (await grants.grant(trx, input)).created : await grants.revoke(trx, input);
            const details = { right, mailbox: o.mailbox, grantee: target };
            return { event: changed ? { subject: `mailbox:${o.mailbox}`, details } : null, result: changed };
          });
        });
        if (o.json) printJson({ action, right, mailbox: o.mailbox, grantee: target, changed: result });
        else if (action === 'grant')
          printLine(
            result
              ? `granted ${right} on ${o.mailbox} to ${target}`
              : `${target} already has ${right} on ${o.mailbox}`,
          );
        else
          printLine(
            result
              ? `revoked ${right} on ${o.mailbox} from ${target}`
              : `${target} did not have ${right} on ${o.mailbox}`,
          );
      });
  }
}
