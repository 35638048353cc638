// faxgate mailbox add, grant, revoke — through the gateway API with the caller's token
// (mailbox.manage, user.manage); every change is an audit event naming the caller.
import { MAILBOX_RIGHTS } from '@faxgate/store';
import { type Command, Option } from 'commander';
import { type ApiClient, loggedIn } from '../api-client.js';
import { printJson, printLine } from '../context.js';
import { CliError } from '../errors.js';
import { registerMailboxMailCommands } from './mailbox-mail.js';

interface Grant {
  id: number;
  userName: string | null;
  groupName: string | null;
  mailboxId: number;
  mailboxName: string;
  right: string;
}

/** Revokes the one grant that matches; false when there was none. Unknown names are 404s (exit 2). */
async function revokeGrant(
  api: ApiClient,
  input: { mailbox: string; right: string; user?: string; group?: string },
): Promise<boolean> {
  // Both look-ups name what does not exist: the mailbox, and the user or group.
  const onMailbox = await api.call<Grant[]>('GET', '/grants', { query: { mailbox: input.mailbox } });
  await api.call<Grant[]>('GET', '/grants', {
    query: input.user !== undefined ? { user: input.user } : { group: input.group },
  });
  const g = onMailbox.find(
    (x) =>
      x.right === input.right &&
      (input.user !== undefined ? x.userName === input.user : x.groupName === input.group),
  );
  if (!g) return false;
  await api.call('DELETE', `/grants/${g.id}`);
  return true;
}

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
  registerMailboxMailCommands(mailbox);

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
      const m = await loggedIn(this).call<{ name: string; kind: string; numbers: string[] }>(
        'POST',
        '/mailboxes',
        { json: { name, kind: o.kind, numbers: o.number ?? [], description: o.description } },
      );
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
        if (!(MAILBOX_RIGHTS as readonly string[]).includes(right))
          throw new CliError(
            `unknown right ${JSON.stringify(right)} (rights: ${MAILBOX_RIGHTS.join(', ')})`,
            2,
          );
        const input = { ...who, mailbox: o.mailbox, right };
        const target = 'user' in who ? `user:${who.user}` : `group:${who.group}`;
        const api = loggedIn(this);
        const result =
          action === 'grant'
            ? (await api.call<{ created: boolean }>('POST', '/grants', { json: input })).created
            : await revokeGrant(api, input);
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
