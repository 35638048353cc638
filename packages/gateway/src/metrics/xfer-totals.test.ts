// The send/receive log's running totals against real PostgreSQL: rows are counted once
// whether they were folded into the totals or read again as recent, and a restart (a new
// reader) counts the same from the log.
import { auditMigrations, recordXfer } from '@faxgate/audit';
import { type Knex, migrate, openDatabase } from '@faxgate/store';
import { createTestDatabase, type TestDatabase } from '@faxgate/store/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { causeLabel, controllerOf, createXferTotals, key } from './xfer-totals.js';

let testDb: TestDatabase;
let db: Knex;

beforeAll(async () => {
  testDb = await createTestDatabase('faxgate_xfertotals');
  db = openDatabase(testDb.url, { poolMax: 2 });
  await migrate(db, auditMigrations);
});

afterAll(async () => {
  await db?.destroy();
  await testDb?.drop();
});

const record = (type: 'SEND' | 'RECV' | 'UNSENT', device: string, resultCode: string, npages: number) =>
  db.transaction((trx) => recordXfer(trx, { type, time: new Date(), device, resultCode, npages }));

it('names controllers and causes as label values', () => {
  expect([controllerOf('c2'), controllerOf('capi12'), controllerOf('')]).toEqual(['2', '12', '']);
  expect([causeLabel(''), causeLabel('busy'), causeLabel('x'.repeat(99)).length]).toEqual([
    'unknown',
    'busy',
    40,
  ]);
});

it('counts every SEND and RECV once across folds, and a new reader agrees', async () => {
  let t = 0;
  const totals = createXferTotals({ foldAfterMs: 1000, now: () => t });
  await record('SEND', 'c1', 'ok', 2);
  await record('RECV', 'capi2', 'ok', 1);
  await record('UNSENT', '', 'stopped', 0); // no call: not counted
  let x = await totals.read(db);
  expect(x.pages).toEqual(
    new Map([
      ['out', 2],
      ['in', 1],
    ]),
  );
  t = 2000; // the first read is old enough now: its rows are folded
  await record('SEND', 'c1', 'busy', 0);
  x = await totals.read(db);
  t = 4000;
  await record('SEND', 'c2', 'ok', 3);
  x = await totals.read(db);
  x = await totals.read(db); // reading again counts nothing twice
  expect(x.calls).toEqual(
    new Map([
      [key('out', '1'), 2],
      [key('in', '2'), 1],
      [key('out', '2'), 1],
    ]),
  );
  expect(x.outcomes.get(key('out', 'ok'))).toBe(2);
  expect(x.outcomes.get(key('out', 'busy'))).toBe(1);
  expect(x.pages.get('out')).toBe(5);
  const restarted = await createXferTotals().read(db);
  expect(restarted).toEqual(x);
});
