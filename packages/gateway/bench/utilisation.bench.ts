import fs from 'node:fs';
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { PartyBehaviour } from '@faxgate/capi-sim';
import { createGatewayLogger } from '../src/logger.js';
import { startPipeline } from '../src/pipeline/pipeline.js';
import { submitFax } from '../src/pipeline/submit.js';
import { type FaxWorker, startFaxWorker } from '../src/pipeline/worker.js';
import { type ChannelCall, channelUtilisation, percentile } from '../src/test-support/channel-gaps.js';
import { benchSetup, ccittPage1Tiff } from './bench-setup.js';
import { seedBenchWorld } from './bench-world.js';
import { cpuPer, cpuSnapshot } from './cpu.js';
import { type SimCall, startSimProcess } from './sim-process.js';

const { values } = parseArgs({
  options: {
    faxes: { type: 'string', default: '1200' },
    'time-factor': { type: 'string', default: '0.02' },
    channels: { type: 'string', default: '8' },
    controllers: { type: 'string', default: '2' },
    dump: { type: 'string' },
  },
});
const N = Number(values.faxes);
const TIME_FACTOR = Number(values['time-factor']);
const CHANNELS = Number(values.channels);
const CONTROLLERS = Number(values.controllers);
const GAP_LIMIT_MS = 50;

const parties: Record<string, PartyBehaviour> = {};
for (let i = 0; i < N; i++) parties[String(5600000 + i)] = { kind: 'fax', csi: `BENCH ${i}` };

const sim = await startSimProcess({
  timeFactor: TIME_FACTOR,
  parties,
  controllers: CONTROLLERS,
  bChannels: CHANNELS,
});
const calls: SimCall[] = [];
sim.onCall((c) => {
  if (c.direction === 'outgoing') calls.push(c);
});

const { db, config, cleanUp } = await benchSetup({
  name: 'utilisation',
  simPort: sim.port,
  controllers: CONTROLLERS,
  // Every channel usable for sending: the bench measures how well they are kept busy.
  queue: { receiveReserve: 0 },
});
const { user, out, router } = await seedBenchWorld(db);
const log = createGatewayLogger(config, 'bench');
// Queue and reconciler only: the backlog is complete before the first dial.
const pipeline = await startPipeline({ config, db, log, actor: 'gateway:bench', worker: false });
const tiff = ccittPage1Tiff();
const ctx = { db, queue: pipeline.queue, router, settings: pipeline.settings };

const TERMINAL = ['done', 'failed', 'rejected', 'suspended'];
// Where the CPU went while the backlog was worked off: the gap is gateway work on 2 shared cores.
const snapshot = () => ({
  at: performance.now(),
  cpu: cpuSnapshot(sim.pid),
  elu: performance.eventLoopUtilization(),
});
let worker: FaxWorker | undefined;
try {
  const ids: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < N) {
        const number = String(5600000 + next++);
        const r = await submitFax(ctx, { actor: user.id, mailboxId: out.id, number, tiff });
        ids.push(r.fax.id);
      }
    }),
  );
  const workerStart = Date.now();
  const cpu0 = snapshot();
  // Each turnover is a chain of DB and Redis round trips; their replies wait for this loop.
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  worker = await startFaxWorker({ config, db, log, actor: 'gateway:bench' });
  const usable = worker.pool.usable;
  const channels = worker.pool.controllers.flatMap((c) =>
    Array.from({ length: c.channels }, (_, b) => `c${c.controller}/b${b + 1}`),
  );
  if (usable !== channels.length)
    throw new Error(`receiveReserve left ${usable} of ${channels.length} channels`);
  for (;;) {
    const left = Number(
      (await db('faxes').whereIn('id', ids).whereNotIn('state', TERMINAL).count({ n: '*' }))[0].n,
    );
    if (left === 0) break;
    if (Date.now() - workerStart > 600_000) throw new Error(`${left} faxes not terminal after 600 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const workerEnd = Date.now();
  const cpu1 = snapshot();
  loopDelay.disable();
  // The last call record may still be on its way through the simulator's stdout.
  await new Promise((r) => setTimeout(r, 200));
  const notDone = Number(
    (await db('faxes').whereIn('id', ids).whereNot({ state: 'done' }).count({ n: '*' }))[0].n,
  );

  const measured: ChannelCall[] = calls.map((c) => {
    if (c.bChannel === undefined) throw new Error(`call to ${c.to} got no B channel (${c.outcome})`);
    return { channel: `c${c.controller}/b${c.bChannel}`, startedAt: c.startedAt, endedAt: c.endedAt };
  });
  const r = channelUtilisation(measured, channels);
  // --dump FILE: the call records (JSON) for a closer look at where the gaps fall.
  if (values.dump) fs.writeFileSync(values.dump, JSON.stringify({ workerStart, calls }));
  const span = r.windowEnd - r.windowStart;
  const over = r.gaps.filter((g) => g > GAP_LIMIT_MS).length;
  const durations = calls.map((c) => c.endedAt - c.startedAt).sort((a, b) => a - b);
  const pct = (x: number) => `${(100 * x).toFixed(2)} %`;
  const ms = (x: number) => `${x.toFixed(0)} ms`;
  const row = (what: string, ours: string, target: string) =>
    console.log(`${what.padEnd(50)} ${ours.padStart(12)}   ${target}`);

  console.log(
    `\nbench:utilisation — capi-sim (own process) time factor ${TIME_FACTOR}, ${CONTROLLERS} × ${CHANNELS} B channels, receiveReserve 0, ${N} faxes queued up front (distinct numbers), CCITT page 1 as MMR TIFF`,
  );
  row('', 'faxgate', 'target (issue 8)');
  row(`calls (${notDone} not done)`, String(calls.length), `${N}, 0 not done`);
  row('call duration CONNECT_REQ → line cleared, p50', ms(percentile(durations, 50)), '');
  row(`backlog window (first → last CONNECT_REQ)`, `${(span / 1000).toFixed(1)} s`, '');
  row('worker start → first CONNECT_REQ', ms(r.windowStart - workerStart), '');
  row('ramp: first CONNECT_REQ → every channel in use', ms(r.steadyStart - r.windowStart), '');
  row(`utilisation, busy / (${usable} channels × window)`, pct(r.utilisation), '≥ 99 %');
  row('  the same after the ramp', pct(r.steadyUtilisation), '≥ 99 %');
  row(`idle gaps while jobs waited (${r.gaps.length})  p50`, ms(percentile(r.gaps, 50)), '');
  row('  p99', ms(percentile(r.gaps, 99)), '');
  row('  max', ms(r.gaps.at(-1) ?? 0), `≤ ${GAP_LIMIT_MS} ms`);
  row(`  gaps > ${GAP_LIMIT_MS} ms`, String(over), '0');
  row(
    'faxes/s while the backlog lasted',
    ((calls.length * 1000) / (workerEnd - r.windowStart)).toFixed(1),
    '',
  );
  const wall = cpu1.at - cpu0.at;
  const used = cpuPer(cpu0.cpu, cpu1.cpu, 1);
  const cores = os.cpus().length;
  row('CPU while working it off: gateway process', pct(used.self / wall), 'of one core');
  row('  its event loop busy', pct(performance.eventLoopUtilization(cpu1.elu, cpu0.elu).utilization), '');
  const lag = (p: number) => Math.max(0, loopDelay.percentile(p) / 1e6 - 5);
  row(
    '  its event loop delay p50 / p99 / max',
    `${lag(50).toFixed(1)} / ${lag(99).toFixed(1)} / ${Math.max(0, loopDelay.max / 1e6 - 5).toFixed(0)} ms`,
    '',
  );
  row('  simulator process', pct(used.sim / wall), 'of one core');
  row(`  whole machine (${cores} cores, shared)`, pct(used.machine / wall / cores), 'of all cores');
  console.log('\nper channel: calls, max / p99 idle gap (ms), ramp (ms)');
  const cells = r.channels.map(
    (c) =>
      `${c.channel.padEnd(7)} ${String(c.calls).padStart(4)} ${ms(c.maxGap).padStart(7)} / ${ms(c.p99Gap).padStart(6)}  ${ms(c.rampMs).padStart(6)}`,
  );
  for (let i = 0; i < cells.length; i += 2)
    console.log(`  ${cells[i]}${cells[i + 1] ? `    ${cells[i + 1]}` : ''}`);
} finally {
  await worker?.stop();
  await pipeline.stop();
  sim.stop();
  await cleanUp();
}
