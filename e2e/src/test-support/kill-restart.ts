// Issue 8, "never lose a fax": `kill -9` of the gateway daemon while calls are running, then a
// new daemon on the same database and Redis. Nothing is lost; a call that was in flight (pages
// may have reached the remote) is held as outcome-unknown for the fax post office, never dialled
// again silently; faxes that had not started are sent, once. Run per CAPI transport, and once
// with `queue.outcomeUnknown: resend`, where the cut-off calls are dialled again — on record.
import { testRedisPrefix } from '@faxgate/store/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Daemon, startDaemon } from './daemon.js';
import { type OwnRedis, startOwnRedis } from './redis-server.js';
import type { NumberLedger } from './sim-ledger.js';
import { type SentFax, testPage, World } from './world.js';

const FAXES = 20;

export function killRestartScenario(
  transport: 'rcapi' | 'native',
  outcomeUnknown: 'hold' | 'resend' = 'hold',
): void {
  let redis: OwnRedis;
  let world: World;
  const daemons: Daemon[] = [];

  beforeAll(async () => {
    redis = await startOwnRedis();
    world = await World.create({
      faxes: FAXES,
      // 2 × 2 B channels; a 2-page call lasts about 1.5 s, so 20 faxes take several rounds.
      timeFactor: 0.15,
      bChannels: 2,
      redisUrl: redis.url,
      redisPrefix: testRedisPrefix('faxgate-e2e'),
      transport,
      // Stalled jobs noticed after 1 s, reconciler every second, no kill time in reach.
      queue: { timeScale: 0.01, reconcileIntervalSeconds: 100, killTimeMinutes: 600, outcomeUnknown },
    });
  });

  afterAll(async () => {
    for (const d of daemons) await d.stop();
    await world?.close();
    await redis?.stop();
  });

  const start = async () => {
    const d = await startDaemon({
      config: world.daemonConfig(),
      dir: world.dir,
      databaseUrl: world.testDb.url,
      redisUrl: redis.url,
      home: transport === 'native' ? world.nativeHome() : undefined,
      startTimeoutMs: 120_000,
    });
    daemons.push(d);
    return d;
  };

  const what =
    outcomeUnknown === 'hold' ? 'cut-off calls held, none resent' : 'cut-off calls resent on record';
  it(`kill -9 during calls (${transport}), then restart: nothing lost, ${what}`, async () => {
    const first = await start();
    const sent: SentFax[] = [];
    for (let i = 0; i < FAXES; i++) sent.push(await world.submit(i, [testPage(i), testPage(i + 50)]));
    const ids = sent.map((s) => s.id);
    const byId = new Map(sent.map((s) => [s.id, s]));

    // Kill when some faxes are done and at least two calls are on the line with pages going out.
    const deadline = Date.now() + 120_000; // a bound, not a timing
    for (;;) {
      const states = await world.db('faxes').whereIn('id', ids).select('id', 'state');
      const done = states.filter((f: { state: string }) => f.state === 'done').length;
      const sending = states.filter(
        (f: { id: number; state: string }) =>
          f.state === 'running' && world.ledger.of(byId.get(f.id)!.number).dataBytes > 0,
      ).length;
      if (done >= 2 && sending >= 2) break;
      if (Date.now() > deadline) {
        throw new Error(
          `no moment with 2 faxes done and 2 calls sending within 120 s: ${JSON.stringify(states)}\n${first.output().slice(-3000)}`,
        );
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    await first.kill9();
    // What the dead daemon did: every dial and every page byte it put on the line, and the
    // state it left each fax in.
    const atKill: Map<string, NumberLedger> = world.ledger.snapshot();
    const before = new Map((await world.rows(ids)).map((f) => [f.id, f]));
    const cutOff = ids.filter((id) => before.get(id)!.state === 'running');
    const doneBefore = ids.filter((id) => before.get(id)!.state === 'done');
    // Not dialled and not claimed (a claimed fax may have been a moment from its CONNECT_REQ).
    const notStarted = ids.filter(
      (id) => !cutOff.includes(id) && (atKill.get(byId.get(id)!.number)?.dials.length ?? 0) === 0,
    );
    // Two were sending when the kill was decided; one may just have finished before it landed.
    expect(cutOff.length).toBeGreaterThanOrEqual(1);
    expect(notStarted.length).toBeGreaterThan(0);

    const second = await start();
    const ends = await world.waitAllTerminal(
      ids,
      180_000,
      () => `new daemon:\n${second.output().slice(-3000)}`,
    );
    const dialsOf = (id: number) => world.ledger.of(byId.get(id)!.number).dials.length;
    const dialsBefore = (id: number) => atKill.get(byId.get(id)!.number)?.dials.length ?? 0;

    for (const f of ends) {
      const where = `fax ${f.id} (${before.get(f.id)!.state} at the kill, dials ${dialsOf(f.id)})`;
      if (cutOff.includes(f.id) && outcomeUnknown === 'hold') {
        // In flight at the kill: held for the fax post office, not dialled again.
        expect(f.state, where).toBe('suspended');
        expect(f.cause, where).toBe('outcome-unknown');
        expect(dialsOf(f.id), where).toBe(dialsBefore(f.id));
        expect(dialsOf(f.id), where).toBeLessThanOrEqual(1);
        const types = await world.auditTypes(f.id);
        expect(types.slice(-2), where).toEqual(['send.begin', 'job.suspend']);
        expect(await world.sendLog(f.id), where).toEqual(['outcome-unknown']);
      } else if (cutOff.includes(f.id)) {
        // resend: dialled once more, and the record says why before the new dial.
        expect(f.state, where).toBe('done');
        expect(dialsOf(f.id), where).toBe(dialsBefore(f.id) + 1);
        const types = await world.auditTypes(f.id);
        const retry = types.indexOf('job.retry');
        expect(retry, `${where}: ${types.join(' ')}`).toBeGreaterThan(types.indexOf('send.begin'));
        expect(types.slice(retry + 1), where).toEqual(['send.begin', 'send.end', 'send.done']);
        const got = world.sim.remoteParty(byId.get(f.id)!.number).received;
        expect(got.at(-1)?.complete, where).toBe(true);
        expect(await world.sendLog(f.id), where).toEqual(['outcome-unknown', 'ok']);
      } else {
        // Done before the kill, or waiting then: sent exactly once, received whole.
        expect(f.state, where).toBe('done');
        expect(dialsOf(f.id), where).toBe(1);
        const got = world.sim.remoteParty(byId.get(f.id)!.number).received;
        expect(got.length, where).toBe(1);
        expect(got[0].complete, where).toBe(true);
        expect(got[0].pages.length, where).toBe(2);
        expect(await world.sendLog(f.id), where).toEqual(['ok']);
      }
    }
    // Pages on the line before the kill: exactly the one dial, whatever the end state.
    for (const s of sent) {
      if (outcomeUnknown === 'hold' && (atKill.get(s.number)?.dataBytes ?? 0) > 0) {
        expect(world.ledger.of(s.number).dials.length, `${s.number} had pages sent before the kill`).toBe(1);
      }
    }
    // Faxes that had not been dialled were sent once, by the new daemon.
    for (const id of notStarted) expect(ends.find((f) => f.id === id)?.state).toBe('done');
    expect(doneBefore.length).toBeGreaterThanOrEqual(2);

    const audit = await world.verifyAudit();
    expect(audit, JSON.stringify(audit)).toMatchObject({ ok: true });
  }, 400_000);
}
