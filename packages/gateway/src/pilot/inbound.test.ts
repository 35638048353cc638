// Incoming faxes in pilot mode, against PostgreSQL: a call the router would deliver to a
// user's mailbox goes to the fax post office (rule 'pilot') until the node is released;
// rejections stay rejections; production mode is the router untouched.
import { auditMigrations } from '@faxgate/audit';
import { createRouter } from '@faxgate/router';
import { mailboxes } from '@faxgate/store';
import { type MigratedTestDb, migratedTestDb } from '@faxgate/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../config/load.js';
import type { FaxgateConfig } from '../config/schema.js';
import { pilotInbound } from './inbound.js';
import { forgetMode } from './state.js';

let t: MigratedTestDb;
let config: FaxgateConfig;
let router: ReturnType<typeof createRouter>;

beforeAll(async () => {
  t = await migratedTestDb({ extra: auditMigrations });
  config = validateConfig({
    database: { url: t.db.url },
    mode: 'pilot',
    pilot: { testNumbers: ['+49305550100'] },
    routing: {
      numbering: { countryCode: '49', areaCode: '30', localNumberLength: 7 },
      inbound: {
        default: 'postoffice',
        rules: [{ name: 'no anonymous', caller: { absent: true }, reject: 'anonymous callers refused' }],
      },
    },
  }).config;
  await mailboxes.add(t.knex, { name: 'postoffice', kind: 'incoming' });
  await mailboxes.add(t.knex, { name: 'sales', kind: 'incoming', numbers: ['+49303001'] });
  const boxes = (await mailboxes.list(t.knex)).map((m) => ({
    id: m.id,
    name: m.name,
    kind: m.kind,
    numbers: m.numbers,
  }));
  router = createRouter(config.routing, boxes);
}, 60_000);
afterAll(async () => {
  await t?.close();
});

describe('incoming faxes in pilot mode', () => {
  it('go to the post office until the release; rejections stay', async () => {
    expect(router.routeIncoming({ called: '+49303001', caller: '+498912345' })).toMatchObject({
      action: 'deliver',
      mailbox: { name: 'sales' },
    });
    const pilot = await pilotInbound(t.knex, config, router);
    try {
      expect(pilot.router.routeIncoming({ called: '+49303001', caller: '+498912345' })).toMatchObject({
        action: 'deliver',
        mailbox: { name: 'postoffice' },
        rule: 'pilot',
      });
      expect(pilot.router.routeIncoming({ called: '+49303001' })).toMatchObject({ action: 'reject' });

      // released (as faxgate release records it): the router decides again
      const [st] = await t
        .knex('selftest_reports')
        .insert({
          node: config.node.name,
          actor: 'a',
          passed: true,
          report: '{}',
          signed: '{}',
          signature: 'x',
          key_id: 'k',
        })
        .returning('id');
      await t
        .knex('releases')
        .insert({ node: config.node.name, released_by: 'b', selftest_id: st.id, last_changed_by: 'a' });
      forgetMode(t.knex);
      await pilot.refresh();
      expect(pilot.router.routeIncoming({ called: '+49303001', caller: '+498912345' })).toMatchObject({
        mailbox: { name: 'sales' },
      });
    } finally {
      pilot.stop();
    }
  });

  it('production mode leaves the router alone', async () => {
    const prod = await pilotInbound(t.knex, { ...config, mode: 'production' }, router);
    expect(prod.router.routeIncoming({ called: '+49303001', caller: '+498912345' })).toMatchObject({
      mailbox: { name: 'sales' },
    });
    prod.stop();
  });
});
