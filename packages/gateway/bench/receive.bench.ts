// RSS of one receiving call: a 50-page fax (CCITT test page 1, 1728 × 2376 fine, 50 times)
// sent by the simulator — in a process of its own, so this process's RSS is the receiver's —
// into the gateway's receiver over rcapi, with a real PostgreSQL. Prints the RSS and heap
// above the idle baseline, sampled every 5 ms during the call, and the pages stored.
//
//   npm run bench:receive [-- --pages 50]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { auditMigrations } from '@faxgate/audit';
import { CapiSession, RcapiTransport } from '@faxgate/capi-bindings';
import { readFaxDocument, writeFaxDocument } from '@faxgate/fax-core';
import { LockdownTransport, listenCipMask, resolvePolicy } from '@faxgate/isdn-lockdown';
import { createRouter } from '@faxgate/router';
import { type Fax, mailboxes, migrate, openDatabase } from '@faxgate/store';
import { createTestDatabase } from '@faxgate/store/testing';
import { startReceiver } from '../src/inbound/receiver.js';
import { ccittPage1Tiff } from './bench-setup.js';
import { startSimProcess } from './sim-process.js';

const { values } = parseArgs({ options: { pages: { type: 'string', default: '50' } } });
const PAGES = Number(values.pages);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;

const sim = await startSimProcess({ timeFactor: 0, parties: {}, controllers: 1, bChannels: 2 });
const testDb = await createTestDatabase('faxgate_bench_receive');
const db = openDatabase(testDb.url, { poolMax: 10 });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-bench-receive-'));
try {
  await migrate(db, auditMigrations);
  await mailboxes.add(db, { name: 'postoffice', kind: 'incoming' });
  const router = createRouter(
    { numbering: { countryCode: '49', areaCode: '30' }, inbound: { default: 'postoffice' } },
    await mailboxes.list(db),
  );
  const policy = resolvePolicy();
  const transport = new LockdownTransport(new RcapiTransport({ port: sim.port }), { policy });
  const session = await CapiSession.open(transport, { maxLogicalConnection: 4 });
  await session.listen(1, listenCipMask(policy));
  const waiting = new Map<string, (f: Fax) => void>();
  const receiver = startReceiver({
    db,
    session,
    router,
    stationId: 'BENCH',
    onStored: (f) => waiting.get(f.remoteNumber ?? '')?.(f),
  });

  const page = readFaxDocument(ccittPage1Tiff()).pages[0].page;
  const file = (n: number) => {
    const f = path.join(dir, `doc-${n}.tiff`);
    fs.writeFileSync(
      f,
      writeFaxDocument(
        'tiff',
        Array.from({ length: n }, () => page),
        { coding: 'mmr' },
      ),
    );
    return f;
  };
  const receive = async (n: number, from: string) => {
    const stored = new Promise<Fax>((resolve) => waiting.set(`+4989${from}`, resolve));
    const res = await fetch(`http://127.0.0.1:${sim.controlPort}/calls`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: `089${from}`, to: '3001', controller: 1, file: file(n) }),
    });
    const call = (await res.json()) as { outcome: string };
    if (call.outcome !== 'completed') throw new Error(`the call ended ${JSON.stringify(call)}`);
    const fax = await stored;
    return { call, fax };
  };

  // Warm up (JIT, pools, prepared statements), then the idle baseline.
  await receive(2, '1000');
  gc();
  await new Promise((r) => setTimeout(r, 200));
  gc();
  const base = process.memoryUsage();
  let peak = { rss: base.rss, heapUsed: base.heapUsed, arrayBuffers: base.arrayBuffers };
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    peak = {
      rss: Math.max(peak.rss, m.rss),
      heapUsed: Math.max(peak.heapUsed, m.heapUsed),
      arrayBuffers: Math.max(peak.arrayBuffers, m.arrayBuffers),
    };
  }, 5);
  const t0 = Date.now();
  const { call, fax } = await receive(PAGES, '2000');
  clearInterval(timer);
  const stored = await db('fax_pages').where({ fax_id: fax.id }).count<{ n: number }[]>('* as n');
  console.log(
    JSON.stringify({
      bench: 'receive',
      pages: PAGES,
      outcome: call.outcome,
      state: fax.state,
      pagesStored: Number(stored[0].n),
      seconds: (Date.now() - t0) / 1000,
      baselineRss: mb(base.rss),
      rssAboveBaseline: mb(peak.rss - base.rss),
      heapAboveBaseline: mb(peak.heapUsed - base.heapUsed),
      arrayBuffersAboveBaseline: mb(peak.arrayBuffers - base.arrayBuffers),
    }),
  );
  receiver.stop();
  await session.close();
  await transport.close();
} finally {
  sim.stop();
  await db.destroy();
  await testDb.drop();
  fs.rmSync(dir, { recursive: true, force: true });
}
