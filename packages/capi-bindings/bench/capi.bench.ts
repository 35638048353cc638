/**
 * npm run bench:capi, part 1 — the CAPI message codec: µs per message to encode and to
 * decode, over a mix of all 48 message types, beside libcapi20's own converter
 * (capi_message2cmsg / capi_cmsg2message, the anchor), measured in the same run through
 * src/test-support/capi-convert.c. Part 2 (transports and fax calls against the simulator)
 * is capi-sim/bench/fax-calls.ts: capi-bindings does not depend on capi-sim.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CapiMessage, decodeMessage, encodeMessage } from '../src/codec/messages.js';
import { sampleAll } from '../src/test-support/samples.js';

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
  execFileSync('cc', [
    '-O2',
    '-o',
    helper,
    path.resolve(here, '../src/test-support/capi-convert.c'),
    '-lcapi20',
  ]);
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
