import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditInsertFrom } from './append.js';
import { insertAlong } from './insert-along.js';
import { type AuditTestDb, auditTestDb } from './test-support/db.js';
import { recordXfer, type XferRecord, xferInsertFrom } from './xferlog.js';

describe('insertAlong refuses what would make a wrong statement', () => {
  it('names, empty and ragged rows', () => {
    expect(() => insertAlong('xfer_log', 'x y', [{ a: 1 }])).toThrow(/source/);
    expect(() => insertAlong('xfer_log', 'src', [])).toThrow(/nothing/);
    expect(() => insertAlong('xfer_log', 'src', [{ a: 1 }, { b: 1 }])).toThrow(/same columns/);
    expect(() => insertAlong('xfer_log', 'src', [{ 'a"; DROP': 1 }])).toThrow(/column/);
    expect(() =>
      auditInsertFrom('src', [
        { type: 'send.end', actor: 'gw', time: new Date() },
        { type: 'send.done', actor: 'gw' },
      ]),
    ).toThrow(/time/);
  });
});

describe('xferInsertFrom', () => {
  let t: AuditTestDb;
  beforeAll(async () => {
    t = await auditTestDb();
  });
  afterAll(async () => t?.close());

  const record: XferRecord = {
    type: 'SEND',
    time: new Date('2026-03-04T05:06:59.123Z'),
    commid: '7.1',
    device: 'c1',
    jobid: '7',
    dest: '+49301234567',
    npages: 3,
    jobtimeSeconds: 62,
    callIds: ['a', 'b:c'],
    reason: 'No "answer"\t',
    jobinfo: { totpages: 3, ntries: 1, ndials: 1, totdials: 2, maxdials: 12, tottries: 1, maxtries: 3 },
    faxId: 7,
    mailboxId: 2,
    resultCode: 'no_answer',
  };

  it('writes the row recordXfer writes, once per source row', async () => {
    const id = await recordXfer(t.knex, record);
    const along = xferInsertFrom('src', { ...record, faxId: 8 });
    await t.knex.raw(`WITH src AS (SELECT 1), ins AS (${along.sql}) SELECT 1`, along.bindings);
    const none = xferInsertFrom('src', { ...record, faxId: 9 });
    await t.knex.raw(`WITH src AS (SELECT 1 WHERE false), ins AS (${none.sql}) SELECT 1`, none.bindings);
    const strip = ({ id: _i, fax_id: _f, recorded_at: _r, ...rest }: Record<string, unknown>) => rest;
    const direct = await t.knex('xfer_log').where({ id }).first();
    const viaAlong = await t.knex('xfer_log').where({ fax_id: 8 });
    expect(viaAlong).toHaveLength(1);
    expect(strip(viaAlong[0])).toEqual(strip(direct));
    expect(viaAlong[0].call_ids).toEqual(['a', 'b:c']);
    expect(await t.knex('xfer_log').where({ fax_id: 9 })).toEqual([]);
  });
});
