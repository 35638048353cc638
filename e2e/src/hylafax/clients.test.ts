// Issue 19 item 4, the whole daemon (main-job --daemon, as `npm run gateway` runs it) with the
// HylaFAX listener on and the simulated exchange: the real Debian clients (hylafax-client)
// submit, list, alter and remove faxes; a PDF sent with sendfax reaches the simulated remote
// fax machine; a user without out.send is refused and the refusal is on record.
import fs from 'node:fs';
import path from 'node:path';
import { writeFaxPdf } from '@faxgate/fax-core';
import { runClient } from '@faxgate/gateway/testing';
import { faxes, grants, users } from '@faxgate/store';
import { testRedisPrefix } from '@faxgate/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Daemon, startDaemon } from '../test-support/daemon.js';
import { type OwnRedis, startOwnRedis } from '../test-support/redis-server.js';
import { numberOf, testPage, World } from '../test-support/world.js';

const PASSWORD = 'hylafax e2e password';
let redis: OwnRedis;
let world: World;
let daemon: Daemon | undefined;
let port = 0;
let pdf = '';

beforeAll(async () => {
  redis = await startOwnRedis();
  world = await World.create({
    faxes: 2,
    timeFactor: 0.01,
    bChannels: 2,
    redisUrl: redis.url,
    redisPrefix: testRedisPrefix('faxgate-e2e'),
    transport: 'rcapi',
    queue: {},
  });
  await users.setPassword(world.db, 'alice', PASSWORD);
  // faxalter and faxrm need the rights of PATCH /faxes/{id} and /stop (the world grants out.send).
  for (const right of ['out.modify', 'out.stop'] as const)
    await grants.grant(world.db, { user: 'alice', mailbox: 'alice-out', right });
  await users.add(world.db, { name: 'bob', roles: ['user'], password: PASSWORD });
  pdf = path.join(world.dir, 'letter.pdf');
  fs.writeFileSync(pdf, writeFaxPdf([testPage(1, 1100)]));
  daemon = await startDaemon({
    config: { ...world.daemonConfig(), hylafax: { enabled: true, port: 0 } },
    dir: world.dir,
    databaseUrl: world.testDb.url,
    redisUrl: redis.url,
    startTimeoutMs: 120_000,
  });
  const m = /HylaFAX clients: 127\.0\.0\.1:(\d+)/.exec(daemon.output());
  if (!m)
    throw new Error(`the daemon did not say where HylaFAX clients connect:\n${daemon.output().slice(-3000)}`);
  port = Number(m[1]);
}, 180_000);

afterAll(async () => {
  await daemon?.stop();
  await world?.close();
  await redis?.stop();
});

const as = (user: string) => ({ port, user, password: PASSWORD });
const jobIdOf = (stdout: string) => Number(/request id is (\d+)/.exec(stdout)?.[1] ?? Number.NaN);

describe('HylaFAX clients against the daemon', () => {
  it('a PDF sent with sendfax reaches the simulated remote fax machine', async () => {
    const r = await runClient('sendfax', ['-n', '-d', numberOf(0), pdf], as('alice'));
    const id = jobIdOf(r.stdout);
    expect(id, r.stdout + r.stderr).toBeGreaterThan(0);
    const [fax] = await world.waitAllTerminal([id], 60_000, () => daemon?.output().slice(-3000) ?? '');
    expect(fax).toMatchObject({ state: 'done', pagesDone: 1 });
    expect(world.ledger.of(numberOf(0)).dataBytes).toBeGreaterThan(0);
    const done = await runClient('faxstat', ['-d'], as('alice'));
    expect(done.stdout).toMatch(new RegExp(`^${id}\\s+127\\s+D\\s+alice`, 'm'));
  }, 90_000);

  it('faxstat lists a waiting fax, faxalter moves its send time, faxrm removes it before any dial', async () => {
    const r = await runClient('sendfax', ['-n', '-a', 'now + 1 hour', '-d', numberOf(1), pdf], as('alice'));
    const id = jobIdOf(r.stdout);
    const listed = await runClient('faxstat', ['-s'], as('alice'));
    expect(listed.stdout).toMatch(new RegExp(`^${id}\\s+127\\s+P\\s+alice`, 'm'));

    const altered = await runClient('faxalter', ['-a', 'now + 2 hours', String(id)], as('alice'));
    expect(altered.stdout, altered.stderr).toContain(`Job ${id}: done.`);
    const moved = await faxes.get(world.db, id);
    expect(Math.abs((moved.notBefore?.getTime() ?? 0) - (Date.now() + 2 * 3600_000))).toBeLessThan(120_000);

    const removed = await runClient('faxrm', [String(id)], as('alice'));
    expect(removed.stdout).toContain(`Job ${id} removed`);
    expect((await faxes.get(world.db, id)).state).toBe('failed');
    expect(world.ledger.of(numberOf(1)).dials).toHaveLength(0);
  }, 90_000);

  it('a user without out.send is refused, and the refusal is audited', async () => {
    const r = await runClient('sendfax', ['-n', '-d', numberOf(0), pdf], as('bob'));
    expect(r.stdout + r.stderr).toMatch(/550 .*bob may not send/);
    const denied = await world.db('audit_events').where({ type: 'access.denied', actor: 'bob' });
    expect(denied.some((e) => e.details.via === 'hylafax' && e.details.permission === 'out.send')).toBe(true);
    expect(
      await world.db('faxes').where({ owner_user_id: (await users.get(world.db, 'bob')).id }),
    ).toHaveLength(0);
  }, 60_000);
});
