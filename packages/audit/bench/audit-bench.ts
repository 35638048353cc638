// npm run bench:audit — append and verify throughput of the audit chain on a fresh
// database (dropped afterwards), beside the targets they compete with and, measured in the
// same run, plain unchained inserts by the same writers (what the machine commits at all).
//   BENCH_APPEND_EVENTS  events of the multi-writer append runs (default 10,000)
//   BENCH_VERIFY_EVENTS  chain length for the verify run (default 200,000)
//   BENCH_PROCESSES, BENCH_WRITERS  writer processes and connections per process (default 2 × 4)
import { openDatabase } from '@faxgate/store';
import { createTestDatabase } from '@faxgate/store/testing';
import { migrateAll } from '../src/migrations/index.js';
import { countUnsealed, sealAuditTrail } from '../src/seal.js';
import { runAppendWorkers } from '../src/test-support/spawn-workers.js';
import { verifyAuditChain } from '../src/verify.js';

const APPEND_EVENTS = Number(process.env.BENCH_APPEND_EVENTS ?? 10_000);
const VERIFY_EVENTS = Number(process.env.BENCH_VERIFY_EVENTS ?? 200_000);
const PROCESSES = Number(process.env.BENCH_PROCESSES ?? 2);
const WRITERS = Number(process.env.BENCH_WRITERS ?? 4);
const APPEND_TARGET = 2_000;
const VERIFY_TARGET = 50_000;

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const rows: string[][] = [];
const report = (what: string, value: number, unit: string, anchor: string, verdict: string) =>
  rows.push([what, `${fmt(value)} ${unit}`, anchor, verdict]);

const db = await createTestDatabase('faxgate_bench');
const knex = openDatabase(db.url, { poolMax: 4 });
try {
  await migrateAll(knex);

  // 0. Anchor: the same writers committing plain rows (no chain, no triggers) — what this
  //    machine commits at all right now; the chain's cost is the distance to it.
  await knex.raw(`CREATE TABLE bench_plain (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    time timestamptz NOT NULL DEFAULT clock_timestamp(), actor text NOT NULL, details jsonb NOT NULL)`);
  let plainRate = 0;
  {
    const countEach = Math.ceil(APPEND_EVENTS / PROCESSES);
    const { wallMs } = await runAppendWorkers(db.url, {
      processes: PROCESSES,
      countEach,
      writersEach: WRITERS,
      strategy: 'plain',
    });
    plainRate = ((countEach * PROCESSES) / wallMs) * 1000;
    report(
      `plain INSERT, no chain, ${PROCESSES}×${WRITERS} writers`,
      plainRate,
      'rows/s',
      'machine anchor',
      '',
    );
  }

  // 1. Appends: N writers in several processes, each event its own transaction. Commits that
  //    find the chain head busy leave their events to the next seal; the final seal of what
  //    the last of them left is part of the measured time.
  {
    await knex.raw('SELECT 1'); // keep the pool warm
    const before = (await knex.raw('SELECT seq FROM audit_head')).rows[0].seq as number;
    const countEach = Math.ceil(APPEND_EVENTS / PROCESSES);
    const { wallMs } = await runAppendWorkers(db.url, {
      processes: PROCESSES,
      countEach,
      writersEach: WRITERS,
    });
    const left = await countUnsealed(knex);
    const t = performance.now();
    await sealAuditTrail(knex);
    const ms = wallMs + performance.now() - t;
    const appended = countEach * PROCESSES;
    const v = await verifyAuditChain(knex, { seal: false });
    const intact = v.ok && v.unsealed === 0 && v.lastSeq === before + appended;
    report(
      `append, ${PROCESSES}×${WRITERS} writers, 1 event/txn`,
      (appended / ms) * 1000,
      'events/s',
      `target ≥ ${fmt(APPEND_TARGET)}`,
      `${intact ? 'chain intact' : `CHAIN BROKEN: ${JSON.stringify(v)}`}, ${Math.round((100 * appended) / ms / (plainRate / 1000))}% of plain, ${left} left for the final seal`,
    );
  }
  {
    const before = (await knex.raw('SELECT seq FROM audit_head')).rows[0].seq as number;
    const { wallMs } = await runAppendWorkers(db.url, { processes: 1, countEach: 2000, writersEach: 1 });
    const v = await verifyAuditChain(knex);
    report(
      'append, 1 writer',
      (2000 / wallMs) * 1000,
      'events/s',
      `target ≥ ${fmt(APPEND_TARGET)}`,
      v.ok && v.lastSeq === before + 2000 ? 'chain intact' : 'CHAIN BROKEN',
    );
  }

  // 2. Verify: build a long chain through the real path (multi-row inserts, sealed at
  // commit, 20,000 events per transaction), then verify it (nothing left to seal first).
  const startSeq = (await knex.raw('SELECT seq FROM audit_head')).rows[0].seq as number;
  let t0 = performance.now();
  for (let done = 0; done < VERIFY_EVENTS; ) {
    const n = Math.min(20_000, VERIFY_EVENTS - done);
    await knex.transaction(async (trx) => {
      for (let i = 0; i < n; i += 2000) {
        const chunk = Array.from({ length: Math.min(2000, n - i) }, (_, k) => {
          const j = done + i + k;
          return {
            type: 'send.page',
            actor: 'bench',
            actor_id: 1,
            subject: `fax:${j}`,
            mailbox_id: 2,
            fax_id: j,
            details: JSON.stringify({ page: j % 30, pages: 30, line: `c1/b${j % 2}`, result: 'ok' }),
          };
        });
        await trx('audit_events').insert(chunk);
      }
    });
    done += n;
  }
  const bulkMs = performance.now() - t0;
  report(
    'append, batched (2,000/insert, 20,000/txn)',
    (VERIFY_EVENTS / bulkMs) * 1000,
    'events/s',
    `target ≥ ${fmt(APPEND_TARGET)}`,
    '',
  );
  const seq = (await knex.raw('SELECT seq FROM audit_head')).rows[0].seq as number;
  if (seq !== startSeq + VERIFY_EVENTS)
    throw new Error(`chain head at ${seq}, expected ${startSeq + VERIFY_EVENTS}`);
  await knex.raw('VACUUM ANALYZE audit_events');
  const total = seq;
  // Read-only scan of the same rows in the same batches: the I/O floor verification sits on.
  t0 = performance.now();
  for (let after = 0; ; ) {
    const { rows: r } = await knex.raw(
      `SELECT seq, to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS t, type, actor, actor_id, subject,
              mailbox_id, fax_id, details::text AS details, prev_hash, hash FROM audit_events WHERE seq > ? ORDER BY seq LIMIT 10000`,
      [after],
    );
    if (r.length === 0) break;
    after = r[r.length - 1].seq;
  }
  const scanMs = performance.now() - t0;
  t0 = performance.now();
  const v = await verifyAuditChain(knex, { batch: 10_000, seal: false });
  const verifyMs = performance.now() - t0;
  report(
    `verify, ${fmt(total)}-event chain`,
    (v.checked / verifyMs) * 1000,
    'events/s',
    `target ≥ ${fmt(VERIFY_TARGET)}`,
    v.ok && v.checked === total ? 'ok' : `FAILED: ${JSON.stringify(v.firstBad)}`,
  );
  report('  (read-only scan, same query)', (total / scanMs) * 1000, 'rows/s', 'floor for verify', '');
} finally {
  await knex.destroy();
  await db.drop();
}

const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i].length), 8));
const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join('  ');
console.log(line(['measure', 'ours', 'anchor', 'result']));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const r of rows) console.log(line(r));
