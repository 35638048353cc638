// faxgate send | status | stop | modify | resubmit | settle | rm | inbox — the operator's fax
// commands (HylaFAX sendfax, faxstat, faxalter, faxrm), on the outgoing pipeline and the
// rights model.
import { type Fax, type FaxState, faxes, mailboxes } from '@faxgate/store';
import { type Command, Option } from 'commander';
import { COVER_URGENCIES } from '../../documents/cover.js';
import { stopFax } from '../../pipeline/stop.js';
import { printJson, printLine } from '../context.js';
import { CliError } from '../errors.js';
import { describeZone, FAXSTAT_HEADER, faxstatLine, stateLetter, statusText } from '../faxes/faxstat.js';
import { modify, parseDecision, remove, resubmit, settle } from '../faxes/job-control.js';
import { openCliQueue } from '../faxes/queue-access.js';
import { sendFax } from '../faxes/send.js';
import { type FaxFilter, outgoingVisibility, rightVisibility } from '../faxes/visibility.js';
import { type CliSession, requirePermission, withSession } from '../session.js';

const ACTIVE: readonly FaxState[] = [
  'rendering',
  'suspended',
  'pending',
  'sleeping',
  'blocked',
  'waiting',
  'running',
];
const FINISHED: readonly FaxState[] = ['done', 'failed', 'rejected'];
/** Most rows one listing shows (newest kept). */
const LIST_CAP = 1000;

function localZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

function parseJid(text: string): number {
  if (!/^[0-9]{1,15}$/.test(text) || Number(text) < 1)
    throw new CliError(`not a fax id: ${JSON.stringify(text)}`, 2);
  return Number(text);
}

function needUser(s: CliSession, what: string): string {
  if (s.asUser === null) throw new CliError(`${what} needs --as USER (the rights of that user apply)`, 2);
  return s.asUser;
}

/** Pages through faxes newest first, keeping those `visible` lets through, oldest first. */
async function visibleFaxes(
  s: CliSession,
  filter: Parameters<typeof faxes.list>[1],
  visible: FaxFilter,
): Promise<Fax[]> {
  const out: Fax[] = [];
  let beforeId: number | undefined;
  while (out.length < LIST_CAP) {
    const batch = await faxes.list(s.db, { ...filter, limit: 500, beforeId });
    for (const f of batch) if (out.length < LIST_CAP && (await visible(f))) out.push(f);
    if (batch.length < 500) break;
    beforeId = batch[batch.length - 1].id;
  }
  return out.reverse();
}

async function userNames(s: CliSession, ids: Array<number | null>): Promise<Map<number, string>> {
  const wanted = [...new Set(ids.filter((i): i is number => i !== null))];
  const rows: Array<{ id: number; name: string }> = wanted.length
    ? await s.db('users').whereIn('id', wanted).select('id', 'name')
    : [];
  return new Map(rows.map((r) => [r.id, r.name]));
}

async function mailboxNames(s: CliSession): Promise<Map<number, string>> {
  return new Map((await mailboxes.list(s.db)).map((m) => [m.id, m.name]));
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

async function status(s: CliSession, o: { all?: boolean; json?: boolean }): Promise<void> {
  const visible = await outgoingVisibility(s);
  const states = o.all ? [...ACTIVE, ...FINISHED] : ACTIVE;
  const list = await visibleFaxes(s, { direction: 'out', states }, visible);
  const names = await userNames(
    s,
    list.map((f) => f.ownerUserId),
  );
  const owner = (f: Fax) =>
    typeof f.metadata.owner === 'string' ? f.metadata.owner : (names.get(f.ownerUserId ?? -1) ?? '');
  if (o.json) {
    const boxes = await mailboxNames(s);
    printJson(
      list.map((f) => ({
        jid: f.id,
        priority: f.priority,
        state: f.state,
        stateLetter: stateLetter(f.state),
        owner: owner(f),
        mailbox: f.mailboxId === null ? null : (boxes.get(f.mailboxId) ?? null),
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
  for (const f of list) printLine(faxstatLine({ fax: f, owner: owner(f) }, now, zone));
}

async function stop(s: CliSession, jid: number): Promise<string> {
  const user = needUser(s, 'stop');
  const fax = await faxes.find(s.db, jid);
  if (!fax) throw new CliError(`no fax ${jid}`, 2);
  if (fax.direction !== 'out' || fax.mailboxId === null)
    throw new CliError(`fax ${jid} is not an outgoing fax`, 2);
  await requirePermission(s, 'out.stop', `stop fax ${jid}`, fax.mailboxId);
  const q = await openCliQueue(s.loaded.config);
  try {
    const r = await stopFax(
      { db: s.db, queue: q.queue, publisher: q.publisher, stopChannel: q.stopChannel },
      { actor: user, faxId: jid },
    );
    if (r.was === 'waiting') return `fax ${jid} stopped (it was waiting; it will not be sent)`;
    if (r.was === 'finished') throw new CliError(`fax ${jid} is ${r.fax.state}: nothing to stop`, 2);
    if (!q.publisher) {
      throw new CliError(
        `fax ${jid} is in a call and Redis is not reachable: the stop is on record but could not reach the call`,
        1,
      );
    }
    return `fax ${jid}: stop requested, the call is being disconnected`;
  } finally {
    await q.close();
  }
}

async function inbox(s: CliSession, o: { mailbox?: string; json?: boolean }): Promise<void> {
  let mailboxId: number | undefined;
  if (o.mailbox !== undefined) {
    const m = await mailboxes.find(s.db, /^[0-9]+$/.test(o.mailbox) ? Number(o.mailbox) : o.mailbox);
    if (m?.kind !== 'incoming')
      throw new CliError(`--mailbox: no incoming mailbox ${JSON.stringify(o.mailbox)}`, 2);
    mailboxId = m.id;
  }
  const list = await visibleFaxes(
    s,
    { direction: 'in', states: ['received', 'delivered'], mailboxId },
    rightVisibility(s, 'in.read'),
  );
  const boxes = await mailboxNames(s);
  const box = (f: Fax) => (f.mailboxId === null ? '' : (boxes.get(f.mailboxId) ?? ''));
  if (o.json) {
    printJson(
      list.map((f) => ({
        id: f.id,
        mailbox: box(f) || null,
        received: (f.completedAt ?? f.createdAt).toISOString(),
        from: f.remoteNumber,
        tsi: f.remoteStationId,
        to: f.localNumber,
        pages: f.pagesDone,
        internal: f.internal,
        subject: f.subject,
      })),
    );
    return;
  }
  const zone = localZone();
  printLine(`times in ${describeZone(zone, new Date())}`);
  printLine(
    `${'ID'.padEnd(6)} ${'Received'.padEnd(16)} ${'From'.padEnd(16)} ${'TSI'.padEnd(20)} Pages Mailbox`,
  );
  for (const f of list) {
    printLine(
      [
        String(f.id).padEnd(6),
        localTime(f.completedAt ?? f.createdAt, zone).padEnd(16),
        (f.remoteNumber ?? '').slice(0, 16).padEnd(16),
        (f.remoteStationId ?? '').slice(0, 20).padEnd(20),
        String(f.pagesDone).padStart(5),
        box(f),
      ].join(' '),
    );
  }
}

export function registerFaxCommands(program: Command): void {
  program
    .command('send <files...>')
    .description('send a fax like sendfax: the files (PDF, images, text, fax TIFF/PBM/SFF) to a number')
    .requiredOption('-d, --destination <number>', 'fax number to send to')
    .option('--mailbox <mailbox>', 'outgoing mailbox (name or id); default: the one --as may send from')
    .option('-P, --priority <n>', 'scheduling priority, 0 (most urgent) .. 255 (default 127)')
    .option('-a, --send-at <time>', 'send at this time: "now + 30 minutes", "+2 hours", "2026-12-24 08:00"')
    .option('-k, --kill-time <time>', 'give up at this time (default: send time + queue.killTimeMinutes)')
    .addOption(
      new Option('-r, --resolution <res>', 'vertical resolution').choices(['standard', 'fine', 'superfine']),
    )
    .option('--subject <text>', 'subject (shown in status and logs, and on the cover page)')
    .option('--cover', 'put a cover page in front (sender block from the cover: configuration)')
    .option('--to-name <name>', 'cover page: recipient name (implies --cover)')
    .option('-x, --to-company <organisation>', 'cover page: recipient organisation (implies --cover)')
    .option('--comment <text>', 'cover page: comment text (implies --cover)')
    .addOption(
      new Option('--urgency <level>', 'cover page: urgency (implies --cover)').choices([...COVER_URGENCIES]),
    )
    .option('--json', 'print the result as JSON')
    .action(async function (this: Command, files: string[], o) {
      const { result, mailbox } = await withSession(this, (s) => sendFax(s, files, o));
      const f = result.fax;
      if (o.json) {
        printJson({
          id: f.id,
          outcome: result.outcome,
          enqueued: result.enqueued,
          mailbox: mailbox.name,
          number: f.remoteNumber,
          pages: f.pagesTotal,
          deliveredFax: result.deliveredFax?.id ?? null,
        });
      } else if (result.outcome === 'internal') {
        printLine(
          `request id is ${f.id}: ${f.remoteNumber} is one of our numbers, delivered internally as fax ${result.deliveredFax?.id} (no call)`,
        );
      } else {
        printLine(
          `request id is ${f.id} (${f.pagesTotal} page${f.pagesTotal === 1 ? '' : 's'} to ${f.remoteNumber})`,
        );
        if (!result.enqueued) {
          process.stderr.write(
            `faxgate: the queue (Redis) is not reachable now; fax ${f.id} is accepted and stored, the gateway's reconciler queues it\n`,
          );
        }
      }
    });

  program
    .command('status')
    .description('the send queue as faxstat shows it (JID Pri S Owner Number Pages Dials TTS Status)')
    .option('--all', 'also finished faxes (done, failed)')
    .option('--json', 'print the faxes as JSON')
    .action(async function (this: Command, o) {
      await withSession(this, (s) => status(s, o));
    });

  program
    .command('stop <jid>')
    .description('stop a fax: a waiting one is not sent, a running call is disconnected (out.stop)')
    .action(async function (this: Command, jid: string) {
      printLine(await withSession(this, (s) => stop(s, parseJid(jid))));
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
      const r = await withSession(this, (s) => modify(s, parseJid(jid), o));
      if (o.json) {
        printJson({ id: r.fax.id, changed: r.changed, job: r.job, state: r.fax.state });
        return;
      }
      printLine(
        r.changed.length === 0
          ? `fax ${r.fax.id}: nothing changed (it already was as asked)`
          : `fax ${r.fax.id} modified: ${r.changed.join(', ')}`,
      );
      if (r.job === 'deferred') {
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
      const r = await withSession(this, (s) => resubmit(s, parseJid(jid), o));
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
          `request id is ${f.id} (resubmit of ${r.resubmitOf}): ${f.remoteNumber} is one of our numbers, delivered internally as fax ${r.deliveredFax?.id} (no call)`,
        );
      } else {
        printLine(
          `request id is ${f.id} (resubmit of ${r.resubmitOf}; ${f.pagesTotal} page${f.pagesTotal === 1 ? '' : 's'} to ${f.remoteNumber})`,
        );
        if (!r.enqueued) {
          process.stderr.write(
            `faxgate: the queue (Redis) is not reachable now; fax ${f.id} is accepted and stored, the gateway's reconciler queues it\n`,
          );
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
      const r = await withSession(this, (s) => settle(s, parseJid(jid), d));
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
      printLine(await withSession(this, (s) => remove(s, parseJid(jid))));
    });

  program
    .command('inbox')
    .description('received faxes you may read (in.read)')
    .option('--mailbox <mailbox>', 'only this incoming mailbox (name or id)')
    .option('--json', 'print the faxes as JSON')
    .action(async function (this: Command, o) {
      await withSession(this, (s) => inbox(s, o));
    });
}
