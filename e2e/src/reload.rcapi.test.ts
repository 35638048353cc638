// Issue 14, routing without restarts, the whole daemon (main-job --daemon): a mailbox number
// added while it runs receives at once (NOTIFY faxgate_directory → router rebuilt); SIGHUP
// re-reads the file — a new caller blocklist rejects the next call and is recorded as
// system:SIGHUP; a key that needs a restart and a bad file change nothing and say so; the
// daemon keeps running throughout.
import fs from 'node:fs';
import path from 'node:path';
import { createPage, setPixel } from '@faxgate/fax-core';
import { mailboxes } from '@faxgate/store';
import { testRedisPrefix } from '@faxgate/store/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Daemon, startDaemon } from './test-support/daemon.js';
import { type OwnRedis, startOwnRedis } from './test-support/redis-server.js';
import { World } from './test-support/world.js';

let redis: OwnRedis;
let world: World;
let daemon: Daemon | undefined;

beforeAll(async () => {
  redis = await startOwnRedis();
  world = await World.create({
    faxes: 0,
    timeFactor: 0,
    bChannels: 2,
    redisUrl: redis.url,
    redisPrefix: testRedisPrefix('faxgate-e2e'),
    transport: 'rcapi',
    queue: {},
    msns: ['3001', '3002'],
  });
});
afterAll(async () => {
  await daemon?.stop();
  await world?.close();
  await redis?.stop();
});

const page = () => {
  const p = createPage(1728, 60, 'fine');
  for (let y = 10; y < 50; y++) for (let x = 200; x < 900; x++) setPixel(p, x, y, true);
  return p;
};

async function until(what: string, ok: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 60_000; // a bound, not a timing
  while (!(await ok())) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}\n${daemon?.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

it('new numbers receive at once; SIGHUP applies a blocklist on record, refuses restart keys and bad files', async () => {
  const d = await startDaemon({
    config: world.daemonConfig(),
    dir: world.dir,
    databaseUrl: world.testDb.url,
    redisUrl: redis.url,
    startTimeoutMs: 120_000,
  });
  daemon = d;
  const file = path.join(world.dir, 'faxgate.yaml');
  const rebuilt = () => d.output().split('routing rebuilt').length - 1;

  // A number added while the daemon runs: no restart.
  const before = rebuilt();
  const sales = await mailboxes.add(world.db, { name: 'sales', kind: 'incoming', numbers: ['+49303002'] });
  await until('the router rebuilt', () => rebuilt() > before);
  const call = await world.sim.injectCall({ from: '0891234567', to: '3002', document: [page()] });
  expect(call.outcome).toBe('completed');
  await until(
    'the fax stored in sales',
    async () => (await world.db('faxes').where({ mailbox_id: sales.id, state: 'received' })).length === 1,
  );

  // SIGHUP with a caller blocklist: applied and recorded as system:SIGHUP.
  const versions = async () => (await world.db('config_versions').count<{ n: string }[]>({ n: '*' }))[0].n;
  const v0 = await versions();
  fs.writeFileSync(
    file,
    JSON.stringify({ ...world.daemonConfig(), lockdown: { callerBlocklist: ['+49891234567'] } }),
  );
  d.child.kill('SIGHUP');
  await until('the reload recorded', async () => Number(await versions()) === Number(v0) + 1);
  const v = await world.db('config_versions').orderBy('version', 'desc').first();
  expect(v.author).toBe('system:SIGHUP');
  const ev = await world.db('audit_events').where({ type: 'config.change' }).orderBy('id', 'desc').first();
  expect(ev.actor).toBe('system:SIGHUP');
  const blocked = await world.sim.injectCall({ from: '0891234567', to: '3002', document: [page()] });
  expect(blocked.outcome).toBe('rejected');
  const rejected = await world
    .db('audit_events')
    .where({ type: 'lockdown.call_rejected' })
    .orderBy('id', 'desc')
    .first();
  expect(rejected.details).toMatchObject({ rule: 'caller-blocked' });

  // A key that needs a restart: nothing applied, named in the daemon's output.
  fs.writeFileSync(
    file,
    JSON.stringify({ ...world.daemonConfig(), api: { port: 1 }, lockdown: { callerBlocklist: [] } }),
  );
  d.child.kill('SIGHUP');
  await until('the restart key named', () => d.output().includes('these keys need a restart: api.port'));
  // A bad file: the running configuration stays, the key named.
  fs.writeFileSync(file, JSON.stringify({ ...world.daemonConfig(), queue: { maxDials: 'many' } }));
  d.child.kill('SIGHUP');
  await until('the bad key named', () => d.output().includes('queue.maxDials'));
  expect(Number(await versions())).toBe(Number(v0) + 1);
  const still = await world.sim.injectCall({ from: '0891234567', to: '3002', document: [page()] });
  expect(still.outcome).toBe('rejected'); // the blocklist of the last good reload still holds

  expect(d.child.exitCode).toBeNull();
  expect(await d.stop()).toBe(0);
  daemon = undefined;
}, 180_000);
