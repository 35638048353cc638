// Issue 14, several nodes: two daemons (nodes "fax-a" on controller 1, "fax-b" on controller 2)
// on one PostgreSQL and one Redis against one simulator. `kill -9` of fax-a while its calls
// send pages: fax-b keeps sending; after fax-a's restart every fax is terminal and each was
// dialled once (simulator trace), or is held as outcome-unknown (cut off mid-call, never dialled
// again). Configuration versions are per node: each node recorded one version, and the
// restart with the same file recorded none (no flip-flop between the two files).
import { testRedisPrefix } from '@faxgate/store/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Daemon, startDaemon } from './test-support/daemon.js';
import { type OwnRedis, startOwnRedis } from './test-support/redis-server.js';
import type { NumberLedger } from './test-support/sim-ledger.js';
import { type SentFax, testPage, World } from './test-support/world.js';

const FAXES = 24;
const A = { name: 'fax-a', controllers: [1] };
const B = { name: 'fax-b', controllers: [2] };

let redis: OwnRedis;
let world: World;
const daemons: Daemon[] = [];

beforeAll(async () => {
  redis = await startOwnRedis();
  world = await World.create({
    faxes: FAXES,
    timeFactor: 0.15,
    bChannels: 2,
    redisUrl: redis.url,
    redisPrefix: testRedisPrefix('faxgate-e2e'),
    transport: 'rcapi',
    queue: { timeScale: 0.01, reconcileIntervalSeconds: 100, killTimeMinutes: 600 },
  });
});

afterAll(async () => {
  for (const d of daemons) await d.stop();
  await world?.close();
  await redis?.stop();
});

async function start(node: typeof A): Promise<Daemon> {
  const d = await startDaemon({
    config: world.daemonConfig(node),
    dir: `${world.dir}/${node.name}`,
    databaseUrl: world.testDb.url,
    redisUrl: redis.url,
    startTimeoutMs: 120_000,
  });
  daemons.push(d);
  return d;
}

async function until(what: string, ok: () => Promise<boolean>, context: () => string): Promise<void> {
  const deadline = Date.now() + 90_000; // a bound, not a timing: the machine may be busy
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${context()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

it('two nodes: kill -9 of one mid-run, the other keeps sending; after its restart every fax is terminal, dialled once or held', async () => {
  const fs = await import('node:fs');
  for (const n of [A, B]) fs.mkdirSync(`${world.dir}/${n.name}`, { recursive: true });
  const a = await start(A);
  const b = await start(B);
  const logs = () => `fax-a:\n${a.output().slice(-2000)}\nfax-b:\n${b.output().slice(-2000)}`;
  const sent: SentFax[] = [];
  for (let i = 0; i < FAXES; i++) sent.push(await world.submit(i, [testPage(i), testPage(i + 50)]));
  const ids = sent.map((s) => s.id);
  const byId = new Map(sent.map((s) => [s.id, s]));
  const rows = () => world.db('faxes').whereIn('id', ids).select('id', 'state', 'line');

  // Both nodes send; kill fax-a while one of its calls has pages on the line.
  await until(
    'a call of fax-a sending pages and faxes done by both nodes',
    async () => {
      const r = await rows();
      const doneBy = (line: string) =>
        r.filter((f: { state: string; line: string }) => f.state === 'done' && f.line === line);
      const aSending = r.some(
        (f: { id: number; state: string; line: string }) =>
          f.state === 'running' && f.line === 'c1' && world.ledger.of(byId.get(f.id)!.number).dataBytes > 0,
      );
      return aSending && doneBy('c1').length >= 1 && doneBy('c2').length >= 1;
    },
    logs,
  );
  await a.kill9();
  const atKill: Map<string, NumberLedger> = world.ledger.snapshot();
  const before = new Map((await world.rows(ids)).map((f) => [f.id, f]));
  const cutOff = ids.filter((id) => before.get(id)!.state === 'running' && before.get(id)!.line === 'c1');
  expect(cutOff.length).toBeGreaterThanOrEqual(1);
  const doneAtKill = ids.filter((id) => before.get(id)!.state === 'done').length;

  // fax-b alone keeps sending: more faxes done on controller 2 while fax-a is dead.
  await until(
    'fax-b sending while fax-a is dead',
    async () => (await world.countIn(ids, ['done'])) >= doneAtKill + 2,
    logs,
  );
  expect(a.child.exitCode === null && a.child.signalCode === 'SIGKILL').toBe(true);

  const a2 = await start(A);
  const ends = await world.waitAllTerminal(
    ids,
    120_000,
    () => `fax-a restarted:\n${a2.output().slice(-3000)}`,
  );
  const dialsOf = (id: number) => world.ledger.of(byId.get(id)!.number).dials.length;
  for (const f of ends) {
    const where = `fax ${f.id} (${before.get(f.id)!.state} on ${before.get(f.id)!.line ?? '-'} at the kill, dials ${dialsOf(f.id)})`;
    if (f.state === 'done') {
      expect(dialsOf(f.id), where).toBe(1);
      const got = world.sim.remoteParty(byId.get(f.id)!.number).received;
      expect(got.length, where).toBe(1);
      expect(got[0].complete, where).toBe(true);
    } else {
      // Cut off in fax-a's call: held for the fax post office, never dialled again.
      expect(f.state, where).toBe('suspended');
      expect(f.cause, where).toBe('outcome-unknown');
      expect(cutOff, where).toContain(f.id);
      expect(dialsOf(f.id), where).toBe(atKill.get(byId.get(f.id)!.number)?.dials.length ?? 0);
      expect(dialsOf(f.id), where).toBeLessThanOrEqual(1);
    }
  }
  expect(ends.filter((f) => f.state === 'done').length).toBeGreaterThanOrEqual(FAXES - cutOff.length);

  // Configuration versions per node: one each; fax-a's restart with the same file added none.
  const versions = await world.db('config_versions').select('node').orderBy('version');
  expect(versions.map((v: { node: string }) => v.node).sort()).toEqual(['fax-a', 'fax-b']);

  const audit = await world.verifyAudit();
  expect(audit, JSON.stringify(audit)).toMatchObject({ ok: true });
  process.stdout.write(
    `two nodes: ${FAXES} faxes, ${cutOff.length} cut off by the kill (held), ${doneAtKill} done at the kill\n`,
  );
}, 300_000);
