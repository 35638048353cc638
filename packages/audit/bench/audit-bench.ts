// npm run bench:audit — append and verify throughput of the audit chain on fresh databases
// (dropped afterwards), beside the targets they compete with and, measured in the same run,
// plain unchained inserts by the same writers (what the machine commits at all).
// The multi-writer append is measured twice in the same run, in alternating rounds with the
// plain anchor: "before" on a database migrated up to 0103 (a seal tried at every COMMIT),
// "after" on the current schema (0104: no seal in the commit path, the sealer chains
// committed events in batches; 0105: a BRIN index on time instead of a B-tree). Both run the daemon's sealer (every 200 ms) meanwhile, and
// the final seal of what is left is part of the measured time.
//   BENCH_APPEND_EVENTS  events of each multi-writer append run (default 10,000)
//   BENCH_VERIFY_EVENTS  chain length for the verify run (default 200,000)
//   BENCH_PROCESSES, BENCH_WRITERS  writer processes and connections per process (default 2 × 4)
//   BENCH_ROUNDS  alternating rounds of plain / before / after (default 2)
import { type Knex, migrate, openDatabase } from '@faxgate/store';
import { createTestDatabase, type TestDatabase } from '@faxgate/store/testing';
import { auditMigrations, migrateAll } from '../src/migrations/index.js';
import { countUnsealed, sealAuditTrail, startAuditSealer } from '../src/seal.js';
import { runAppendWorkers } from '../src/test-support/spawn-workers.js';
import { verifyAuditChain } from '../src/verify.js';

const APPEND_EVENTS = Number(process.env.BENCH_APPEND_EVENTS ?? 10_000);
const VERIFY_EVENTS = Number(process.env.BENCH_VERIFY_EVENTS ?? 200_000);
const PROCESSES = Number(process.env.BENCH_PROCESSES ?? 2);
const WRITERS = Number(process.env.BENCH_WRITERS ?? 4);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 2));
const APPEND_TARGET = 2_000;
const VERIFY_TARGET = 50_000;
const RATIO_TARGET = 0.8;

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const rows: string[][] = [];
const report = (what: string, value: number, unit: string, anchor: string, verdict: string) =>
  rows.push([what, `${fmt(value)} ${unit}`, anchor, verdict]);

const PLAIN_TABLE = `CREATE TABLE bench_plain (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  time timestamptz NOT NULL DEFAULT clock_timestamp(), actor text NOT NULL, details jsonb NOT NULL)`;

const db = await createTestDatabase('faxgate_bench');
const knex = openDatabase(db.url, { poolMax: 4 });
let dbBefore: TestDatabase | undefined;
let knexBefore: Knex | undefined;
try {
  await migrateAll(knex);
  // 0. Anchor: the same writers committing plain rows (no chain, no triggers) — what this
  //    machine commits at all right now; the chain's cost is the distance to it.
  await knex.raw(PLAIN_TABLE);
  dbBefore = await createTestDatabase('faxgate_bench_0103');
  knexBefore = openDatabase(dbBefore.url, { poolMax: 4 });
  await migrate(
    knexBefore,
    auditMigrations.filter((m) => m.name < '0104'),
  );

  const countEach = Math.ceil(APPEND_EVENTS / PROCESSES);
  const appended = countEach * PROCESSES;
  const plainRun = async () => {
    const { wallMs } = await runAppendWorkers(db.url, {
      processes: PROCESSES,
      countEach,
      writersEach: WRITERS,
      strategy: 'plain',
    });
    return wallMs;
  };
  // N writers in several processes, each event its own transaction, the daemon's sealer
  // running; then the final seal of what is left, in the measured time; then the chain checked.
  const chainRun = async (url: string, k: Knex) => {
    const before = Number((await k.raw('SELECT seq FROM audit_head')).rows[0].seq);
    const sealer = startAuditSealer(k, { intervalMs: 200 });
    let wallMs: number;
    try {
      ({ wallMs } = await runAppendWorkers(url, { processes: PROCESSES, countEach, writersEach: WRITERS }));
    } finally {
      await sealer.stop();
    }
    const left = await countUnsealed(k);
    const t = performance.now();
    await sealAuditTrail(k);
    const ms = wallMs + performance.now() - t;
    const v = await verifyAuditChain(k, { seal: false });
    const intact = v.ok && v.unsealed === 0 && v.lastSeq === before + appended;
    if (!intact) throw new Error(`chain broken after the append run: ${JSON.stringify(v)}`);
    return { ms, left };
  };
  const sum = { plain: 0, before: 0, after: 0, leftBefore: 0, leftAfter: 0 };
  for (let r = 0; r < ROUNDS; r++) {
    sum.plain += await plainRun();
    const b = await chainRun(dbBefore.url, knexBefore);
    sum.before += b.ms;
    sum.leftBefore += b.left;
    const a = await chainRun(db.url, knex);
    sum.after += a.ms;
    sum.leftAfter += a.left;
  }
  const rate = (ms: number) => ((appended * ROUNDS) / ms) * 1000;
  const plainRate = rate(sum.plain);
  const ratio = (ms: number) => rate(ms) / plainRate;
  const who = `${PROCESSES}×${WRITERS} writers`;
  report(`plain INSERT, no chain, ${who}`, plainRate, 'rows/s', 'machine anchor', `${ROUNDS} rounds`);
  report(
    `append before (0103), ${who}, 1 event/txn`,
    rate(sum.before),
    'events/s',
    `≥ ${RATIO_TARGET}× plain`,
    `ratio ${ratio(sum.before).toFixed(2)}× plain (${fmt(rate(sum.before))} vs ${fmt(plainRate)}), chain intact, ${sum.leftBefore} left for the final seals`,
  );
  report(
    `append after (0104+0105), ${who}, 1 event/txn`,
    rate(sum.after),
    'events/s',
    `≥ ${RATIO_TARGET}× plain`,
    `ratio ${ratio(sum.after).toFixed(2)}× plain (${fmt(rate(sum.after))} vs ${fmt(plainRate)}) ${ratio(sum.after) >= RATIO_TARGET ? 'MET' : 'NOT MET'}, chain intact, ${sum.leftAfter} left for the final seals`,
  );
  await knexBefore.destroy();
  knexBefore = undefined;
  await dbBefore.drop();
  dbBefore = undefined;

  {
    const before = (await knex.raw('SELECT seq FROM audit_head')).rows[0].seq as number;
    const { wallMs } = await runAppendWorkers(db.url, { processes: 1, countEach: 2000, writersEach: 1 });
    const t = performance.now();
    await sealAuditTrail(knex);
    const ms = wallMs + performance.now() - t;
    const v = await verifyAuditChain(knex, { seal: false });
    report(
      'append, 1 writer (+ final seal)',
      (2000 / ms) * 1000,
      'events/s',
      `target ≥ ${fmt(APPEND_TARGET)}`,
      v.ok && v.lastSeq === before + 2000 ? 'chain intact' : 'CHAIN BROKEN',
    );
  }

  // 2. Verify: build a long chain through the real path (multi-row inserts, 20,000 events per
  // transaction, sealed after), then verify it (nothing left to seal first).
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
  await sealAuditTrail(knex);
  const bulkMs = performance.now() - t0;
  report(
    'append, batched (2,000/insert, 20,000/txn, + seal)',
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
  await knexBefore?.destroy();
  await dbBefore?.drop();
  await knex.destroy();
  await db.drop();
}

const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i].length), 8));
const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join('  ');
console.log(line(['measure', 'ours', 'anchor', 'result']));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const r of rows) console.log(line(r));
