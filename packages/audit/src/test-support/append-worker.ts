// A separate process that appends audit events: `node --conditions=development --import tsx
// append-worker.ts <url> <count> <writers> <chain|plain> <tag>`. Prints "ready", waits for a
// line on stdin (so that several workers start together), appends `count` events with
// `writers` concurrent connections, each event in a transaction of its own, then prints
// one JSON line with what it did.
import { createInterface } from 'node:readline';
import { openDatabase } from '@faxgate/store';
import { appendAuditEvent } from '../append.js';

const [url, countArg, writersArg, strategyArg, tag] = process.argv.slice(2);
const count = Number(countArg);
const writers = Number(writersArg ?? 1);
// 'plain' inserts into bench_plain (no chain): the benchmark's anchor for what the machine commits at all.
const strategy = (strategyArg ?? 'chain') as 'chain' | 'plain';
const knex = openDatabase(url, {
  poolMax: writers,
  poolMin: writers,
  applicationName: `audit-worker-${tag}`,
});

// Open the connections before the start signal.
await Promise.all(Array.from({ length: writers }, () => knex.raw('SELECT 1')));
process.stdout.write('ready\n');
const rl = createInterface({ input: process.stdin });
await new Promise<void>((resolve) => rl.once('line', () => resolve()));
rl.close();

let next = 0;
const started = performance.now();
async function writer(w: number): Promise<void> {
  for (;;) {
    const i = next++;
    if (i >= count) return;
    const details = { tag, writer: w, i };
    await knex.transaction((trx) =>
      strategy === 'plain'
        ? trx.raw('INSERT INTO bench_plain (actor, details) VALUES (?, ?::jsonb)', [
            `worker-${tag}`,
            JSON.stringify(details),
          ])
        : appendAuditEvent(trx, { type: 'send.page', actor: `worker-${tag}`, faxId: i + 1, details }),
    );
  }
}
await Promise.all(Array.from({ length: writers }, (_, w) => writer(w)));
const ms = performance.now() - started;
await knex.destroy();
process.stdout.write(`${JSON.stringify({ tag, appended: count, ms })}\n`);
