// npm run bench:sim — call set-ups per second from one client against 4 controllers × 30 B
// channels at time factor 0, and the simulator's CPU per call (process.cpuUsage of its own
// process). Anchor: the 500 set-ups/s target.
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CapiMessage } from '@faxgate/capi-bindings';
import { writeSff } from '@faxgate/fax-core';
import { TestClient } from '../src/test-support/client.js';
import { FAX_B, testPage } from '../src/test-support/fax-app.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const TARGET = 500;

const child = fork(path.join(here, 'sim-process.ts'), [], {
  execArgv: ['--conditions=development', '--import', 'tsx'],
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
const ask = <T>(msg: object): Promise<T> =>
  new Promise((resolve) => {
    child.once('message', (m) => resolve(m as T));
    if (Object.keys(msg).length) child.send(msg);
  });
const { port } = await ask<{ port: number }>({});

interface Row {
  scenario: string;
  calls: number;
  seconds: number;
  perSecond: number;
  cpuUsPerCall: number;
}

/** Keeps `parallel` calls in flight on one connection for `seconds`; `fax` adds a 1-page fax. */
async function run(scenario: string, parallel: number, fax: boolean): Promise<Row> {
  const c = await TestClient.register(port, parallel, 7, 2048);
  const sff = writeSff([testPage(1, 100)]);
  const controllers = [1, 2, 3, 4];
  let done = 0;
  let failed = 0;
  let stop = false;
  let inFlight = 0;
  let rr = 0;
  const ncciPlci = new Map<number, number>();
  const start = (): void => {
    if (stop) return;
    inFlight++;
    const ctrl = controllers[rr++ % 4];
    c.send({
      name: 'CONNECT_REQ',
      controller: ctrl,
      cipValue: 4,
      calledPartyNumber: { typePlan: 0x80, digits: '5551000' },
      bProtocol: FAX_B,
    });
  };
  let finished: () => void = () => {};
  const drained = new Promise<void>((r) => (finished = r));
  c.handler = (m: CapiMessage) => {
    switch (m.name) {
      case 'CONNECT_CONF':
        if (m.info !== 0) {
          failed++;
          inFlight--;
          setImmediate(start);
        }
        break;
      case 'CONNECT_ACTIVE_IND':
        c.send({ name: 'CONNECT_ACTIVE_RESP', plci: m.plci });
        if (fax) c.send({ name: 'CONNECT_B3_REQ', plci: m.plci });
        else c.send({ name: 'DISCONNECT_REQ', plci: m.plci });
        break;
      case 'CONNECT_B3_CONF':
        ncciPlci.set(m.ncci, m.ncci & 0xffff);
        break;
      case 'CONNECT_B3_ACTIVE_IND':
        c.send({ name: 'CONNECT_B3_ACTIVE_RESP', ncci: m.ncci });
        c.send({ name: 'DATA_B3_REQ', ncci: m.ncci, data: sff, dataHandle: 1 });
        break;
      case 'DATA_B3_CONF':
        c.send({ name: 'DISCONNECT_B3_REQ', ncci: m.ncci });
        break;
      case 'DISCONNECT_B3_IND':
        if (m.reasonB3 !== 0) failed++;
        c.send({ name: 'DISCONNECT_B3_RESP', ncci: m.ncci });
        c.send({ name: 'DISCONNECT_REQ', plci: m.ncci & 0xffff });
        break;
      case 'DISCONNECT_IND':
        c.send({ name: 'DISCONNECT_RESP', plci: m.plci });
        if (m.reason !== 0x3490) failed++;
        done++;
        inFlight--;
        if (stop && inFlight === 0) finished();
        start();
        break;
      default:
        break;
    }
  };
  const cpu0 = (await ask<{ cpu: NodeJS.CpuUsage }>({ cmd: 'cpu' })).cpu;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < parallel; i++) start();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  stop = true;
  const countedDone = done;
  const t1 = process.hrtime.bigint();
  if (inFlight > 0) await drained;
  const cpu1 = (await ask<{ cpu: NodeJS.CpuUsage }>({ cmd: 'cpu' })).cpu;
  await c.close();
  if (failed) throw new Error(`${scenario}: ${failed} calls failed`);
  const seconds = Number(t1 - t0) / 1e9;
  const cpuUs = cpu1.user + cpu1.system - cpu0.user - cpu0.system;
  return {
    scenario,
    calls: countedDone,
    seconds,
    perSecond: countedDone / seconds,
    cpuUsPerCall: cpuUs / done,
  };
}

const rows = [
  await run('set-up + clear (CONNECT … DISCONNECT), 120 in flight', 120, false),
  await run('1-page fax call (set-up, B3, SFF, clear), 120 in flight', 120, true),
];
child.send({ cmd: 'exit' });

const fmt = (n: number, d = 0) => n.toFixed(d).padStart(9);
console.log(`\ncapi-sim, 4 controllers × 30 B channels, time factor 0, one client, ${SECONDS} s per row\n`);
console.log('| scenario | calls | calls/s | anchor: target | sim CPU µs/call |');
console.log('|---|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(
    `| ${r.scenario} | ${r.calls} | ${fmt(r.perSecond)} | ${TARGET}/s | ${fmt(r.cpuUsPerCall, 1)} |`,
  );
}
console.log(
  `\n(sim CPU per call = user+system time of the simulator process / calls; node ${process.version})`,
);
