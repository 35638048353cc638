// The line supervisor on its own, against capi-sim over rcapi and a real PostgreSQL: a
// controller the card does not have is down on its own (the other stays up); a failing
// restore step keeps the line down and counts reconnect attempts; report() takes a line down
// at once and the next attempt brings it back; every transition is audited once.
import { auditMigrations } from '@faxgate/audit';
import { RcapiTransport } from '@faxgate/capi-bindings';
import { type Simulator, startSimulator } from '@faxgate/capi-sim';
import { type MigratedTestDb, migratedTestDb } from '@faxgate/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../config/load.js';
import { createGatewayLogger } from '../logger.js';
import { waitFor } from '../test-support/pipeline-fixture.js';
import { startLineSupervisor } from './supervisor.js';

let sim: Simulator;
let t: MigratedTestDb;
beforeAll(async () => {
  sim = await startSimulator({ timeFactor: 0 }); // controllers 1 and 2
  t = await migratedTestDb({ extra: auditMigrations });
});
afterAll(async () => {
  await sim?.close();
  await t?.close();
});

const setup = (controllers: number[]) => {
  const { config } = validateConfig(
    { logging: { level: 'error' }, lines: { transport: 'rcapi', port: sim.port, controllers } },
    {},
  );
  const transport = new RcapiTransport({ port: sim.port, callTimeoutMs: 2000 });
  return { config, transport, log: createGatewayLogger(config, 'test') };
};

const events = async (subject: string) =>
  (await t.knex('audit_events').where({ subject }).orderBy('id').select('type', 'details')) as Array<{
    type: string;
    details: Record<string, unknown>;
  }>;

describe('line supervisor', () => {
  it('tells controllers apart: one the card lacks is down, the others up', async () => {
    const { config, transport, log } = setup([1, 2, 5]);
    const s = startLineSupervisor({
      config,
      db: t.knex,
      log,
      actor: 'gateway:test',
      transport,
      probeIntervalMs: 200,
    });
    try {
      await s.ready;
      expect(s.down()).toEqual(['controller 5']);
      expect(s.isUp(1)).toBe(true);
      const five = s.state().lines.find((l) => l.controller === 5);
      expect(five).toMatchObject({ state: 'down', bChannels: null });
      expect(five?.lastError).toMatch(/0x2002/);
      expect(s.state().lines[0]).toMatchObject({ state: 'up', bChannels: 2, reconnectAttempts: 0 });
      await waitFor(
        'line.down of controller 5',
        async () => (await events('line:controller-5')).length === 1,
      );
      expect((await events('line:controller-5'))[0]).toMatchObject({
        type: 'line.down',
        details: { controller: 5, transport: 'rcapi' },
      });
      // It keeps trying (backoff) and stays down while the card lacks it.
      await waitFor('a second attempt', async () =>
        s.state().lines[2].reconnectAttempts >= 2 ? true : undefined,
      );
      expect(s.down()).toEqual(['controller 5']);
    } finally {
      await s.stop();
      await transport.close();
    }
  });

  it('report() takes a line down at once; a failing restore step keeps it down; then line.up', async () => {
    const { config, transport, log } = setup([2]);
    const s = startLineSupervisor({
      config,
      db: t.knex,
      log,
      actor: 'gateway:test',
      transport,
      probeIntervalMs: 60_000,
    });
    let failing = true;
    let restored = 0;
    s.addRestoreStep(async (controllers) => {
      expect(controllers).toEqual([2]);
      if (failing) throw new Error('LISTEN refused');
      restored++;
    });
    const changes: string[] = [];
    s.on('change', (lines) => changes.push(lines[0].state));
    try {
      await s.ready;
      // The first probe found it and the (failing) restore step kept it down.
      expect(s.down()).toEqual(['controller 2']);
      expect(s.state().lines[0].lastError).toBe('LISTEN refused');
      await waitFor('three attempts', async () => s.state().lines[0].reconnectAttempts >= 3);
      failing = false;
      await waitFor('up', async () => s.isUp(2));
      expect(restored).toBe(1);
      s.report(new Error('connection reset'), [2]);
      expect(s.down()).toEqual(['controller 2']); // at once, before any probe
      expect(s.state().lines[0].lastError).toBe('connection reset');
      await waitFor('up again', async () => s.isUp(2));
      expect(restored).toBe(2);
      const ev = await events('line:controller-2');
      await waitFor('4 events', async () => (await events('line:controller-2')).length === 4);
      expect((await events('line:controller-2')).map((e) => e.type)).toEqual([
        'line.down',
        'line.up',
        'line.down',
        'line.up',
      ]);
      expect(ev[0].details).toMatchObject({ reason: 'LISTEN refused' });
      expect(changes.filter((c) => c === 'up').length).toBeGreaterThanOrEqual(2);
    } finally {
      await s.stop();
      await transport.close();
    }
  });
});
