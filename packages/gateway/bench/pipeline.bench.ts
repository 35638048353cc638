import { EventEmitter } from 'node:events';
import { parseArgs } from 'node:util';
import type { PartyBehaviour } from '@faxgate/capi-sim';
import { createGatewayLogger } from '../src/logger.js';
import { startPipeline } from '../src/pipeline/pipeline.js';
import { submitFax } from '../src/pipeline/submit.js';
import { benchSetup, ccittPage1Tiff } from './bench-setup.js';
import { seedBenchWorld } from './bench-world.js';
import { cpuPer, cpuSnapshot } from './cpu.js';
import { startSimProcess } from './sim-process.js';

const { values } = parseArgs({
  options: {
    faxes: { type: 'string', default: '1000' },
    queued: { type: 'string', default: '10000' },
    seconds: { type: 'string', default: '5' },
  },
});
const N = Number(values.faxes);
const QUEUED = Number(values.queued);
const SECONDS = Number(values.seconds);
const NUMBERS = 600; // distinct destinations: one number is never dialled twice at once

const parties: Record<string, PartyBehaviour> = {};
for (let i = 0; i < NUMBERS; i++) parties[String(5600000 + i)] = { kind: 'fax', csi: `BENCH ${i}` };

const sim = await startSimProcess({ timeFactor: 0, parties, controllers: 2, bChannels: 30 });
const { db, config, cleanUp } = await benchSetup({
  name: 'pipeline',
  simPort: sim.port,
  controllers: 2,
  queue: {},
});
// Round trips to PostgreSQL per fax: each is a message exchange both processes pay for.
let queries = 0;
db.on('query', () => {
  queries++;
});
const simEvents = new EventEmitter();
sim.onCall((c) => simEvents.emit('call', c));
const { user, out, router } = await seedBenchWorld(db);
const pipeline = await startPipeline({
  config,
  db,
  log: createGatewayLogger(config, 'bench'),
  actor: 'gateway:bench',
  worker: true,
});
const tiff = ccittPage1Tiff();
const ctx = { db, queue: pipeline.queue, router, settings: pipeline.settings };
let seq = 0;
const submitOne = (sendAt?: Date) =>
  submitFax(ctx, {
    actor: user.id,
    mailboxId: out.id,
    number: String(5600000 + (seq++ % NUMBERS)),
    tiff,
    sendAt,
  });

const TERMINAL = ['done', 'failed', 'rejected', 'suspended'];
async function waitAllTerminal(ids: number[], boundMs = 300_000): Promise<void> {
  const end = Date.now() + boundMs;
  for (;;) {
    if (Date.now() > end) throw new Error(`faxes not terminal after ${boundMs / 1000} s`);
    const left = Number(
      (await db('faxes').whereIn('id', ids).whereNotIn('state', TERMINAL).count({ n: '*' }))[0].n,
    );
    if (left === 0) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

try {
  // 1. Throughput: N faxes submitted by 16 concurrent clients, until every one is terminal.
  const t0 = performance.now();
  // The pool's backends: warmed up by now (16 submitters, the worker), they live for the run.
  const backends = async () =>
    (await db.raw('SELECT pid FROM pg_stat_activity WHERE datname = current_database()')).rows.map(
      (r: { pid: number }) => Number(r.pid),
    );
  const cpu0 = cpuSnapshot(sim.pid, await backends());
  const q0count = queries;
  const ids: number[] = [];
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (ids.length < N) {
        const slot = ids.length;
        ids.push(-1);
        ids[slot] = (await submitOne()).fax.id;
      }
    }),
  );
  const submitted = performance.now();
  await waitAllTerminal(ids);
  const t1 = performance.now();
  const cpu = cpuPer(cpu0, cpuSnapshot(sim.pid, await backends()), N);
  const queriesPerFax = (queries - q0count) / N;
  const rate = N / ((t1 - t0) / 1000);
  const notDone = Number(
    (await db('faxes').whereIn('id', ids).whereNot({ state: 'done' }).count({ n: '*' }))[0].n,
  );

  // 2. Latency submit → CONNECT_REQ at half that rate (each destination number at most once in flight).
  // The simulator stamps each call with Date.now() at its CONNECT_REQ (CallRecord.startedAt).
  const dialledAt = new Map<string, number>();
  const onCall = (c: { to: string; startedAt: number; direction: string }) => {
    if (c.direction === 'outgoing' && !dialledAt.has(c.to)) dialledAt.set(c.to, c.startedAt);
  };
  simEvents.on('call', onCall);
  const latencies: number[] = [];
  const halfRate = Math.max(1, rate / 2);
  const count = Math.min(NUMBERS, Math.round(halfRate * SECONDS));
  const lat: { number: string; at: number; id: number }[] = [];
  seq = 0;
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const due = start + (i * 1000) / halfRate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const number = String(5600000 + (seq % NUMBERS));
    const at = Date.now();
    const r = await submitOne();
    lat.push({ number, at, id: r.fax.id });
  }
  await waitAllTerminal(lat.map((l) => l.id));
  simEvents.off('call', onCall);
  for (const l of lat) {
    const d = dialledAt.get(l.number);
    if (d !== undefined) latencies.push(d - l.at);
  }
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];

  // 3. RSS with QUEUED faxes waiting (send time tomorrow: accepted, stored, queued, not dialled).
  const tomorrow = new Date(Date.now() + 86_400_000);
  const q0 = performance.now();
  let queuedCount = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (queuedCount < QUEUED) {
        queuedCount++;
        await submitOne(tomorrow);
      }
    }),
  );
  const q1 = performance.now();
  global.gc?.();
  const rss = process.memoryUsage().rss / 2 ** 20;
  const jobCounts = await pipeline.queue.getJobCounts('delayed');
  const pending = Number((await db('faxes').where({ state: 'pending' }).count({ n: '*' }))[0].n);

  const row = (what: string, ours: string, anchor: string) =>
    console.log(`${what.padEnd(44)} ${ours.padStart(14)}   ${anchor}`);
  console.log(
    `\nbench:pipeline — capi-sim (own process) time factor 0, 2 × 30 B channels, CCITT page 1 as MMR TIFF (${tiff.length} bytes), ${NUMBERS} numbers`,
  );
  row('', 'faxgate', 'anchor (issue 8 target)');
  row(`sustained faxes/s, submit → terminal (${N})`, rate.toFixed(1), '≥ 100/s');
  row('  of which submit phase alone', `${(N / ((submitted - t0) / 1000)).toFixed(1)}/s`, '');
  row('  not done (should be 0)', String(notDone), '0');
  const ms = (x: number) => `${x.toFixed(1)} ms`;
  row('  CPU per fax: gateway process', ms(cpu.self), '');
  row(
    '  CPU per fax: simulator / PostgreSQL backends / Redis',
    `${ms(cpu.sim)} / ${ms(cpu.postgres)} / ${ms(cpu.redis)}`,
    '',
  );
  row('  CPU per fax: whole machine (2 cores)', ms(cpu.machine), '≤ 20 ms for 100/s');
  row('  PostgreSQL queries per fax', queriesPerFax.toFixed(1), '');
  row(
    `submit → CONNECT_REQ p50 at ${halfRate.toFixed(0)}/s (${latencies.length})`,
    `${pct(50).toFixed(1)} ms`,
    '',
  );
  row('submit → CONNECT_REQ p99', `${pct(99).toFixed(1)} ms`, '≤ 50 ms');
  row(`RSS with ${QUEUED} faxes queued (gateway process)`, `${rss.toFixed(0)} MB`, '≤ 300 MB');
  row('  queue submit rate', `${(QUEUED / ((q1 - q0) / 1000)).toFixed(1)}/s`, '');
  row('  delayed jobs in Redis / pending rows', `${jobCounts.delayed} / ${pending}`, 'equal');
} finally {
  await pipeline.stop();
  sim.stop();
  await cleanUp();
}
