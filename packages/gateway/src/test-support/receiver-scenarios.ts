// The incoming path against capi-sim through a locked-down transport, real PostgreSQL: the
// rcapi and native test files run these same scenarios.
import { auditMigrations, decodeXferParams } from '@faxgate/audit';
import { CapiSession, type CapiTransport } from '@faxgate/capi-bindings';
import { type Simulator, startSimulator } from '@faxgate/capi-sim';
import { type BilevelPage, createPage, pagesEqual, readFaxDocument, setPixel } from '@faxgate/fax-core';
import { LockdownTransport, listenCipMask, resolvePolicy, tsiBlocked } from '@faxgate/isdn-lockdown';
import { createRouter } from '@faxgate/router';
import { type Fax, faxPages, mailboxes } from '@faxgate/store';
import { type MigratedTestDb, migratedTestDb } from '@faxgate/store/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { callerNumbering } from '../inbound/numbering.js';
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
  /** The stored fax whose end `pred` recognises (each call below has its own caller). */
  const storedWhere = async (pred: (f: Fax) => boolean): Promise<Fax> => {
    for (;;) {
      const f = stored.find(pred);
      if (f) return f;
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  let sales: number;
  const lockdownEvents: { type: string; details: Record<string, unknown> }[] = [];
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
            { name: 'acme', tsi: '^ACME', mailbox: 'sales' },
            { name: 'junk', tsi: '^JUNK', reject: 'junk senders are refused' },
          ],
        },
      },
      await mailboxes.list(t.knex),
    );
    const policy = resolvePolicy({ tsiBlocklist: ['^SPAM'], callerBlocklist: ['+49891111111', '0700555*'] });
    transport = new LockdownTransport(transportFor(sim), {
      policy,
      numbering: callerNumbering(router.plan),
      onEvent: (e) => {
        lockdownEvents.push(e);
      },
    });
    session = await CapiSession.open(transport, { maxLogicalConnection: 4 });
    for (const c of [1, 2]) await session.listen(c, listenCipMask(policy));
    receiver = startReceiver({
      db: t.knex,
      session,
      router,
      stationId: '+49 30 3001',
      tsiBlocked: (tsi) => tsiBlocked(policy, tsi),
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
    // each page committed as it arrived, with its own event; one RECV record at the end
    const events = await t.knex('audit_events').where('fax_id', fax.id).orderBy('id').pluck('type');
    expect(events).toEqual(['recv.begin', 'recv.page', 'recv.page', 'recv.end']);
    const xfer = await t.knex('xfer_log').where({ type: 'RECV', fax_id: fax.id });
    expect(xfer).toHaveLength(1);
    expect(xfer[0]).toMatchObject({ npages: 2, remote_station: 'SENDER 89', reason: '' });
    // params: HylaFAX's packed session word from the card's rate and the pages received
    const end = await t.knex('audit_events').where({ fax_id: fax.id, type: 'recv.end' }).first();
    expect(end.details.rate).toBeGreaterThan(0);
    expect(decodeXferParams(xfer[0].params)).toMatchObject({
      form: 'packed',
      bitRate: end.details.rate,
      width: pages[0].width,
      length: 'a4',
    });
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

  it('a sender that hangs up mid-document: the pages it got are kept, the fax says partial, one RECV record', async () => {
    const pages = [page(41), page(42, 150), page(43), page(44)];
    const rec = await sim.injectCall({ from: '0891230041', to: '3001', document: pages, hangUpAfterPage: 2 });
    expect(rec.outcome).toBe('remote-abort');
    const fax = await storedWhere((f) => f.remoteNumber === '+49891230041');
    expect(fax).toMatchObject({ state: 'failed', cause: 'partial', pagesDone: 2, mailboxId: sales });
    expect(fax.causeText).toMatch(/^receive ended early: .+; 2 pages kept$/);
    for (const [i, p] of pages.slice(0, 2).entries()) {
      const row = await faxPages.get(t.knex, fax.id, i + 1);
      expect(pagesEqual(readFaxDocument(row.tiff).pages[0].page, p), `page ${i + 1}`).toBe(true);
    }
    expect(await faxPages.list(t.knex, fax.id)).toHaveLength(2);
    const xfer = await t.knex('xfer_log').where({ type: 'RECV', fax_id: fax.id });
    expect(xfer).toHaveLength(1);
    expect(xfer[0]).toMatchObject({ npages: 2, result_code: 'partial', reason: fax.causeText });
  });

  it('TSI rules apply after training: the fax moves to the mailbox the TSI rule picks (fax.route)', async () => {
    // 3002 has no mailbox: by the called number the fax post office would get it
    await sim.injectCall({ from: '0891230042', to: '3002', document: [page(45)], csi: 'ACME Corp' });
    const fax = await storedWhere((f) => f.remoteNumber === '+49891230042');
    expect(fax).toMatchObject({
      state: 'received',
      mailboxId: sales,
      remoteStationId: 'ACME Corp',
      pagesDone: 1,
    });
    expect(fax.metadata).toMatchObject({ rule: 'acme' });
    const route = await t.knex('audit_events').where({ fax_id: fax.id, type: 'fax.route' }).first();
    expect(route.details).toMatchObject({ from: postoffice, to: sales, rule: 'acme', tsi: 'ACME Corp' });
    const types = await t.knex('audit_events').where('fax_id', fax.id).orderBy('id').pluck('type');
    expect(types).toEqual(['recv.begin', 'fax.route', 'recv.page', 'recv.end']);
  });

  it('a TSI rule that rejects ends the call after training: no page stored, the fax says why', async () => {
    const rec = await sim.injectCall({
      from: '0891230043',
      to: '3001',
      document: [page(46), page(47)],
      csi: 'JUNK FAX',
    });
    expect(rec.outcome).not.toBe('completed');
    const fax = await storedWhere((f) => f.remoteNumber === '+49891230043');
    expect(fax).toMatchObject({
      state: 'failed',
      cause: 'rejected',
      pagesDone: 0,
      remoteStationId: 'JUNK FAX',
    });
    expect(fax.causeText).toContain('junk senders are refused (routing rule junk');
    expect(await faxPages.list(t.knex, fax.id)).toHaveLength(0);
  });

  it('the lockdown TSI blocklist cuts the sender off after training; the fax says so', async () => {
    const rec = await sim.injectCall({
      from: '0891230044',
      to: '3001',
      document: [page(48), page(49)],
      csi: 'spammer 1',
    });
    expect(rec.outcome).not.toBe('completed');
    const fax = await storedWhere((f) => f.remoteNumber === '+49891230044');
    expect(fax).toMatchObject({ state: 'failed', cause: 'tsi-blocked', remoteStationId: 'spammer 1' });
    expect(
      lockdownEvents.some((e) => e.details.rule === 'tsi-blocked' && e.details.tsi === 'spammer 1'),
    ).toBe(true);
  });

  it('the caller blocklist is matched in E.164: +49891111111 blocks 0891111111, 891111111 (national), 49891111111 (international)', async () => {
    const calls = [
      { from: '0891111111', callerType: 'unknown' },
      { from: '0891111111', callerType: 'national' },
      { from: '891111111', callerType: 'national' },
      { from: '49891111111', callerType: 'international' },
      { from: '07005551234', callerType: 'unknown' }, // the 0700555* prefix
      { from: '4970055512', callerType: 'international' },
    ] as const;
    for (const c of calls) {
      const rec = await sim.injectCall({ ...c, to: '3001', document: [page(50)] });
      expect(rec.outcome, `${c.from} (${c.callerType})`).toBe('rejected');
    }
    const blocked = lockdownEvents
      .filter((e) => e.details.rule === 'caller-blocked')
      .map((e) => e.details.caller);
    expect(blocked).toEqual(calls.map((c) => c.from));
    // a neighbouring number still gets through
    const rec = await sim.injectCall({
      from: '891111112',
      callerType: 'national',
      to: '3001',
      document: [page(51)],
    });
    expect(rec.outcome).toBe('completed');
    const fax = await storedWhere((f) => f.remoteNumber === '+49891111112');
    expect(fax.state).toBe('received');
  });
}
