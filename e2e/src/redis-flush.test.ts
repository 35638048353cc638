// Issue 8, "never lose a fax": Redis loses every key in the middle of 200 queued faxes. The
// daemon runs as `npm run gateway` runs it (a child process) against a redis-server of this test's
// own, so the loss is a real FLUSHALL (on the shared Redis it would wipe the other tests' keys).
// PostgreSQL is the truth: the reconciler rebuilds the queue, every fax is sent, and none twice.
import { testRedisPrefix } from '@faxgate/store/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Daemon, startDaemon } from './test-support/daemon.js';
import { type OwnRedis, startOwnRedis } from './test-support/redis-server.js';
import { numberOf, type SentFax, TERMINAL, World } from './test-support/world.js';

const FAXES = 200;
let redis: OwnRedis;
let world: World;
let daemon: Daemon | undefined;

beforeAll(async () => {
  redis = await startOwnRedis();
  world = await World.create({
    faxes: FAXES,
    // 2 × 8 B channels, a call of about 0.2 s: calls overlap, the queue stays long.
    timeFactor: 0.02,
    bChannels: 8,
    redisUrl: redis.url,
    redisPrefix: testRedisPrefix('faxgate-e2e'),
    transport: 'rcapi',
    // Reconciler every second (100 s × 0.01); kill time 6 min (scaled) so none times out.
    queue: { timeScale: 0.01, reconcileIntervalSeconds: 100, killTimeMinutes: 600 },
  });
});

afterAll(async () => {
  await daemon?.stop();
  await world?.close();
  await redis?.stop();
});

async function waitUntil(what: string, ok: () => Promise<boolean>, timeoutMs: number, context: () => string) {
  const end = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > end)
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}\n${context()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

it('Redis FLUSHALL with 200 faxes queued: every fax still reaches done, none is dialled twice', async () => {
  // All 200 accepted and queued before the daemon starts: the queue is full when Redis goes.
  const sent: SentFax[] = [];
  for (let i = 0; i < FAXES; i += 10) {
    sent.push(...(await Promise.all(Array.from({ length: 10 }, (_, k) => world.submit(i + k)))));
  }
  const ids = sent.map((s) => s.id);
  const admin = new Redis(redis.url);
  try {
    expect(Number(await admin.dbsize())).toBeGreaterThan(0);
    daemon = await startDaemon({
      config: world.daemonConfig(),
      dir: world.dir,
      databaseUrl: world.testDb.url,
      redisUrl: redis.url,
      startTimeoutMs: 120_000,
    });
    const log = () => `daemon output:\n${daemon?.output().slice(-4000)}`;
    await waitUntil(
      'a third of the faxes to be done',
      async () => (await world.countIn(ids, ['done'])) >= FAXES / 3,
      120_000, // a bound, not a timing: a busy machine takes longer
      log,
    );

    await admin.flushall();
    const doneAtFlush = await world.countIn(ids, ['done']);
    const openAtFlush = FAXES - (await world.countIn(ids, TERMINAL));
    // The loss hit a queue that still held most of the work.
    expect(openAtFlush).toBeGreaterThan(FAXES / 2);

    const ends = await world.waitAllTerminal(ids, 180_000, log);
    const notDone = ends.filter((f) => f.state !== 'done');
    expect(notDone.map((f) => `fax ${f.id}: ${f.state} ${f.cause}`)).toEqual([]);
    for (const f of ends) expect(f.pagesDone, `fax ${f.id}`).toBe(1);

    // None dialled twice: one CONNECT_REQ per destination, one document at each remote machine.
    const twice = sent.filter((s) => world.ledger.of(s.number).dials.length !== 1);
    expect(twice.map((s) => `${s.number}: ${world.ledger.of(s.number).dials.length} dials`)).toEqual([]);
    for (let i = 0; i < FAXES; i++) {
      const got = world.sim.remoteParty(numberOf(i)).received;
      expect(got.length, numberOf(i)).toBe(1);
      expect(got[0].complete).toBe(true);
    }
    for (const f of ends) {
      expect(f.dials, `fax ${f.id}`).toBe(1);
      expect(await world.sendLog(f.id), `fax ${f.id}`).toEqual(['ok']);
    }

    // The queue was rebuilt from PostgreSQL by the reconciler (Redis had none of those jobs).
    const recreated = [...daemon.output().matchAll(/reconciler: (\d+) jobs recreated/g)].map((m) =>
      Number(m[1]),
    );
    expect(
      recreated.reduce((a, b) => a + b, 0),
      log(),
    ).toBeGreaterThan(0);
    expect(doneAtFlush).toBeLessThan(FAXES);

    const audit = await world.verifyAudit();
    expect(audit, JSON.stringify(audit)).toMatchObject({ ok: true });
  } finally {
    admin.disconnect();
  }
}, 400_000);
