// Commits never seal (0104) and never wait for the chain head: their events are never lost,
// and the next seal chains them (seal.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAuditEvent, sealedEvent } from './append.js';
import { countUnsealed, sealAuditTrail, startAuditSealer } from './seal.js';
import { type AuditTestDb, auditTestDb } from './test-support/db.js';
import { holdHead, waitFor } from './test-support/hold-head.js';
import { verifyAuditChain } from './verify.js';

describe('sealing after busy commits', () => {
  let t: AuditTestDb;
  beforeAll(async () => {
    t = await auditTestDb(6);
  });
  afterAll(async () => {
    await t?.close();
  });

  const append = (actor: string) =>
    t.knex.transaction((trx) => appendAuditEvent(trx, { type: 'auth.login', actor }));

  it('a commit never seals nor waits for the head, even while it is held; the next seal chains in commit order', async () => {
    const release = await holdHead(t.knex);
    // Were the commit to wait for the head, this would hang until the test times out.
    const a = await append('a');
    expect(await sealedEvent(t.knex, a.id)).toBeNull();
    expect(await verifyAuditChain(t.knex, { seal: false })).toMatchObject({ ok: true, unsealed: 1 });
    expect(await sealAuditTrail(t.knex, { wait: false })).toEqual({ sealed: 0, busy: true });
    await release();
    const b = await append('b');
    expect(await sealedEvent(t.knex, b.id)).toBeNull(); // the head is free, still no seal at commit (0104)
    expect(await sealAuditTrail(t.knex, { wait: false })).toEqual({ sealed: 2, busy: false });
    const [sa, sb] = [await sealedEvent(t.knex, a.id), await sealedEvent(t.knex, b.id)];
    expect(sb?.seq).toBe((sa?.seq ?? 0) + 1);
    expect(await verifyAuditChain(t.knex)).toMatchObject({ ok: true, unsealed: 0 });
  });

  it('REPEATABLE READ commits unsealed and never fails because of a concurrent append', async () => {
    const rr = await t.knex.transaction(
      async (trx) => {
        const e = await appendAuditEvent(trx, { type: 'auth.login', actor: 'rr' });
        await append('rc'); // commits; sealed below, the head moves past the RR snapshot
        await sealAuditTrail(t.knex);
        return e;
      },
      { isolationLevel: 'repeatable read' },
    );
    expect(await sealedEvent(t.knex, rr.id)).toBeNull();
    expect(await sealAuditTrail(t.knex)).toEqual({ sealed: 1, busy: false });
    expect(await sealedEvent(t.knex, rr.id)).not.toBeNull();
    expect(await verifyAuditChain(t.knex)).toMatchObject({ ok: true, unsealed: 0 });
  });

  it('positions come from the head alone: an unsealed row cannot be given one by hand', async () => {
    const release = await holdHead(t.knex);
    const e = await append('hand');
    await release();
    await expect(
      t.knex.raw(
        `UPDATE audit_events SET seq = 9999, prev_hash = repeat('0', 64), hash = repeat('1', 64) WHERE id = ?`,
        [e.id],
      ),
    ).rejects.toThrow(/append-only/);
    await expect(t.knex.raw('UPDATE audit_head SET seq = seq + 1')).rejects.toThrow(/only moves forward/);
    await t.knex.raw('UPDATE audit_head SET seq = seq'); // a seal request
    expect(await sealedEvent(t.knex, e.id)).not.toBeNull();
    expect(await verifyAuditChain(t.knex, { seal: false })).toMatchObject({ ok: true, unsealed: 0 });
  });

  it('a seal cut off by a crash loses nothing; the sealer chains it at (re)start and later leftovers too', async () => {
    let release = await holdHead(t.knex);
    const e = await append('left');
    await release();
    await expect(
      t.knex.transaction(async (trx) => {
        const pid = (await trx.raw('SELECT pg_backend_pid() AS pid')).rows[0].pid;
        await trx.raw('SELECT faxgate_audit_seal_pending()');
        expect(await sealedEvent(trx, e.id)).not.toBeNull(); // sealed, not yet committed
        await t.knex.raw('SELECT pg_terminate_backend(?)', [pid]);
        await trx.raw('SELECT 1');
      }),
    ).rejects.toThrow();
    expect(await sealedEvent(t.knex, e.id)).toBeNull();
    expect(await countUnsealed(t.knex)).toBe(1);

    const errors: Error[] = [];
    const sealer = startAuditSealer(t.knex, { intervalMs: 50, onError: (err) => errors.push(err) });
    try {
      await waitFor('the restart seal', async () => (await sealedEvent(t.knex, e.id)) !== null);
      release = await holdHead(t.knex);
      const f = await append('later');
      await release();
      await waitFor('the periodic seal', async () => (await sealedEvent(t.knex, f.id)) !== null);
    } finally {
      await sealer.stop();
    }
    expect(errors).toEqual([]);
    expect(await verifyAuditChain(t.knex, { seal: false })).toMatchObject({ ok: true, unsealed: 0 });
  });
});
