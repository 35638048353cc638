// kill -9 of the daemon while it receives a 5-page fax, after page 2 was committed: the pages
// committed survive, and the restarted daemon closes the fax with them — state and cause say
// it is partial, one RECV record, nothing left 'receiving'. A real daemon process (main-job.ts)
// against capi-sim over rcapi and a real PostgreSQL; the simulated sender holds the line after
// page 2 (holdAfterPage), so the crash happens exactly there.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { auditMigrations } from '@faxgate/audit';
import { type CallRecord, type Simulator, startSimulator } from '@faxgate/capi-sim';
import { type BilevelPage, createPage, pagesEqual, readFaxDocument, setPixel } from '@faxgate/fax-core';
import { faxes, faxPages, mailboxes } from '@faxgate/store';
import { type MigratedTestDb, migratedTestDb, testRedisPrefix } from '@faxgate/store/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';

const entry = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../main-job.ts');

let sim: Simulator;
let t: MigratedTestDb;
let dir: string;
let configFile: string;
const children: ChildProcess[] = [];

function page(seed: number): BilevelPage {
  const p = createPage(1728, 200, 'fine');
  for (let y = 0; y < 200; y++) {
    const x0 = (seed * 131 + y * 7) % 1400;
    for (let x = x0; x < x0 + 60 + ((seed + y) % 80); x++) setPixel(p, x, y, true);
  }
  return p;
}

beforeAll(async () => {
  sim = await startSimulator({ timeFactor: 0 });
  t = await migratedTestDb({ extra: auditMigrations });
  await mailboxes.add(t.knex, { name: 'postoffice', kind: 'incoming' });
  await mailboxes.add(t.knex, { name: 'sales', kind: 'incoming', numbers: ['+49303001'] });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-recv-crash-'));
  configFile = path.join(dir, 'faxgate.yaml');
  fs.writeFileSync(
    configFile,
    [
      'database:\n  allowPrivileged: true',
      `paths: { spool: ${dir}/spool, tmp: ${dir}/tmp }`,
      `audit: { checkpointDir: ${dir}/checkpoints, checkpointKeyFile: ${dir}/key/audit-checkpoint.key }`,
      'api: { port: 0 }',
      'logging: { level: warn }',
      `redis: { keyPrefix: ${testRedisPrefix('recv-crash')} }`,
      `lines: { transport: rcapi, port: ${sim.port}, controllers: [1, 2] }`,
      "routing: { numbering: { countryCode: '49', areaCode: '30' }, inbound: { default: postoffice } }",
      '',
    ].join('\n'),
  );
}, 60_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await sim?.close();
  await t?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function startDaemon() {
  const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', entry], {
    env: { ...process.env, FAXGATE_CONFIG: configFile, FAXGATE_DATABASE_URL: t.db.url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (d) => (out += d));
  child.stderr?.setEncoding('utf8').on('data', (d) => (out += d));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return { child, exited, output: () => out };
}

/** Polls `check` until it returns a value; the deadline only turns a hang into a failure. */
async function until<T>(what: string, check: () => Promise<T | undefined>, output: () => string): Promise<T> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

it('kill -9 after page 2 of 5: after the restart the fax has its 2 pages, says partial, RECV recorded', async () => {
  const first = startDaemon();
  await until(
    'the daemon to run',
    async () => (first.output().includes('Press Ctrl-C') ? true : undefined),
    first.output,
  );

  const pages = [1, 2, 3, 4, 5].map(page);
  let call: CallRecord | undefined;
  const injected = sim
    .injectCall({ from: '0891234567', to: '3001', document: pages, holdAfterPage: 2, csi: 'SENDER 5' })
    .then((r) => {
      call = r;
    });
  const fax = await until(
    'page 2 to be committed',
    async () => {
      const f = (await faxes.list(t.knex, { direction: 'in' }))[0];
      return f && f.pagesDone >= 2 ? f : undefined;
    },
    first.output,
  );
  expect(fax).toMatchObject({ state: 'receiving', pagesDone: 2, remoteStationId: 'SENDER 5' });

  first.child.kill('SIGKILL');
  await first.exited;
  await injected; // the exchange saw the application vanish mid-call
  expect(call).toMatchObject({ outcome: 'app-gone', pages: 2 });
  // What the crash left: the two committed pages, the fax still 'receiving', no RECV record.
  expect((await faxes.get(t.knex, fax.id)).state).toBe('receiving');
  expect(await faxPages.list(t.knex, fax.id)).toHaveLength(2);
  expect(await t.knex('xfer_log').where({ fax_id: fax.id })).toHaveLength(0);

  const second = startDaemon();
  await until(
    'the restarted daemon to run',
    async () => (second.output().includes('Press Ctrl-C') ? true : undefined),
    second.output,
  );
  const closed = await faxes.get(t.knex, fax.id);
  expect(closed).toMatchObject({
    state: 'failed',
    cause: 'partial',
    causeText: 'receive interrupted: gateway stopped during the call; 2 pages kept',
    pagesDone: 2,
    mailboxId: fax.mailboxId,
  });
  for (const n of [1, 2]) {
    const row = await faxPages.get(t.knex, fax.id, n);
    expect(pagesEqual(readFaxDocument(row.tiff).pages[0].page, pages[n - 1]), `page ${n}`).toBe(true);
  }
  expect(await faxPages.list(t.knex, fax.id)).toHaveLength(2);
  const recv = await t.knex('xfer_log').where({ fax_id: fax.id });
  expect(recv).toHaveLength(1);
  expect(recv[0]).toMatchObject({
    type: 'RECV',
    npages: 2,
    result_code: 'partial',
    remote_station: 'SENDER 5',
    reason: 'receive interrupted: gateway stopped during the call; 2 pages kept',
  });
  const types = await t.knex('audit_events').where('fax_id', fax.id).orderBy('id').pluck('type');
  expect(types).toEqual(['recv.begin', 'recv.page', 'recv.page', 'recv.end']);
  expect(await t.knex('faxes').where({ state: 'receiving' })).toHaveLength(0);
  expect(second.output()).toContain(`received fax ${fax.id}: receive interrupted`);

  second.child.kill('SIGTERM');
  await second.exited;
}, 240_000);
