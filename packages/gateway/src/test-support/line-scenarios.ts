// Line supervision end to end, shared by both transports: the daemon (startGateway) on a real
// PostgreSQL, Redis (own key prefix) and capi-sim; the simulator's rcapi server goes away and
// comes back on the same port. Also the per-controller channels (receive reserve per
// controller, incoming calls holding their channel) through the same daemon.
import { faxes } from '@faxgate/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFaxgate } from '../testing/run-cli.js';
import {
  type Ctx,
  closeCtx,
  health,
  inPage,
  type LineScenarioOptions,
  lineEvents,
  receiveOne,
  startCtx,
  submit,
} from './line-world.js';
import { testPage, waitFor, waitTerminal } from './pipeline-fixture.js';

/** Line loss and return: measured figures are printed (and returned) for the report. */
export function lineSupervisionScenarios(o: LineScenarioOptions): void {
  describe(`line supervision over ${o.transport}`, () => {
    let c: Ctx;
    beforeAll(async () => {
      c = await startCtx(o, ['  receiveReserve: 0', '  killTimeMinutes: 100000']);
    }, 60_000);
    afterAll(async () => closeCtx(c), 60_000);

    it('notices the lost server, holds the queue, reconnects on the same port and loses nothing', async () => {
      expect((await health(c)).body).toMatchObject({ status: 'ok', checks: { lines: 'ok' } });
      expect(c.gateway.lines?.down()).toEqual([]);

      const lost = Date.now();
      await c.sim.stopServing();
      const h503 = await waitFor(
        '/health 503',
        async () => {
          const h = await health(c);
          return h.status === 503 ? h : undefined;
        },
        30_000,
      );
      const lossToHealthMs = Date.now() - lost;
      expect(h503.body).toEqual({
        status: 'degraded',
        checks: { database: 'ok', redis: 'ok', disk: 'ok', lines: 'fail' },
        down: ['controller 1', 'controller 2'],
      });
      // No host, port or error text in the public answer.
      expect(JSON.stringify(h503.body)).not.toMatch(/127\.0\.0\.1|rcapi|refused|\d{4,5}/);

      // A fax submitted while the line is down waits: not dialled, not failed.
      const { fax } = await submit(c, '5551000');
      const lines = await fetch(`${c.gateway.address}/api/v1/lines`, {
        headers: { authorization: `Bearer ${c.tokens.op}` },
      }).then((r) => r.json() as Promise<{ lines: Array<{ state: string; lastError: string | null }> }>);
      expect(lines.lines.map((l) => l.state)).toEqual(['down', 'down']);
      expect(lines.lines[0].lastError).toBeTruthy();
      await waitFor(
        'a reconnect attempt',
        async () => (c.gateway.lines?.state().lines[0].reconnectAttempts ?? 0) >= 1,
        30_000,
      );
      const waiting = await faxes.get(c.db, fax.id);
      expect(waiting.dials).toBe(0);
      expect(['pending', 'sleeping', 'waiting']).toContain(waiting.state);

      const back = Date.now();
      await c.sim.restart();
      const rec = await receiveOne(c, '3001', 30_000);
      const received = await waitFor(
        'the received fax stored',
        async () =>
          (await c.db('faxes').where({ direction: 'in', state: 'received' }).first()) as
            | { id: number; pages_done: number }
            | undefined,
        30_000,
      );
      const returnToFaxMs = Date.now() - back;
      expect(rec.pages).toBe(1);
      expect(received.pages_done).toBe(1);
      const sent = await waitTerminal(c.db, fax.id, 30_000);
      expect(sent).toMatchObject({ state: 'done', dials: 1, pagesDone: 1 });
      expect(Date.now() - back).toBeLessThan(30_000);
      await waitFor('/health 200', async () => (await health(c)).status === 200, 30_000);

      const ev = await lineEvents(c);
      expect(
        ev
          .filter((e) => e.type === 'line.down')
          .map((e) => e.subject)
          .sort(),
      ).toEqual(['line:controller-1', 'line:controller-2']);
      await waitFor(
        'line.up of both',
        async () => (await lineEvents(c)).filter((e) => e.type === 'line.up').length === 2,
      );
      const up = (await lineEvents(c)).filter((e) => e.type === 'line.up');
      expect(up[0].details).toMatchObject({ transport: o.transport });
      expect((up[0].details as { reconnectAttempts: number }).reconnectAttempts).toBeGreaterThanOrEqual(1);
      // The evidence was read again after the return.
      const evidence = c.gateway.evidence?.state();
      expect(evidence?.ok).toBe(true);
      expect(new Date(evidence?.checkedAt ?? 0).getTime()).toBeGreaterThanOrEqual(back);

      console.log(
        `lines (${o.transport}): line loss → /health 503 in ${lossToHealthMs} ms; line return → first received fax stored in ${returnToFaxMs} ms`,
      );
    }, 120_000);

    it('status --lines and GET /api/v1/lines show the state; a user without line.read is refused and audited', async () => {
      const cli = await runFaxgate(['status', '--lines', '--api', c.gateway.address], {
        FAXGATE_TOKEN: c.tokens.op,
        FAXGATE_CONFIG: undefined,
      });
      expect(cli.code).toBe(0);
      expect(cli.stdout).toMatch(/controller 1: up since/);
      expect(cli.stdout).toMatch(/B1 idle, B2 idle/);
      const json = await runFaxgate(['status', '--lines', '--json', '--api', c.gateway.address], {
        FAXGATE_TOKEN: c.tokens.op,
        FAXGATE_CONFIG: undefined,
      });
      expect(JSON.parse(json.stdout).lines[1]).toMatchObject({
        name: 'controller 2',
        state: 'up',
        reconnectAttempts: 0,
        bChannels: 2,
      });

      const refused = await runFaxgate(['status', '--lines', '--api', c.gateway.address], {
        FAXGATE_TOKEN: c.tokens.alice,
        FAXGATE_CONFIG: undefined,
      });
      expect(refused.code).toBe(2);
      const r = await fetch(`${c.gateway.address}/api/v1/lines`, {
        headers: { authorization: `Bearer ${c.tokens.alice}` },
      });
      expect(r.status).toBe(403);
      const denied = await c
        .db('audit_events')
        .where({ type: 'access.denied', actor: 'alice' })
        .select('details');
      expect(denied.length).toBeGreaterThanOrEqual(2);
    }, 60_000);
  });
}

/** The CAPI server is away when the daemon starts: it starts anyway and comes up with the line. */
export function startDownScenarios(o: LineScenarioOptions): void {
  describe(`daemon started while the line is down, over ${o.transport}`, () => {
    let c: Ctx;
    beforeAll(async () => {
      c = await startCtx({ ...o, startDown: true }, ['  receiveReserve: 1', '  killTimeMinutes: 100000']);
    }, 60_000);
    afterAll(async () => closeCtx(c), 60_000);

    it('starts, answers 503, and sends and receives once the line is there', async () => {
      expect((await health(c)).body).toMatchObject({
        checks: { lines: 'fail' },
        down: ['controller 1', 'controller 2'],
      });
      expect(c.gateway.channels?.usable).toBe(0); // no profile read yet
      const { fax } = await submit(c, '5551000');
      await c.sim.restart();
      await receiveOne(c, '4000', 30_000);
      expect(await waitTerminal(c.db, fax.id, 30_000)).toMatchObject({ state: 'done', dials: 1 });
      expect(c.gateway.channels?.usable).toBe(2); // 2 × 2 channels, one of each kept for receiving
      await waitFor('/health 200', async () => (await health(c)).status === 200, 30_000);
    }, 90_000);
  });
}

/** Part 5: receive reserve per controller, incoming calls hold their channel. */
export function channelScenarios(o: LineScenarioOptions): void {
  describe(`B channels per controller over ${o.transport}`, () => {
    let c: Ctx;
    const linesView = () =>
      fetch(`${c.gateway.address}/api/v1/lines`, {
        headers: { authorization: `Bearer ${c.tokens.op}` },
      }).then(
        (r) => r.json() as Promise<{ lines: Array<{ channels: Array<{ state: string; faxId?: number }> }> }>,
      );
    beforeAll(async () => {
      // Time factor 0.2 and 2400 bit/s remotes: a send holds its channel for seconds.
      c = await startCtx(o, ['  receiveReserve: 1', '  killTimeMinutes: 100000'], 0.2);
      for (let i = 0; i < 2; i++) c.sim.setParty(`555101${i}`, { kind: 'fax', maxRate: 2400 });
    }, 60_000);
    afterAll(async () => closeCtx(c), 60_000);

    it('an incoming call to a controller busy with sends is accepted (reserve 1 per controller)', async () => {
      expect(c.gateway.channels?.usable).toBe(2);
      const sent = [];
      for (let i = 0; i < 2; i++) sent.push((await submit(c, `555101${i}`, [testPage(1)])).fax);
      // One send on each controller; its other channel is the reserve.
      await waitFor('a send on each controller', async () => {
        const busy = c.sim.channelsBusy();
        return busy[0] === 1 && busy[1] === 1 ? busy : undefined;
      });
      const view = await linesView();
      expect(view.lines[0].channels.map((s) => s.state).sort()).toEqual(['idle', 'sending']);
      const rec = await c.sim.injectCall({ from: '0891234567', to: '3001', document: [inPage()] });
      expect(rec).toMatchObject({ outcome: 'completed', controller: 1 });
      for (const f of sent) {
        const end = await waitTerminal(c.db, f.id, 90_000);
        expect(end.state, `fax ${f.id}: ${end.causeText}`).toBe('done');
      }
      expect(c.sim.calls.filter((x) => x.outcome === 'no-channel')).toEqual([]);
    }, 120_000);

    it('a send cut by the line loss is settled by the retry rules and sent after the return', async () => {
      const { fax } = await submit(c, '5551010', [testPage(4)]);
      await waitFor('the call in progress', async () => (await faxes.get(c.db, fax.id)).state === 'running');
      await waitFor('on the line', async () => c.sim.channelsBusy().some((n) => n > 0));
      await c.sim.stopServing();
      await waitFor('line down', async () => (c.gateway.lines?.down().length ?? 0) > 0);
      await c.sim.restart();
      const done = await waitTerminal(c.db, fax.id, 90_000);
      expect(done).toMatchObject({ state: 'done', pagesDone: 1 });
      expect(done.dials).toBe(2); // the cut call and the one after the return
      const ends = await c.db('audit_events').where({ fax_id: fax.id, type: 'send.end' }).count('* as n');
      expect(Number(ends[0].n)).toBe(2);
    }, 120_000);

    it('an outgoing job waits instead of dialling into controllers incoming calls filled', async () => {
      const pool = c.gateway.channels;
      if (!pool) throw new Error('no pool');
      const since = c.sim.calls.length;
      // Two incoming calls on each controller that stay on the line after page 1.
      const held = ['3001', '3002', '4000', '4001'].map((to) =>
        c.sim.injectCall({ from: '0891234567', to, document: [inPage(), inPage()], holdAfterPage: 1 }),
      );
      await waitFor('both controllers full of incoming calls', async () => {
        const v = pool.snapshot();
        return v[0].receiving === 2 && v[1].receiving === 2 ? v : undefined;
      });
      const view = await linesView();
      expect(view.lines.map((l) => l.channels.map((s) => s.state))).toEqual([
        ['receiving', 'receiving'],
        ['receiving', 'receiving'],
      ]);
      expect(view.lines.flatMap((l) => l.channels).every((s) => typeof s.faxId === 'number')).toBe(true);
      const { fax } = await submit(c, '5551000');
      // The worker took the job and waits for a channel: nothing dialled.
      await waitFor('the job waiting for a channel', async () => pool.waiting >= 1);
      expect((await faxes.get(c.db, fax.id)).dials).toBe(0);
      expect(c.sim.channelsBusy()).toEqual([2, 2]);
      // Controller 2's calls end (line drop): the fax goes out there, once.
      c.sim.dropLines(2);
      const done = await waitTerminal(c.db, fax.id, 60_000);
      expect(done).toMatchObject({ state: 'done', dials: 1 });
      c.sim.dropLines(1);
      const outcomes = (await Promise.all(held)).map((r) => r.outcome);
      expect(outcomes).not.toContain('no-channel');
      expect(c.sim.calls.slice(since).filter((x) => x.outcome === 'no-channel')).toEqual([]);
    }, 120_000);
  });
}
