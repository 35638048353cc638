// faxgate inbox forward <id> --to-mailbox X | --to-user U | --to-email A | --to-number N —
// forward a received fax (in.forward) through the gateway API with the caller's token. The
// API checks the rights (a refusal is 403 and an access.denied event, here exit 2).
import type { Command } from 'commander';
import { loggedIn, refusedDestination } from '../api-client.js';
import { printJson, printLine } from '../context.js';
import { CliError } from '../errors.js';
import { parseJid } from '../faxes/job-control.js';

interface ForwardOptions {
  toMailbox?: string;
  toUser?: string;
  toEmail?: string;
  toNumber?: string;
  fromMailbox?: string;
  note?: string;
  json?: boolean;
}

interface ForwardAnswer {
  fax: { id: number; state: string };
  target: string;
  outcome: 'delivered' | 'queued' | 'internal' | 'mailed';
  deliveredFaxId: number | null;
  sentFaxId: number | null;
  mailId: number | null;
  enqueued: boolean;
}

/** The request body: exactly one target, as the API's `to` object. */
export function forwardBody(o: ForwardOptions): Record<string, unknown> {
  const targets = [
    ['mailbox', o.toMailbox],
    ['user', o.toUser],
    ['email', o.toEmail],
    ['number', o.toNumber],
  ].filter(([, v]) => v !== undefined) as Array<[string, string]>;
  if (targets.length !== 1)
    throw new CliError('give exactly one of --to-mailbox, --to-user, --to-email, --to-number', 2);
  const [kind, value] = targets[0];
  if (o.fromMailbox !== undefined && kind !== 'number')
    throw new CliError('--from-mailbox is only for --to-number', 2);
  return {
    to: { [kind]: value },
    ...(o.note === undefined ? {} : { note: o.note }),
    ...(o.fromMailbox === undefined ? {} : { fromMailbox: o.fromMailbox }),
  };
}

function describe(id: number, r: ForwardAnswer): string {
  switch (r.outcome) {
    case 'delivered':
      return `fax ${id} forwarded to ${r.target}: delivered as fax ${r.deliveredFaxId}`;
    case 'internal':
      return `fax ${id} forwarded to ${r.target}: one of our numbers, delivered internally as fax ${r.deliveredFaxId} (no call; request id ${r.sentFaxId})`;
    case 'queued':
      return `fax ${id} forwarded to ${r.target}: request id is ${r.sentFaxId}`;
    case 'mailed':
      return `fax ${id} forwarded to ${r.target}: queued for the mail relay as mail ${r.mailId}`;
  }
}

/** Adds `forward` under the `inbox` command (registered by faxes.ts, earlier in the list). */
export function registerForwardingCommands(program: Command): void {
  const inbox = program.commands.find((c) => c.name() === 'inbox');
  if (!inbox) throw new Error('the inbox command must be registered before inbox forward');
  inbox
    .command('forward <id>')
    .description(
      'forward a received fax (in.forward): into a mailbox, to a user, to an e-mail address, or to a fax number (also out.send)',
    )
    .option('--to-mailbox <mailbox>', 'copy it into this incoming mailbox')
    .option('--to-user <user>', "copy it into the user's personal incoming mailbox")
    .option('--to-email <address>', 'mail it as a PDF')
    .option('--to-number <number>', 'send it as a new fax to this number')
    .option(
      '--from-mailbox <mailbox>',
      'with --to-number: the outgoing mailbox; default: the one you may send from',
    )
    .option('--note <text>', 'why (kept in the audit trail, and in the e-mail)')
    .option('--json', 'print the result as JSON')
    .action(async function (this: Command, id: string, o: ForwardOptions) {
      // `inbox` has --json too, and commander gives an option after a subcommand to the parent.
      const json = o.json === true || this.optsWithGlobals<ForwardOptions>().json === true;
      const jid = parseJid(id);
      const body = forwardBody(o);
      const r = await loggedIn(this)
        .call<ForwardAnswer>('POST', `/faxes/${jid}/forward`, { json: body })
        .catch(refusedDestination('nothing was forwarded'));
      if (json) {
        printJson({
          id: jid,
          state: r.fax.state,
          target: r.target,
          outcome: r.outcome,
          deliveredFax: r.deliveredFaxId,
          sentFax: r.sentFaxId,
          mail: r.mailId,
          enqueued: r.enqueued,
        });
        return;
      }
      printLine(describe(jid, r));
      if (r.outcome === 'queued' && !r.enqueued) {
        process.stderr.write(
          `faxgate: the queue (Redis) is not reachable now; fax ${r.sentFaxId} is accepted and stored, the gateway's reconciler queues it\n`,
        );
      }
    });
}
