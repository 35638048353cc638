// The selftest's test call (issue 17 item 4): a one-page fax from pilot.selftestMailbox to the
// test number through the queue and the line, then a fax back from that number (a test
// station that answers, or someone at it) — both within pilot.selftestCallSeconds. Polled in
// PostgreSQL, the truth for both directions.
import { createPage, setPixel } from '@faxgate/fax-core';
import { faxes, type Knex, mailboxes } from '@faxgate/store';
import type { FaxgateConfig } from '../config/schema.js';
import type { SelftestCheck } from './selftest.js';

/** Submits a fax as the selftest's actor; the caller routes it (pilot router) and queues it. */
export type SendTestFax = (
  mailboxId: number,
  number: string,
  pages: ReturnType<typeof createPage>[],
) => Promise<number>;

const DONE = new Set(['done']);
const ENDED = new Set(['done', 'failed', 'rejected', 'deleted']);

function testPage() {
  const page = createPage(1728, 300, 'fine');
  for (let y = 40; y < 260; y += 6) for (let x = 100; x < 1600; x += 3) setPixel(page, x, y, true);
  return page;
}

async function until<T>(deadline: number, read: () => Promise<T | undefined>): Promise<T | undefined> {
  for (;;) {
    const v = await read();
    if (v !== undefined || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function testCall(
  db: Knex,
  config: FaxgateConfig,
  send: SendTestFax | undefined,
): Promise<Omit<SelftestCheck, 'name' | 'ms'>> {
  const number = config.pilot.selftestNumber ?? config.pilot.testNumbers[0];
  if (!number) return { status: 'fail', detail: 'no test number (pilot.testNumbers)' };
  if (!config.pilot.selftestMailbox) {
    return { status: 'skipped', detail: 'pilot.selftestMailbox is not set: no test call through the line' };
  }
  if (!send) return { status: 'skipped', detail: 'this process has no send queue' };
  const box = (await mailboxes.list(db)).find((m) => m.name === config.pilot.selftestMailbox);
  if (box?.kind !== 'outgoing') {
    return {
      status: 'fail',
      detail: `pilot.selftestMailbox ${config.pilot.selftestMailbox} is not an outgoing mailbox`,
    };
  }
  const started = new Date(Date.now() - 1000);
  const deadline = Date.now() + config.pilot.selftestCallSeconds * 1000;
  const id = await send(box.id, number, [testPage()]);
  const out = await until(deadline, async () => {
    const f = await faxes.find(db, id);
    return f && ENDED.has(f.state) ? f : undefined;
  });
  if (!out)
    return {
      status: 'fail',
      detail: `fax ${id} to ${number} not sent within ${config.pilot.selftestCallSeconds} s`,
    };
  if (!DONE.has(out.state)) {
    return {
      status: 'fail',
      detail: `fax ${id} to ${number} ${out.state}: ${out.cause ?? ''} ${out.causeText ?? ''}`.trim(),
    };
  }
  const back = await until(deadline, async () => {
    const row = await db('faxes')
      .where({ direction: 'in', remote_number: number })
      .whereIn('state', ['received', 'delivered'])
      .where('created_at', '>=', started)
      .orderBy('id')
      .first('id');
    return row ?? undefined;
  });
  if (!back) {
    return {
      status: 'fail',
      detail: `fax ${id} sent to ${number} (${out.pagesDone} page), but no fax came back from it within ${config.pilot.selftestCallSeconds} s`,
    };
  }
  return { status: 'pass', detail: `fax ${id} sent to ${number}, fax ${back.id} received from it` };
}
