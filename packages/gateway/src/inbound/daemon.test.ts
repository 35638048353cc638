// The daemon's listening side against capi-sim (rcapi) and a real PostgreSQL: send-receive
// stores a fax in the mailbox that owns the number; outgoing-only LISTENs with an empty CIP
// mask and a call offered anyway is rejected, never answered, nothing stored.
import { auditMigrations } from '@faxgate/audit';
import { type Simulator, startSimulator } from '@faxgate/capi-sim';
import { createPage, setPixel } from '@faxgate/fax-core';
import { type Fax, mailboxes } from '@faxgate/store';
import { type MigratedTestDb, migratedTestDb } from '@faxgate/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../config/load.js';
import { createGatewayLogger } from '../logger.js';
import { startInbound } from './daemon.js';

let sim: Simulator;
let t: MigratedTestDb;

beforeAll(async () => {
  sim = await startSimulator({ timeFactor: 0 });
  t = await migratedTestDb({ extra: auditMigrations });
  await mailboxes.add(t.knex, { name: 'sales', kind: 'incoming', numbers: ['+49303001'] });
  await mailboxes.add(t.knex, { name: 'postoffice', kind: 'incoming' });
});
afterAll(async () => {
  await sim?.close();
  await t?.close();
});

function configFor(mode: 'send-receive' | 'outgoing-only') {
  return validateConfig(
    {
      logging: { level: 'error' },
      lines: { transport: 'rcapi', port: sim.port, controllers: [1, 2] },
      lockdown: { mode },
      routing: { numbering: { countryCode: '49', areaCode: '30' }, inbound: { default: 'postoffice' } },
      queue: { stationId: '+49 30 3001' },
    },
    {},
  ).config;
}

const page = () => {
  const p = createPage(1728, 60, 'fine');
  for (let y = 10; y < 50; y++) for (let x = 200; x < 900; x++) setPixel(p, x, y, true);
  return p;
};

describe('startInbound', () => {
  it('send-receive: LISTENs for fax and stores a received fax in the mailbox that owns the number', async () => {
    const config = configFor('send-receive');
    const stored: Fax[] = [];
    let done: () => void = () => {};
    const got = new Promise<void>((resolve) => {
      done = resolve;
    });
    const inbound = await startInbound({
      config,
      db: t.knex,
      log: createGatewayLogger(config, 'test'),
      actor: 'gateway:test',
      onStored: (f) => {
        stored.push(f);
        done();
      },
    });
    try {
      const rec = await sim.injectCall({ from: '0891234567', to: '3001', document: [page()] });
      expect(rec.outcome).toBe('completed');
      await got;
      const sales = await mailboxes.get(t.knex, 'sales');
      expect(stored[0]).toMatchObject({ state: 'received', mailboxId: sales.id, pagesDone: 1 });
    } finally {
      await inbound.stop();
    }
  });

  it('outgoing-only: LISTEN with an empty mask; a call offered anyway is rejected and nothing stored', async () => {
    const config = configFor('outgoing-only');
    const since = sim.trace.entries().at(-1)?.seq ?? 0;
    const inbound = await startInbound({
      config,
      db: t.knex,
      log: createGatewayLogger(config, 'test'),
      actor: 'gateway:test',
    });
    try {
      const listens = sim.trace
        .entries()
        .filter((e) => e.seq > since && e.name === 'LISTEN_REQ' && e.dir === 'in');
      expect(listens.map((e) => (e.message as { cipMask: number }).cipMask)).toEqual([0, 0]);
      const before = await t.knex('faxes').count<{ count: number }[]>('* as count');
      const rec = await sim.injectCall({
        from: '0891234567',
        to: '3001',
        document: [page()],
        ignoreListen: true,
      });
      expect(rec.outcome).toBe('rejected');
      expect(await t.knex('faxes').count<{ count: number }[]>('* as count')).toEqual(before);
      const rejected = await t
        .knex('audit_events')
        .where('type', 'lockdown.call_rejected')
        .orderBy('id', 'desc')
        .first();
      expect(rejected.details).toMatchObject({ rule: 'outgoing-only', reject: 2 });
    } finally {
      await inbound.stop();
    }
  });
});
