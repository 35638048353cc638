// 1,000 calls aborted at random points (socket closed, DISCONNECT_REQ, line drop, garbage),
// outgoing and incoming: the simulator never crashes and every B channel and PLCI is free after.
import type { CapiMessage } from '@faxgate/capi-bindings';
import { writeSff } from '@faxgate/fax-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../simulator.js';
import { TestClient } from '../test-support/client.js';
import { FAX_B, testPage } from '../test-support/fax-app.js';
import { waitFor } from '../test-support/wait.js';

const CALLS = Number(process.env.CHAOS_CALLS ?? 1000);
const PARALLEL = 12;
let sim: Simulator;
let seed = 4242;
const rnd = () => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed >>> 4;
};
const SFF = writeSff([testPage(1, 60), testPage(2, 40)]);
const TARGETS = [
  '5551000',
  '5551001',
  '5551002',
  '5551003',
  '5552000',
  '5552002',
  '5553000',
  '5554000',
  '999',
];

beforeAll(async () => {
  sim = await startSimulator({
    controllers: [1, 2, 3, 4].map((i) => ({ bChannels: 30, msns: [`${i}00`] })),
    traceSize: 0,
  });
});
afterAll(() => sim.close());

/** Plays one call, answering everything, and aborts it after `abortAt` received messages. */
async function chaoticCall(): Promise<void> {
  const c = await TestClient.register(sim.port, 2, 7, 512);
  const incoming = rnd() % 3 === 0;
  const abortAt = rnd() % 14;
  const mode = rnd() % 4; // 0 close, 1 DISCONNECT_REQ, 2 line drop, 3 garbage frame
  const ctrl = 1 + (rnd() % 4);
  let steps = 0;
  let plci = 0;
  let ncci = 0;
  let sent = 0;
  let confirmed = 0;
  let aborted = false;
  let disconnecting = false;
  const blocks: Uint8Array[] = [];
  for (let o = 0; o < SFF.length; o += 512) blocks.push(SFF.subarray(o, o + 512));

  let callDone: Promise<unknown> = Promise.resolve();
  if (incoming) {
    await c.request({ name: 'LISTEN_REQ', controller: ctrl, infoMask: 0, cipMask: 0x10 }, 'LISTEN_CONF');
    callDone = sim.injectCall({ from: '1', to: `${ctrl}00`, document: SFF });
  } else {
    const conf = await c.request(
      {
        name: 'CONNECT_REQ',
        controller: ctrl,
        cipValue: 4,
        calledPartyNumber: { typePlan: 0x80, digits: TARGETS[rnd() % TARGETS.length] },
        bProtocol: FAX_B,
      },
      'CONNECT_CONF',
    );
    plci = conf.plci;
  }
  for (;;) {
    let m: CapiMessage;
    try {
      m = await c.nextWhere(() => true);
    } catch {
      break; // closed
    }
    steps++;
    if (!aborted && steps > abortAt) {
      aborted = true;
      if (mode === 0) break;
      if (mode === 2) sim.dropLines(ctrl);
      if (mode === 3) {
        c.raw(Buffer.from([0x00, 0x05, 1, 2, 3]));
        break;
      }
      if (mode === 1 && plci && !disconnecting) {
        disconnecting = true;
        c.send({ name: 'DISCONNECT_REQ', plci });
      }
    }
    switch (m.name) {
      case 'CONNECT_IND':
        plci = m.plci;
        c.send({ name: 'CONNECT_RESP', plci, reject: 0, bProtocol: FAX_B });
        break;
      case 'CONNECT_ACTIVE_IND':
        c.send({ name: 'CONNECT_ACTIVE_RESP', plci });
        if (!incoming && !disconnecting) c.send({ name: 'CONNECT_B3_REQ', plci });
        break;
      case 'CONNECT_B3_IND':
        ncci = m.ncci;
        c.send({ name: 'CONNECT_B3_RESP', ncci, reject: 0 });
        break;
      case 'CONNECT_B3_CONF':
        ncci = m.ncci;
        break;
      case 'CONNECT_B3_ACTIVE_IND':
        c.send({ name: 'CONNECT_B3_ACTIVE_RESP', ncci });
        if (!incoming)
          for (; sent < blocks.length; sent++)
            c.send({ name: 'DATA_B3_REQ', ncci, data: blocks[sent], dataHandle: sent });
        break;
      case 'DATA_B3_CONF':
        confirmed++;
        if (confirmed === blocks.length && !disconnecting) c.send({ name: 'DISCONNECT_B3_REQ', ncci });
        break;
      case 'DATA_B3_IND':
        c.send({ name: 'DATA_B3_RESP', ncci: m.ncci, dataHandle: m.dataHandle });
        break;
      case 'DISCONNECT_B3_IND':
        c.send({ name: 'DISCONNECT_B3_RESP', ncci: m.ncci });
        if (!disconnecting && !incoming) {
          disconnecting = true;
          c.send({ name: 'DISCONNECT_REQ', plci });
        }
        break;
      case 'DISCONNECT_IND':
        c.send({ name: 'DISCONNECT_RESP', plci: m.plci });
        await c.close();
        break;
      default:
        break;
    }
    if (c.closed) break;
  }
  await c.close();
  await callDone;
}

it(`recovers every B channel and PLCI after ${CALLS} randomly aborted calls`, async () => {
  let started = 0;
  const worker = async () => {
    while (started < CALLS) {
      started++;
      await chaoticCall();
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  await waitFor(() => sim.counters.connections.open === 0, 10_000, 'all connections closed');
  expect(sim.channelsBusy()).toEqual([0, 0, 0, 0]);
  expect(sim.plcisInUse()).toEqual([0, 0, 0, 0]);
  const c = sim.counters;
  const total =
    Object.values(c.calls.outgoing).reduce((a, b) => a + b, 0) +
    Object.values(c.calls.incoming).reduce((a, b) => a + b, 0);
  expect(total).toBe(CALLS);
  // The random aborts must have hit several phases, not one.
  expect(Object.keys(c.calls.outgoing).length + Object.keys(c.calls.incoming).length).toBeGreaterThanOrEqual(
    6,
  );
  if (process.env.CHAOS_VERBOSE) console.log(c.calls);
  // Still serving: a fresh client completes a fax.
  const probe = await TestClient.connect(sim.port);
  expect((await probe.func(0xfe)).length).toBe(17);
  await probe.close();
});
