/**
 * npm run bench:capi, part 2 — capi-bindings' transports against capi-sim at zero line delay
 * (timeFactor 0), rcapi (pure TypeScript) and native (libcapi20 addon) side by side against
 * one simulator in the same run:
 * - LISTEN_REQ → LISTEN_CONF round trip, sequential;
 * - complete one-page fax calls per second, one at a time and 30 in flight.
 * Part 1 (the codec) is capi-bindings/bench/capi.bench.ts.
 */
import { rmSync } from 'node:fs';
import {
  CapiSession,
  type CapiTransport,
  NativeTransport,
  RcapiTransport,
  sendFax,
} from '@faxgate/capi-bindings';
import { capiHome } from '@faxgate/capi-bindings/test-support';
import { createPage, setPixel, writeSff } from '@faxgate/fax-core';
import { startSimulator } from '../src/simulator.js';

const quick = process.argv.includes('--quick');
const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
const fmt = (n: number, d = 2) => n.toFixed(d);

const sim = await startSimulator({
  timeFactor: 0,
  traceSize: 0,
  controllers: [
    { bChannels: 30, msns: ['3001'] },
    { bChannels: 30, msns: [], ddi: [{ from: '4000', to: '4099' }] },
  ],
});
const page = createPage(1728, 200, 'fine');
for (let y = 0; y < 200; y += 3) for (let x = 100; x < 1600; x += 7) setPixel(page, x, y, true);
const sff = writeSff([page]);

interface Figures {
  rtUs: number;
  seqRate: number;
  parRate: number;
}

async function measure(transport: CapiTransport): Promise<Figures> {
  const session = await CapiSession.open(transport);
  const second = await CapiSession.open(transport);
  const rtN = quick ? 500 : 5000;
  for (let i = 0; i < 200; i++) await session.listen(1, 0);
  let t0 = performance.now();
  for (let i = 0; i < rtN; i++) await session.listen(1, 0);
  const rtUs = ((performance.now() - t0) * 1000) / rtN;

  const one = (s: CapiSession, controller: number) =>
    sendFax(s, { controller, calledNumber: '5551000', stationId: '+49 30 1', sff }).then((r) => {
      if (!r.ok) throw new Error(`fax failed: ${r.cause.name}`);
    });
  const runMs = quick ? 1000 : 4000;
  let seqCalls = 0;
  t0 = performance.now();
  while (performance.now() - t0 < runMs) {
    await one(session, 1);
    seqCalls++;
  }
  const seqRate = (seqCalls * 1000) / (performance.now() - t0);
  let parCalls = 0;
  t0 = performance.now();
  const deadline = t0 + runMs;
  await Promise.all(
    Array.from({ length: 30 }, async (_, i) => {
      while (performance.now() < deadline) {
        await one(i % 2 ? second : session, 1 + (i % 2));
        parCalls++;
      }
    }),
  );
  const parRate = (parCalls * 1000) / (performance.now() - t0);
  await second.close();
  await session.close();
  await transport.close();
  return { rtUs, seqRate, parRate };
}

const rcapi = await measure(new RcapiTransport({ port: sim.port }));
let native: Figures | undefined;
const home = capiHome(sim.port);
try {
  process.env.HOME = home; // libcapi20 reads $HOME/.capi20rc at its first call
  native = await measure(new NativeTransport());
} catch (e) {
  console.error(`native transport unavailable: ${(e as Error).message.split('\n')[0]}`);
} finally {
  rmSync(home, { recursive: true, force: true });
}
await sim.close();

const na = (f: Figures | undefined, k: keyof Figures, d: number) => (f ? fmt(f[k], d) : 'n/a');
console.log('\n## Transports against capi-sim, zero line delay (same simulator, same run)\n');
console.log(row(['measure', 'rcapi (pure TypeScript)', 'native (libcapi20 3.27)']));
console.log(row(['---', '---', '---']));
console.log(row(['LISTEN_REQ → LISTEN_CONF round trip, µs', fmt(rcapi.rtUs, 1), na(native, 'rtUs', 1)]));
console.log(
  row([
    `fax calls/s, 1 page (${sff.length} B SFF), one at a time`,
    fmt(rcapi.seqRate, 1),
    na(native, 'seqRate', 1),
  ]),
);
console.log(
  row(['fax calls/s, 30 in flight on 2 controllers', fmt(rcapi.parRate, 1), na(native, 'parRate', 1)]),
);
