/**
 * npm run bench:capi — CAPI message codec and fax-call throughput.
 *
 * 1. Codec: µs per message to encode and to decode, over a mix of all 48 message types,
 *    beside libcapi20's own converter (capi_message2cmsg / capi_cmsg2message, the anchor),
 *    measured in the same run through test-support/capi-convert.c.
 * 2. Transport: LISTEN_REQ → LISTEN_CONF round trip over the rcapi transport against
 *    capi-sim, sequential.
 * 3. Calls: complete one-page fax calls per second against capi-sim at zero line delay
 *    (timeFactor 0), one at a time and 30 in flight.
 * The transports side by side (rcapi and the native libcapi20 addon) against one simulator.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimulator } from '@faxgate/capi-sim';
import { createPage, setPixel, writeSff } from '@faxgate/fax-core';
import { sendFax } from '../src/calls/send-fax.js';
import { CapiSession } from '../src/calls/session.js';
import { type CapiMessage, decodeMessage, encodeMessage } from '../src/codec/messages.js';
import { NativeTransport } from '../src/native/native-transport.js';
import { capiHome } from '../src/native/test-support/native-child-client.js';
import { sampleAll } from '../src/test-support/samples.js';
import { RcapiTransport } from '../src/transport/rcapi/transport.js';
import type { CapiTransport } from '../src/transport/types.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const quick = process.argv.includes('--quick');
const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
const fmt = (n: number, d = 2) => n.toFixed(d);

function timeLoop(ms: number, fn: () => number): { perOpNs: number; ops: number } {
  // warm-up
  const wEnd = performance.now() + ms / 4;
  while (performance.now() < wEnd) fn();
  let ops = 0;
  const start = performance.now();
  const end = start + ms;
  while (performance.now() < end) ops += fn();
  return { perOpNs: ((performance.now() - start) * 1e6) / ops, ops };
}

// ------------------------------------------------------------------ codec
const messages: CapiMessage[] = sampleAll(7, 20, { libraryForm: true, maxStruct: 24 });
const wires = messages.map((m) => encodeMessage(m));
const msgParts = wires.map((w) => w.subarray(0, w.readUInt16LE(0)));
const datas = messages.map((m) => (m as { data?: Uint8Array }).data);
const ms = quick ? 300 : 1500;
const enc = timeLoop(ms, () => {
  for (const m of messages) encodeMessage(m);
  return messages.length;
});
const dec = timeLoop(ms, () => {
  for (let i = 0; i < msgParts.length; i++) decodeMessage(msgParts[i], datas[i]);
  return msgParts.length;
});

// Same messages through libcapi20 (anchor).
let lib: { m2c: number; c2m: number } | undefined;
const dir = mkdtempSync(path.join(tmpdir(), 'capi-bench-'));
try {
  const helper = path.join(dir, 'capi-convert');
  execFileSync('cc', ['-O2', '-o', helper, path.resolve(here, '../test-support/capi-convert.c'), '-lcapi20']);
  const iters = quick ? 20_000 : 200_000;
  const lines = msgParts.map((m) => `T ${iters} ${Buffer.from(m).toString('hex')}`);
  const out = spawnSync(helper, { input: `${lines.join('\n')}\n` })
    .stdout.toString()
    .trim()
    .split('\n');
  let m2c = 0;
  let c2m = 0;
  for (const l of out) {
    const [a, b] = l.split(' ').map(Number);
    m2c += a;
    c2m += b;
  }
  lib = { m2c: m2c / out.length, c2m: c2m / out.length };
} catch (e) {
  console.error(`libcapi20 anchor unavailable (${(e as Error).message.split('\n')[0]})`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

console.log('\n## CAPI message codec (mix of all 48 message types, µs per message)\n');
console.log(row(['', 'faxgate codec (TypeScript)', 'libcapi20 3.27 convert.c (C, anchor)']));
console.log(row(['---', '---', '---']));
console.log(row(['encode (→ bytes)', fmt(enc.perOpNs / 1000, 3), lib ? fmt(lib.c2m / 1000, 3) : 'n/a']));
console.log(row(['decode (bytes →)', fmt(dec.perOpNs / 1000, 3), lib ? fmt(lib.m2c / 1000, 3) : 'n/a']));
console.log(
  '\nThe library converts into a flat _cmsg with raw struct pointers and no validation; ours builds typed\n' +
    'records, checks every length, and parses party numbers, BProtocol and AdditionalInfo.',
);

// ------------------------------------------------------------------ transport + calls
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
