// Crash recovery of receptions against a real PostgreSQL: a fax left 'receiving' by a process
// that is gone is closed with the pages it committed (state, cause, recv.end, one RECV record
// in one transaction); a reception whose process is alive is left alone.
import { auditMigrations } from '@faxgate/audit';
import { createPage, pagesEqual, readFaxDocument, setPixel } from '@faxgate/fax-core';
import { type Fax, faxes, faxPages, mailboxes } from '@faxgate/store';
import { type MigratedTestDb, migratedTestDb } from '@faxgate/store/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startPresence, type WorkerPresence } from '../pipeline/presence.js';
import { commitPage, type Receiving } from './receive-store.js';
import { recoverInterruptedReceives } from './recover.js';

let t: MigratedTestDb;
let box: number;
let alive: WorkerPresence;

beforeAll(async () => {
  t = await migratedTestDb({ extra: auditMigrations });
  box = (await mailboxes.add(t.knex, { name: 'in', kind: 'incoming' })).id;
  alive = await startPresence(t.knex);
});
afterAll(async () => {
  await alive?.stop();
  await t?.close();
});

const page = (seed: number) => {
  const p = createPage(1728, 80, 'fine');
  for (let y = 5; y < 75; y++) for (let x = seed * 50; x < seed * 50 + 300; x++) setPixel(p, x, y, true);
  return p;
};

async function receiving(receiver: string | undefined, pages: number): Promise<Fax> {
  const fax = await faxes.insert(t.knex, {
    direction: 'in',
    state: 'receiving',
    mailboxId: box,
    localNumber: '+49303001',
    remoteNumber: '+49891234567',
    remoteStationId: 'SENDER',
    startedAt: new Date(),
    line: '1',
    metadata: receiver ? { receiver } : {},
  });
  const r: Receiving = {
    fax,
    pages: 0,
    started: new Date(),
    controller: 1,
    caller: '0891234567',
    actor: 'test',
  };
  for (let i = 0; i < pages; i++) await commitPage(t.knex, r, page(i + 1));
  return r.fax;
}

it('closes a reception whose process is gone with the pages it committed; leaves a live one alone', async () => {
  const cut = await receiving('12345', 2); // no process holds presence 12345
  const none = await receiving(undefined, 0); // a row from before receivers named themselves
  const live = await receiving(alive.instanceId, 1);
  expect(cut).toMatchObject({ state: 'receiving', pagesDone: 2 });

  const closed = await recoverInterruptedReceives(t.knex, 'gateway:test');
  expect(closed.map((c) => [c.fax.id, c.pages])).toEqual([
    [cut.id, 2],
    [none.id, 0],
  ]);

  const after = await faxes.get(t.knex, cut.id);
  expect(after).toMatchObject({
    state: 'failed',
    cause: 'partial',
    causeText: 'receive interrupted: gateway stopped during the call; 2 pages kept',
    pagesDone: 2,
    pagesTotal: 2,
  });
  for (const n of [1, 2]) {
    const row = await faxPages.get(t.knex, cut.id, n);
    expect(pagesEqual(readFaxDocument(row.tiff).pages[0].page, page(n))).toBe(true);
  }
  const xfer = await t.knex('xfer_log').where({ type: 'RECV', fax_id: cut.id });
  expect(xfer).toHaveLength(1);
  expect(xfer[0]).toMatchObject({ npages: 2, result_code: 'partial', remote_station: 'SENDER' });
  const events = await t.knex('audit_events').where('fax_id', cut.id).orderBy('id');
  expect(events.map((e) => e.type)).toEqual(['recv.page', 'recv.page', 'recv.end']);
  expect(events[2].details).toMatchObject({ ok: false, pages: 2, cause: 'partial', interrupted: true });

  expect(await faxes.get(t.knex, none.id)).toMatchObject({
    state: 'failed',
    cause: 'interrupted',
    causeText: 'receive interrupted: gateway stopped during the call; no page kept',
  });
  expect((await faxes.get(t.knex, live.id)).state).toBe('receiving');

  // Nothing twice: a second pass finds nothing to close.
  expect(await recoverInterruptedReceives(t.knex, 'gateway:test')).toEqual([]);
  expect(await t.knex('xfer_log').where({ type: 'RECV', fax_id: cut.id })).toHaveLength(1);
});

it("a process's own receptions are never closed by its own pass (even if its presence lock was lost)", async () => {
  const mine = await receiving('12347', 1);
  expect(await recoverInterruptedReceives(t.knex, 'gateway:test', { self: '12347' })).toEqual([]);
  expect((await faxes.get(t.knex, mine.id)).state).toBe('receiving');
  const [closed] = await recoverInterruptedReceives(t.knex, 'gateway:test');
  expect(closed.fax).toMatchObject({ id: mine.id, state: 'failed', cause: 'partial' });
});

it('a page is never added to a fax that is no longer receiving', async () => {
  const fax = await receiving('12346', 1);
  const r: Receiving = { fax, pages: 1, started: new Date(), controller: 1, caller: '', actor: 'test' };
  await recoverInterruptedReceives(t.knex, 'gateway:test');
  await expect(commitPage(t.knex, r, page(2))).rejects.toThrow(/is failed, expected receiving/);
  expect(await faxPages.list(t.knex, fax.id)).toHaveLength(1);
});
