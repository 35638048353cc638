// Routing without restarts against capi-sim (rcapi) and a real PostgreSQL: a mailbox number
// added while the daemon listens receives at once (NOTIFY → router rebuilt); a reloaded
// caller blocklist rejects the next call; nothing was restarted.
import { auditMigrations } from '@faxgate/audit';
import { type Simulator, startSimulator } from '@faxgate/capi-sim';
import { createPage, setPixel } from '@faxgate/fax-core';
import { type Fax, mailboxes } from '@faxgate/store';
import { type MigratedTestDb, migratedTestDb } from '@faxgate/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../config/load.js';
import { startInbound } from '../inbound/daemon.js';
import { createGatewayLogger } from '../logger.js';
import { watchDirectory } from './directory-watch.js';

let sim: Simulator;
let t: MigratedTestDb;

beforeAll(async () => {
  sim = await startSimulator({ timeFactor: 0 });
  t = await migratedTestDb({ extra: auditMigrations });
  await mailboxes.add(t.knex, { name: 'postoffice', kind: 'incoming' });
});
afterAll(async () => {
  await sim?.close();
  await t?.close();
});

const page = () => {
  const p = createPage(1728, 60, 'fine');
  for (let y = 10; y < 50; y++) for (let x = 200; x < 900; x++) setPixel(p, x, y, true);
  return p;
};

async function until(what: string, cond: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('routing without restarts', () => {
  it('a number added while running receives at once; a reloaded caller blocklist applies to the next call', async () => {
    const raw = {
      logging: { level: 'error' },
      lines: { transport: 'rcapi', port: sim.port, controllers: [1] },
      routing: { numbering: { countryCode: '49', areaCode: '30' }, inbound: { default: 'postoffice' } },
    };
    const { config } = validateConfig(raw, {});
    const log = createGatewayLogger(config, 'test');
    const stored: Fax[] = [];
    const inbound = await startInbound({
      config,
      db: t.knex,
      log,
      actor: 'gateway:test',
      onStored: (f) => stored.push(f),
    });
    const watch = watchDirectory({
      databaseUrl: t.db.url,
      log,
      onChange: async () => {
        await inbound.reconfigure();
      },
    });
    try {
      await watch.ready;
      const runs = watch.runs;
      const support = await mailboxes.add(t.knex, {
        name: 'support',
        kind: 'incoming',
        numbers: ['+49303002'],
      });
      await until('the router rebuilt after the NOTIFY', () => watch.runs > runs);
      const rec = await sim.injectCall({ from: '0891234567', to: '3002', document: [page()] });
      expect(rec.outcome).toBe('completed');
      await until('the fax stored', () => stored.length === 1);
      expect(stored[0]).toMatchObject({ state: 'received', mailboxId: support.id });

      // A reload of the file (config reload / SIGHUP) with a caller blocklist.
      const next = validateConfig({ ...raw, lockdown: { callerBlocklist: ['+49891234567'] } }, {}).config;
      await inbound.reconfigure(next);
      const blocked = await sim.injectCall({ from: '0891234567', to: '3002', document: [page()] });
      expect(blocked.outcome).toBe('rejected');
      const event = await t
        .knex('audit_events')
        .where('type', 'lockdown.call_rejected')
        .orderBy('id', 'desc')
        .first();
      expect(event.details).toMatchObject({ rule: 'caller-blocked' });
      expect(stored).toHaveLength(1);
    } finally {
      await watch.stop();
      await inbound.stop();
    }
  });
});
