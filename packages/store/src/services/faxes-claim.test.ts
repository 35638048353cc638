import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MigratedTestDb, migratedTestDb } from '../test-support/db.js';
import * as faxes from './faxes.js';

let t: MigratedTestDb;
beforeAll(async () => {
  t = await migratedTestDb();
});
afterAll(async () => {
  await t?.close();
});

const QUEUED = ['pending', 'sleeping'] as const;
const waiting = (remoteNumber: string, more: Partial<faxes.NewFax> = {}) =>
  faxes.insert(t.knex, {
    direction: 'out',
    state: 'pending',
    remoteNumber,
    metadata: { owner: 'ada', stopRequestedBy: 'old stop' },
    ...more,
  });
const claim = (id: number, now = new Date()) =>
  faxes.claimForCall(t.knex, id, { from: QUEUED, line: 'c1', worker: 'w-1', now });

describe('faxes.claimForCall', () => {
  it('starts a dial: running, dials + 1, line, worker, start time kept from the first dial', async () => {
    const f = await waiting('+4930111');
    const now = new Date('2026-11-28T10:00:00Z');
    const running = await claim(f.id, now);
    expect(running).toMatchObject({ state: 'running', dials: 1, line: 'c1', version: f.version + 1 });
    expect(running?.startedAt?.toISOString()).toBe(now.toISOString());
    expect(running?.metadata).toEqual({ owner: 'ada', worker: 'w-1' }); // an old stop request is gone
    await faxes.updateState(t.knex, f.id, 'sleeping', { notBefore: null });
    const again = await claim(f.id, new Date('2026-11-28T10:05:00Z'));
    expect(again?.dials).toBe(2);
    expect(again?.startedAt?.toISOString()).toBe(now.toISOString());
  });

  it('refuses a second call to a number that is in a call, by the unique index', async () => {
    const a = await waiting('+4930222');
    const b = await waiting('+4930222');
    expect(await claim(a.id)).not.toBeNull();
    const lost = await claim(b.id).catch((e: unknown) => e);
    expect(faxes.isNumberBusy(lost)).toBe(true);
    expect((await faxes.get(t.knex, b.id)).state).toBe('pending');
    await faxes.updateState(t.knex, a.id, 'done');
    expect((await claim(b.id))?.state).toBe('running');
  });

  it('leaves a fax that is not due, past its kill time or not waiting untouched (null)', async () => {
    const now = new Date();
    const later = await waiting('+4930333', { notBefore: new Date(now.getTime() + 60_000) });
    const killed = await waiting('+4930444', { killAt: new Date(now.getTime() - 1) });
    const done = await waiting('+4930555', { state: 'done' });
    for (const f of [later, killed, done]) {
      expect(await claim(f.id, now)).toBeNull();
      expect((await faxes.get(t.knex, f.id)).version).toBe(f.version);
    }
  });

  it('runs the statement given along in the same statement: only for a claimed row, all or nothing', async () => {
    await t.knex.raw('CREATE TABLE claim_log (fax_id bigint NOT NULL CHECK (fax_id > 0), note text)');
    const along = (note: string) => ({
      sql: 'INSERT INTO claim_log (fax_id, note) SELECT id, ?::text FROM changed',
      bindings: [note],
    });
    const logged = async (id: number) => (await t.knex('claim_log').where({ fax_id: id })).map((r) => r.note);
    const f = await waiting('+4930666');
    const opts = { from: QUEUED, line: 'c2', worker: 'w-2', now: new Date(), version: f.version };
    // An outdated version claims nothing and logs nothing.
    expect(
      await faxes.claimForCall(t.knex, f.id, { ...opts, version: f.version - 1 }, [along('stale')]),
    ).toBeNull();
    expect(await logged(f.id)).toEqual([]);
    const running = await faxes.claimForCall(t.knex, f.id, opts, [along('begin')]);
    expect(running).toMatchObject({ id: f.id, state: 'running', line: 'c2', dials: 1 });
    expect(await logged(f.id)).toEqual(['begin']);
    // When the statement along fails, the claim fails with it.
    const g = await waiting('+4930777');
    const bad = { sql: 'INSERT INTO claim_log (fax_id) SELECT -id FROM changed', bindings: [] };
    await expect(faxes.claimForCall(t.knex, g.id, { ...opts, version: g.version }, [bad])).rejects.toThrow(
      /check/,
    );
    expect((await faxes.get(t.knex, g.id)).state).toBe('pending');
  });

  it('is not fooled by other unique violations', () => {
    expect(faxes.isNumberBusy({ code: '23505', constraint: 'faxes_idempotency_key_key' })).toBe(false);
    expect(faxes.isNumberBusy(new Error('x'))).toBe(false);
  });
});
