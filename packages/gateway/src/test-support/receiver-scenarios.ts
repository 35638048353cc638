// The incoming path against capi-sim through a locked-down transport, real PostgreSQL: the
// rcapi and native test files run these same scenarios.
import { auditMigrations } from '@faxgate/audit';
import { CapiSession, type CapiTransport } from '@faxgate/capi-bindings';
import { type Simulator, startSimulator } from '@faxgate/capi-sim';
import { type BilevelPage, createPage, pagesEqual, readFaxDocument, setPixel } from '@faxgate/fax-core';
import { LockdownTransport, listenCipMask, resolvePolicy } from '@faxgate/isdn-lockdown';
import { createRouter } from '@faxgate/router';
import { type Fax, faxPages, mailboxes } from '@faxgate/store';
import { type MigratedTestDb, migratedTestDb } from '@faxgate/store/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Receiver, startReceiver } from '../inbound/receiver.js';

function page(seed: number, height = 120): BilevelPage {
  const p = createPage(1728, height, 'fine');
  for (let y = 0; y < height; y++) {
    const x0 = (seed * 97 + y * 7) % 1500;
    for (let x = x0; x < x0 + 50 + ((seed + y) % 60); x++) setPixel(p, x, y, true);
  }
  return p;
}

export function receiverScenarios(transportFor: (sim: Simulator) => CapiTransport): void {
  let sim: Simulator;
  let t: MigratedTestDb;
  let session: CapiSession;
  let receiver: Receiver;
  let transport: CapiTransport;
  const stored: Fax[] = [];
  const waiters: Array<() => void> = [];
  const storedFax = async (n: number): Promise<Fax> => {
    while (stored.length < n) await new Promise<void>((resolve) => waiters.push(resolve));
    return stored[n - 1];
  };
  let sales: number;
  let postoffice: number;

  beforeAll(async () => {
    sim = await startSimulator({ timeFactor: 0 });
    t = await migratedTestDb({ extra: auditMigrations });
    sales = (await mailboxes.add(t.knex, { name: 'sales', kind: 'incoming', numbers: ['+49303001'] })).id;
    postoffice = (await mailboxes.add(t.knex, { name: 'postoffice', kind: 'incoming' })).id;
    const router = createRouter(
      {
        numbering: { countryCode: '49', areaCode: '30' },
        inbound: {
          default: 'postoffice',
          rules: [
            { name: 'premium', caller: { regex: '^\\+49900' }, reject: 'premium-rate senders are refused' },
          ],
        },
      },
      await mailboxes.list(t.knex),
    );
    const policy = resolvePolicy();
    transport = new LockdownTransport(transportFor(sim), { policy });
    session = await CapiSession.open(transport, { maxLogicalConnection: 4 });
    for (const c of [1, 2]) await session.listen(c, listenCipMask(policy));
    receiver = startReceiver({
      db: t.knex,
      session,
      router,
      stationId: '+49 30 3001',
      onStored: (f) => {
        stored.push(f);
        for (const w of waiters.splice(0)) w();
      },
    });
  });
  afterAll(async () => {
    receiver?.stop();
    await session?.close();
    await transport?.close();
    await sim?.close();
    await t?.close();
  });

  it('stores a fax for an MSN in its mailbox: pages exact, audit and RECV record in place', async () => {
    const pages = [page(1), page(2, 200)];
    const rec = await sim.injectCall({ from: '0891234567', to: '3001', document: pages, csi: 'SENDER 89' });
    expect(rec.outcome).toBe('completed');
    const fax = await storedFax(1);
    expect(fax).toMatchObject({
      direction: 'in',
      state: 'received',
      mailboxId: sales,
      pagesDone: 2,
      remoteStationId: 'SENDER 89',
    });
    for (const [i, p] of pages.entries()) {
      const row = await faxPages.get(t.knex, fax.id, i + 1);
      expect(pagesEqual(readFaxDocument(row.tiff).pages[0].page, p), `page ${i + 1}`).toBe(true);
    }
    const events = await t.knex('audit_events').where('fax_id', fax.id).orderBy('id').pluck('type');
    expect(events).toEqual(['recv.begin', 'recv.end']);
    const xfer = await t.knex('xfer_log').where({ type: 'RECV', fax_id: fax.id }).first();
    expect(xfer).toMatchObject({ npages: 2, remote_station: 'SENDER 89', reason: '' });
  });

  it('delivers a fax for a number no mailbox owns to the fax post office', async () => {
    await sim.injectCall({ from: '0891234567', to: '3002', document: [page(3)] });
    const fax = await storedFax(2);
    expect(fax).toMatchObject({ state: 'received', mailboxId: postoffice, pagesDone: 1 });
  });

  it('rejects a caller the routing rules refuse, without answering and without a fax row', async () => {
    const before = await t.knex('faxes').count<{ count: number }[]>('* as count');
    const rec = await sim.injectCall({ from: '09001234567', to: '3001', document: [page(4)] });
    expect(rec.outcome).toBe('rejected');
    expect(await t.knex('faxes').count<{ count: number }[]>('* as count')).toEqual(before);
    const reject = await t.knex('audit_events').where('type', 'recv.reject').orderBy('id', 'desc').first();
    expect(reject.details).toMatchObject({ rule: 'premium' });
  });

  it('never sees a speech call: the card does not offer it, and when it does the guard rejects it', async () => {
    expect((await sim.injectCall({ from: '0891234567', to: '3001', service: 'speech' })).outcome).toBe(
      'no-listener',
    );
    const rec = await sim.injectCall({
      from: '0891234567',
      to: '3001',
      service: 'speech',
      ignoreListen: true,
    });
    expect(rec.outcome).toBe('rejected');
    const begun = await t
      .knex('audit_events')
      .where('type', 'recv.begin')
      .count<{ count: number }[]>('* as count');
    expect(Number(begun[0].count)).toBe(2); // only the two fax calls above were ever answered
  });
}
