// faxgate send | status | stop | modify | resubmit | settle | rm | inbox — the operator's fax
// commands (HylaFAX sendfax, faxstat, faxalter, faxrm), as a client of the gateway API: the
// caller's token decides what they may see and do, and the API records it.
import type { Fax, FaxDamage } from '@faxgate/store';
import { type Command, Option } from 'commander';
import { COVER_URGENCIES } from '../../documents/cover.js';
import { type ApiClient, loggedIn, withDates } from '../api-client.js';
import { printJson, printLine } from '../context.js';
import { describeZone, FAXSTAT_HEADER, faxstatLine, stateLetter, statusText } from '../faxes/faxstat.js';
import { modify, parseDecision, parseJid, remove, resubmit, settle, stop } from '../faxes/job-control.js';
import { printLines } from '../faxes/lines.js';
import { sendFax } from '../faxes/send.js';

const ACTIVE = ['rendering', 'suspended', 'pending', 'sleeping', 'blocked', 'waiting', 'running'];
const FINISHED = ['done', 'failed', 'rejected'];
const FAX_DATES = ['notBefore', 'killAt', 'startedAt', 'completedAt', 'createdAt', 'updatedAt'] as const;

interface ListedFax {
  fax: Fax;
  owner: string | null;
  mailbox: string | null;
}

function localZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** The faxes the caller may see (oldest first), with owner and mailbox names, from the API. */
async function listing(
  api: ApiClient,
  q: { direction: 'in' | 'out'; states: readonly string[]; mailbox?: string; right?: string },
): Promise<ListedFax[]> {
  const r = await api.call<{
    items: Array<{ fax: Record<string, unknown>; owner: string | null; mailbox: string | null }>;
  }>('GET', '/listing/faxes', {
    query: { direction: q.direction, state: q.states.join(','), mailbox: q.mailbox, right: q.right },
  });
  return r.items.map((i) => ({ ...i, fax: withDates<Fax>(i.fax, FAX_DATES) }));
}

function localTime(d: Date | null, timeZone: string): string {
  if (!d) return '';
  return new Intl.DateTimeFormat('sv-SE', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(d);
}

async function status(
  api: ApiClient,
  o: { all?: boolean; json?: boolean; wide?: boolean; wrap?: boolean },
): Promise<void> {
  const list = await listing(api, { direction: 'out', states: o.all ? [...ACTIVE, ...FINISHED] : ACTIVE });
  if (o.json) {
    printJson(
      list.map(({ fax: f, owner, mailbox }) => ({
        jid: f.id,
        priority: f.priority,
        state: f.state,
        stateLetter: stateLetter(f.state),
        owner: owner ?? '',
        mailbox,
        number: f.remoteNumber,
        pagesDone: f.pagesDone,
        pagesTotal: f.pagesTotal,
        dials: f.dials,
        maxDials: f.maxDials,
        tts: f.notBefore?.toISOString() ?? null,
        killAt: f.killAt?.toISOString() ?? null,
        status: statusText(f),
      })),
    );
    return;
  }
  const now = new Date();
  const zone = localZone();
  printLine(`times in ${describeZone(zone, now)}`);
  printLine(FAXSTAT_HEADER);
  const layout = o.wide ? 'wide' : o.wrap ? 'wrap' : 'cut';
  for (const { fax, owner } of list) printLine(faxstatLine({ fax, owner: owner ?? '' }, now, zone, layout));
}

async function inbox(api: ApiClient, o: { mailbox?: string; json?: boolean }): Promise<void> {
  // A receive cut short keeps the pages it got (failed, cause partial): they are the
  // recipient's, so the inbox lists them, marked, instead of hiding them.
  const list = (
    await listing(api, {
      direction: 'in',
      states: ['received', 'delivered', 'failed'],
      mailbox: o.mailbox,
      right: 'in.read',
    })
  ).filter(({ fax: f }) => f.state !== 'failed' || f.pagesDone > 0);
  if (o.json) {
    printJson(
      list.map(({ fax: f, mailbox }) => ({
        id: f.id,
        mailbox,
        received: (f.completedAt ?? f.createdAt).toISOString(),
        from: f.remoteNumber,
        tsi: f.remoteStationId,
        to: f.localNumber,
        pages: f.pagesDone,
        internal: f.internal,
        subject: f.subject,
        partial: f.state === 'failed',
        note: f.state === 'failed' ? (f.causeText ?? f.cause) : null,
        damaged: f.damage ?? null,
      })),
    );
    return;
  }
  const zone = localZone();
  printLine(`times in ${describeZone(zone, new Date())}`);
  printLine(
    `${'ID'.padEnd(6)} ${'Received'.padEnd(16)} ${'From'.padEnd(16)} ${'TSI'.padEnd(20)} Pages Mailbox`,
  );
  for (const { fax: f, mailbox } of list) {
    printLine(
      [
        String(f.id).padEnd(6),
        localTime(f.completedAt ?? f.createdAt, zone).padEnd(16),
        (f.remoteNumber ?? '').slice(0, 16).padEnd(16),
        (f.remoteStationId ?? '').slice(0, 20).padEnd(20),
        String(f.pagesDone).padStart(5),
        mailbox ?? '',
        f.state === 'failed' ? `(partial: ${f.causeText ?? f.cause ?? 'receive ended early'})` : '',
        f.damage ? damageNote(f.damage) : '',
      ]
        .join(' ')
        .trimEnd(),
    );
  }
}

/** A received fax with bad rows, as the inbox marks it. */
function damageNote(d: FaxDamage): string {
  return `(damaged: ${d.pages} ${d.pages === 1 ? 'page' : 'pages'}, ${d.rows} bad ${d.rows === 1 ? 'row' : 'rows'})`;
}

/** The name of a mailbox the caller holds rights on (for --json), or null. */
async function mailboxName(api: ApiClient, id: number | null): Promise<string | null> {
  if (id === null) return null;
  const me = await api.call<{ mailboxes: Array<{ mailbox: { id: number; name: string } }> }>('GET', '/me');
  return me.mailboxes.find((m) => m.mailbox.id === id)?.mailbox.name ?? null;
}

const QUEUE_DOWN = (id: number) =>
  `faxgate: the queue (Redis) is not reachable now; fax ${id} is accepted and stored, the gateway's reconciler queues it\n`;

export function registerFaxCommands(program: Command): void {
  program
    .command('send <files...>')
    .description('send a fax like sendfax: the files (PDF, images, text, fax TIFF/PBM/SFF) to a number')
    .requiredOption('-d, --destination <number>', 'fax number to send to')
    .option('--mailbox <mailbox>', 'outgoing mailbox (name or id); default: the one you may send from')
    .option('-P, --priority <n>', 'scheduling priority, 0 (most urgent) .. 255 (default 127)')
    .option('-a, --send-at <time>', 'send at this time: "now + 30 minutes", "+2 hours", "2026-12-24 08:00"')
    .option('-k, --kill-time <time>', 'give up at this time (default: send time + queue.killTimeMinutes)')
    .addOption(new Option('-r, --resolution <res>', 'vertical resolution').choices(['standard', 'fine']))
    .option('--subject <text>', 'subject (shown in status and logs, and on the cover page)')
    .option('--cover', 'put a cover page in front (sender block from the cover: configuration)')
    .option('--to-name <name>', 'cover page: recipient name (implies --cover)')
    .option('-x, --to-company <organisation>', 'cover page: recipient organisation (implies --cover)')
    .option('--comment <text>', 'cover page: comment text (implies --cover)')
    .addOption(
      new Option('--urgency <level>', 'cover page: urgency (implies --cover)').choices([...COVER_URGENCIES]),
    )
    .option(
      '--accept-damaged',
      'send TIFF/SFF pages with bad rows beyond intake.damage anyway (recorded in the audit trail)',
    )
    .option('--json', 'print the result as JSON')
    .action(async function (this: Command, files: string[], o) {
      const api = loggedIn(this);
      const result = await sendFax(api, files, o);
      const f = result.fax;
      if (o.json) {
        printJson({
          id: f.id,
          outcome: result.outcome,
          enqueued: result.enqueued,
          mailbox: await mailboxName(api, f.mailboxId),
          number: f.remoteNumber,
          pages: f.pagesTotal,
          deliveredFax: result.deliveredFaxId,
        });
      } else if (result.outcome === 'internal') {
        printLine(
          `request id is ${f.id}: ${f.remoteNumber} is one of our numbers, delivered internally as fax ${result.deliveredFaxId} (no call)`,
        );
      } else {
        printLine(
          `request id is ${f.id} (${f.pagesTotal} page${f.pagesTotal === 1 ? '' : 's'} to ${f.remoteNumber})`,
        );
        if (!result.enqueued) {
          process.stderr.write(QUEUE_DOWN(f.id));
        }
      }
    });

  program
    .command('status')
    .description('the send queue as faxstat shows it (JID Pri S Owner Number Pages Dials TTS Status)')
    .option('--all', 'also finished faxes (done, failed)')
    .option(
      '--lines',
      'the lines instead: each controller up or down (since, last error, reconnect attempts) and each B channel (line.read)',
    )
    .option('--wide', 'the full status text on the line (default: cut to 25 characters as faxstat does)')
    .option('--wrap', 'the full status text wrapped under the status column')
    .option('--json', 'print the faxes (or lines) as JSON')
    .action(async function (this: Command, o) {
      if (o.lines) await printLines(loggedIn(this), o);
      else await status(loggedIn(this), o);
    });

  program
    .command('stop <jid>')
    .description('stop a fax: a waiting one is not sent, a running call is disconnected (out.stop)')
    .action(async function (this: Command, jid: string) {
      printLine(await stop(loggedIn(this), parseJid(jid)));
    });

  program
    .command('modify <jid>')
    .description('change a fax that is not in a call and not finished, like faxalter (out.modify)')
    .option('-d, --destination <number>', 'new fax number (routed and checked like send)')
    .option('-a, --send-at <time>', 'new send time: "now", "now + 30 minutes", "2026-12-24 08:00"')
    .option('-k, --kill-time <time>', 'new kill time')
    .option('-P, --priority <n>', 'new priority, 0 (most urgent) .. 255')
    .addOption(
      new Option('-r, --resolution <res>', 'standard converts the pages down; fine keeps fine pages').choices(
        ['standard', 'fine'],
      ),
    )
    .option('--json', 'print the result as JSON')
    .action(async function (this: Command, jid: string, o) {
      const r = await modify(loggedIn(this), parseJid(jid), o);
      const job = r.queue ?? (r as { job?: string }).job ?? null;
      if (o.json) {
        printJson({ id: r.fax.id, changed: r.changed, job, state: r.fax.state });
        return;
      }
      printLine(
        r.changed.length === 0
          ? `fax ${r.fax.id}: nothing changed (it already was as asked)`
          : `fax ${r.fax.id} modified: ${r.changed.join(', ')}`,
      );
      if (job === 'deferred') {
        process.stderr.write(
          `faxgate: the queue (Redis) is not reachable now; the change is stored, the gateway's reconciler moves the job\n`,
        );
      }
    });

  program
    .command('resubmit <jid>')
    .description('send a finished fax again as a new fax with the same pages (out.send)')
    .option('-d, --destination <number>', 'send to this number instead')
    .option('--json', 'print the result as JSON')
    .action(async function (this: Command, jid: string, o) {
      const r = await resubmit(loggedIn(this), parseJid(jid), o);
      const f = r.fax;
      if (o.json) {
        printJson({
          id: f.id,
          resubmitOf: r.resubmitOf,
          outcome: r.outcome,
          enqueued: r.enqueued,
          number: f.remoteNumber,
          pages: f.pagesTotal,
          deliveredFax: r.deliveredFax?.id ?? null,
        });
      } else if (r.outcome === 'internal') {
        printLine(
          `request id is ${f.id} (resubmit of ${r.resubmitOf}): ${f.remoteNumber} is one of our numbers, delivered internally${r.deliveredFax ? ` as fax ${r.deliveredFax.id}` : ''} (no call)`,
        );
      } else {
        printLine(
          `request id is ${f.id} (resubmit of ${r.resubmitOf}; ${f.pagesTotal} page${f.pagesTotal === 1 ? '' : 's'} to ${f.remoteNumber})`,
        );
        if (!r.enqueued) {
          process.stderr.write(QUEUE_DOWN(f.id));
        }
      }
    });

  program
    .command('settle <jid> <decision>')
    .description(
      'decide on a fax whose outcome is unknown: resend, sent or failed (queue.manage or out.modify)',
    )
    .action(async function (this: Command, jid: string, decision: string) {
      const d = parseDecision(decision);
      const r = await settle(loggedIn(this), parseJid(jid), d);
      printLine(
        d === 'resend'
          ? `fax ${r.fax.id} queued again (resend)`
          : `fax ${r.fax.id} marked ${d}: ${r.fax.state}`,
      );
      if (d === 'resend' && !r.enqueued) {
        process.stderr.write(
          `faxgate: the queue (Redis) is not reachable now; the gateway's reconciler queues fax ${r.fax.id}\n`,
        );
      }
    });

  program
    .command('rm <jid>')
    .description(
      'delete a fax: its pages are deleted, its record is kept; a waiting one is stopped first (out.delete, in.delete)',
    )
    .action(async function (this: Command, jid: string) {
      printLine(await remove(loggedIn(this), parseJid(jid)));
    });

  program
    .command('inbox')
    .description('received faxes you may read (in.read)')
    .option('--mailbox <mailbox>', 'only this incoming mailbox (name or id)')
    .option('--json', 'print the faxes as JSON')
    .action(async function (this: Command, o) {
      await inbox(loggedIn(this), o);
    });
}
