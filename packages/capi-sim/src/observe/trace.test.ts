import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { startSimulator } from '../simulator.js';
import { TestClient } from '../test-support/client.js';
import type { TraceRecord } from './trace.js';

it('traces every message in and out, decoded, to the ring buffer, listeners and a file; counts them', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'capi-sim-trace-'));
  const file = path.join(dir, 'trace.jsonl');
  const sim = await startSimulator({ traceFile: file, traceSize: 3 });
  const live: TraceRecord[] = [];
  sim.trace.on('message', (r: TraceRecord) => live.push(r));
  const c = await TestClient.register(sim.port);
  await c.request({ name: 'LISTEN_REQ', controller: 1, infoMask: 0, cipMask: 0x10 }, 'LISTEN_CONF');
  await c.close();
  await sim.close();

  expect(live.map((r) => `${r.dir} ${r.name}`)).toEqual([
    'in REGISTER',
    'out REGISTER_CONF',
    'in LISTEN_REQ',
    'out LISTEN_CONF',
  ]);
  expect(live[2].message).toMatchObject({ name: 'LISTEN_REQ', controller: 1, cipMask: 0x10 });
  // ring of 3 keeps the newest three
  expect(sim.trace.entries().map((r) => r.name)).toEqual(['REGISTER_CONF', 'LISTEN_REQ', 'LISTEN_CONF']);
  const lines = readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  expect(lines).toHaveLength(4);
  expect(lines[3]).toMatchObject({ dir: 'out', name: 'LISTEN_CONF', message: { info: 0 } });
  expect(sim.counters.messages).toMatchObject({ 'in LISTEN_REQ': 1, 'out LISTEN_CONF': 1, 'in REGISTER': 1 });
  rmSync(dir, { recursive: true, force: true });
});
