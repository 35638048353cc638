import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { appendAuditEvent, appendAuditEvents, auditInsertFrom, sealedEvent } from './append.js';
import { canonicalEvent, canonicalTime, chainHash, GENESIS_HASH } from './canonical.js';
import { sealAuditTrail } from './seal.js';
import { type AuditTestDb, auditTestDb, tamper } from './test-support/db.js';
import { verifyAuditChain } from './verify.js';

describe('canonical encoding', () => {
  it('is byte for byte what the README documents', () => {
    const c = canonicalEvent({
      seq: 1,
      time: '2026-11-27T21:04:01.123000Z',
      type: 'admin.user_add',
      actor: 'root',
      actorId: null,
      subject: 'user:alice',
      mailboxId: null,
      faxId: 7,
      detailsText: '{"name": "alice", "roles": ["user"]}',
    });
    expect(c).toBe(
      '{"seq":1,"time":"2026-11-27T21:04:01.123000Z","type":"admin.user_add","actor":"root","actor_id":null,' +
        '"subject":"user:alice","mailbox_id":null,"fax_id":7,"details":{"name": "alice", "roles": ["user"]}}',
    );
    expect(chainHash(GENESIS_HASH, c)).toBe(
      createHash('sha256').update(Buffer.alloc(32)).update(c).digest('hex'),
    );
  });
});

async function row(t: AuditTestDb, seq: number) {
  const { rows } = await t.knex.raw(
    `SELECT *, details::text AS details_text,
            to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS t FROM audit_events WHERE seq = ?`,
    [seq],
  );
  return rows[0];
}

/** Inserts an event with a self-consistent hash that links to `prevHash`: a careful forger. */
async function forgeEvent(t: AuditTestDb, seq: number, prevHash: string) {
  const time = '2026-11-27T12:00:00.000000Z';
  const hash = chainHash(
    prevHash,
    canonicalEvent({
      seq,
      time,
      type: 'auth.login',
      actor: 'mallory',
      actorId: null,
      subject: null,
      mailboxId: null,
      faxId: null,
      detailsText: '{"forged": true}',
    }),
  );
  await tamper(
    t.knex,
    `INSERT INTO audit_events (seq, time, type, actor, details, prev_hash, hash)
     VALUES (?, ?, 'auth.login', 'mallory', '{"forged": true}', ?, ?)`,
    [seq, time, prevHash, hash],
  );
}

describe('audit chain in PostgreSQL', () => {
  let t: AuditTestDb;
  beforeAll(async () => {
    t = await auditTestDb();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('appends in the caller transaction, sealed after commit with the documented hash', async () => {
    const hostile = 'quote " backslash \\ tab \t nl \n ctl \u0001 umlaut ü emoji 😀 sep \u2028';
    const first = await t.knex.transaction(async (trx) => {
      const e = await appendAuditEvent(trx, {
        type: 'admin.user_add',
        actor: hostile,
        subject: 'user:alice',
        details: {
          name: 'alice',
          nested: { b: 2, a: [1, hostile, null, 1.5, 1e21] },
          when: new Date('2026-01-01T00:00:00Z'),
        },
      });
      expect(await sealedEvent(trx, e.id)).toBeNull(); // no position before commit
      return e;
    });
    expect(await sealedEvent(t.knex, first.id)).toBeNull(); // nor at commit: the sealer gives it (0104)
    await sealAuditTrail(t.knex);
    const sealed = await sealedEvent(t.knex, first.id);
    expect(sealed?.seq).toBe(1);
    // The hash PostgreSQL computed equals the documented formula computed here.
    const r = await row(t, 1);
    expect(r.actor).toBe(hostile);
    expect(r.t.slice(0, 23)).toBe(canonicalTime(first.time).slice(0, 23));
    const expected = chainHash(
      GENESIS_HASH,
      canonicalEvent({
        seq: 1,
        time: r.t,
        type: 'admin.user_add',
        actor: hostile,
        actorId: null,
        subject: 'user:alice',
        mailboxId: null,
        faxId: null,
        detailsText: r.details_text,
      }),
    );
    expect(sealed?.hash).toBe(expected);
    // Rolled back: no event, no gap.
    await expect(
      t.knex.transaction(async (trx) => {
        await appendAuditEvent(trx, { type: 'auth.login', actor: 'alice' });
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    const [second] = await appendAuditEvents(t.knex, [{ type: 'auth.login', actor: 'alice', actorId: 1 }]);
    await sealAuditTrail(t.knex);
    expect((await sealedEvent(t.knex, second.id))?.seq).toBe(2);
    await t.knex.transaction((trx) => appendAuditEvent(trx, { type: 'log.read', actor: 'bob' }));
    // Inserting chain columns by hand changes nothing: they are assigned by the seal.
    await t.knex.raw(
      `INSERT INTO audit_events (seq, type, actor, prev_hash, hash) VALUES (99, 'auth.login', 'x', 'a', 'b')`,
    );
    expect(await verifyAuditChain(t.knex, { batch: 2 })).toEqual({
      ok: true,
      checked: 4,
      lastSeq: 4,
      unsealed: 0,
    });
  });

  it('many events in one transaction, one rolled back in a savepoint: consecutive, intact', async () => {
    const before = (await t.knex.raw('SELECT seq FROM audit_head')).rows[0].seq as number;
    await t.knex.transaction(async (trx) => {
      await appendAuditEvent(trx, { type: 'recv.begin', actor: 'system', faxId: 9 });
      await expect(
        trx.transaction(async (sp) => {
          await appendAuditEvent(sp, { type: 'recv.page', actor: 'system', faxId: 9, details: { page: 0 } });
          throw new Error('undo this page');
        }),
      ).rejects.toThrow('undo this page');
      for (let page = 1; page <= 50; page++) {
        await appendAuditEvent(trx, { type: 'recv.page', actor: 'system', faxId: 9, details: { page } });
      }
      await appendAuditEvent(trx, { type: 'recv.end', actor: 'system', faxId: 9 });
    });
    await sealAuditTrail(t.knex);
    const { rows } = await t.knex.raw(
      `SELECT min(seq) AS lo, max(seq) AS hi, count(*) AS n FROM audit_events WHERE fax_id = 9`,
    );
    expect(rows[0]).toEqual({ lo: before + 1, hi: before + 52, n: 52 });
    expect((await t.knex.raw('SELECT seq FROM audit_head')).rows[0].seq).toBe(before + 52);
    expect((await verifyAuditChain(t.knex)).ok).toBe(true);
  });

  it('several events in one INSERT: in the order given, own or database time, all or none', async () => {
    const at = new Date('2026-01-02T03:04:05.678Z');
    const got = await t.knex.transaction((trx) =>
      appendAuditEvents(trx, [
        { type: 'send.end', actor: 'gw', faxId: 7, details: { n: 1 } },
        { type: 'send.done', actor: 'gw', faxId: 7, time: at, details: { n: 2 } },
        { type: 'job.dead', actor: 'gw', faxId: 7, details: { n: 3 } },
      ]),
    );
    expect(got).toHaveLength(3);
    expect(got[0].id < got[1].id && got[1].id < got[2].id).toBe(true);
    await sealAuditTrail(t.knex);
    const rows = await t
      .knex('audit_events')
      .whereIn(
        'id',
        got.map((e) => e.id),
      )
      .orderBy('seq');
    expect(rows.map((r) => [r.type, r.details.n])).toEqual([
      ['send.end', 1],
      ['send.done', 2],
      ['job.dead', 3],
    ]);
    expect(rows[1].time.toISOString()).toBe(at.toISOString());
    expect(Math.abs(rows[0].time.getTime() - Date.now())).toBeLessThan(60_000);
    expect(rows[1].seq).toBe(rows[0].seq + 1);
    // One bad event refuses the whole batch before anything is written.
    const count = async () => Number((await t.knex('audit_events').count({ n: '*' }))[0].n);
    const n = await count();
    await expect(
      appendAuditEvents(t.knex, [
        { type: 'send.end', actor: 'gw' },
        { type: 'send.end', actor: '' },
      ]),
    ).rejects.toThrow(/actor/);
    expect(await count()).toBe(n);
    expect(await appendAuditEvents(t.knex, [])).toEqual([]);
  });

  it('auditInsertFrom: one event per row of the source, in the caller statement, sealed like any other', async () => {
    const ev = (n: number) =>
      auditInsertFrom('src', { type: 'send.begin', actor: 'gw', actorId: 3, faxId: 40 + n, details: { n } });
    const run = (rows: number, n: number) => {
      const e = ev(n);
      return t.knex.raw(
        `WITH src AS (SELECT g FROM generate_series(1, ${rows}) g), ins AS (${e.sql}) SELECT count(*) FROM src`,
        e.bindings,
      );
    };
    await run(0, 1);
    expect(await t.knex('audit_events').where({ fax_id: 41 })).toEqual([]);
    await run(1, 2);
    await sealAuditTrail(t.knex);
    const [row] = await t.knex('audit_events').where({ fax_id: 42 });
    expect(row).toMatchObject({ type: 'send.begin', actor: 'gw', actor_id: 3, details: { n: 2 } });
    expect(row.seq).toBeGreaterThan(0);
    expect((await verifyAuditChain(t.knex)).ok).toBe(true);
    expect(() => auditInsertFrom('src; DROP TABLE x', { type: 'send.begin', actor: 'gw' })).toThrow(/source/);
    expect(() => auditInsertFrom('src', { type: 'send.begin', actor: '' })).toThrow(/actor/);
  });

  it('refuses bad events', async () => {
    // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong
    await expect(appendAuditEvent(t.knex, { type: 'job.explode' as any, actor: 'x' })).rejects.toThrow(
      /unknown audit event type/,
    );
    await expect(appendAuditEvent(t.knex, { type: 'auth.login', actor: '' })).rejects.toThrow(/actor/);
    await expect(
      appendAuditEvent(t.knex, { type: 'auth.login', actor: 'a', details: { img: new Uint8Array(3) } }),
    ).rejects.toThrow(/binary/);
  });

  it('the database refuses UPDATE, DELETE, TRUNCATE — also under session_replication_role = replica', async () => {
    await expect(t.knex.raw(`UPDATE audit_events SET actor = 'mallory' WHERE seq = 1`)).rejects.toThrow(
      /append-only/,
    );
    await expect(t.knex.raw(`UPDATE audit_events SET hash = NULL WHERE seq = 1`)).rejects.toThrow(
      /append-only/,
    );
    await expect(t.knex.raw('DELETE FROM audit_events WHERE seq = 1')).rejects.toThrow(/append-only/);
    await expect(t.knex.raw('TRUNCATE audit_events')).rejects.toThrow(/append-only/);
    await expect(
      t.knex.transaction(async (trx) => {
        await trx.raw('SET LOCAL session_replication_role = replica');
        await trx.raw(`UPDATE audit_events SET actor = 'mallory' WHERE seq = 1`);
      }),
    ).rejects.toThrow(/append-only/);
    await expect(t.knex.raw('UPDATE audit_head SET seq = seq + 1')).rejects.toThrow(/only moves forward/);
    await expect(t.knex.raw('DELETE FROM audit_head')).rejects.toThrow(/only moves forward/);
    expect((await verifyAuditChain(t.knex)).ok).toBe(true);
  });
});

describe('tampering is detected and the row is named', () => {
  let t: AuditTestDb;
  beforeEach(async () => {
    await t?.close();
    t = await auditTestDb();
    await t.knex.transaction(async (trx) => {
      for (let i = 1; i <= 20; i++) {
        await appendAuditEvent(trx, {
          type: 'send.page',
          actor: 'system',
          faxId: 100 + i,
          details: { page: i },
        });
      }
    });
    expect((await verifyAuditChain(t.knex)).ok).toBe(true);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('altered content', async () => {
    await tamper(t.knex, `UPDATE audit_events SET details = '{"page": 999}' WHERE seq = 7`);
    const r = await verifyAuditChain(t.knex, { batch: 5 });
    expect(r).toMatchObject({ ok: false, checked: 6, firstBad: { seq: 7, kind: 'altered' } });
    expect(r.firstBad?.message).toMatch(/event 7 was altered/);
  });

  it('altered content with the hash recomputed', async () => {
    const e = await row(t, 7);
    const forged = chainHash(
      e.prev_hash,
      canonicalEvent({
        seq: 7,
        time: e.t,
        type: e.type,
        actor: 'mallory',
        actorId: null,
        subject: null,
        mailboxId: null,
        faxId: e.fax_id,
        detailsText: e.details_text,
      }),
    );
    await tamper(t.knex, `UPDATE audit_events SET actor = 'mallory', hash = ? WHERE seq = 7`, [forged]);
    const r = await verifyAuditChain(t.knex);
    expect(r.firstBad).toMatchObject({ seq: 7, kind: 'altered' });
  });

  it('a time change of one microsecond', async () => {
    await tamper(t.knex, `UPDATE audit_events SET time = time + interval '1 microsecond' WHERE seq = 3`);
    expect((await verifyAuditChain(t.knex)).firstBad).toMatchObject({ seq: 3, kind: 'altered' });
  });

  it('deleted row', async () => {
    await tamper(t.knex, 'DELETE FROM audit_events WHERE seq = 12');
    const r = await verifyAuditChain(t.knex, { batch: 4 });
    expect(r).toMatchObject({ ok: false, checked: 11, firstBad: { seq: 12, kind: 'deleted' } });
  });

  it('deleted last row (the head still knows it)', async () => {
    await tamper(t.knex, 'DELETE FROM audit_events WHERE seq = 20');
    expect((await verifyAuditChain(t.knex)).firstBad).toMatchObject({ seq: 20, kind: 'deleted' });
  });

  it('inserted row, later events renumbered', async () => {
    // Shift 10..20 up by one (through a high range to dodge the primary key), then forge
    // a consistent event 10 that links to event 9.
    await tamper(t.knex, 'UPDATE audit_events SET seq = seq + 1000000 WHERE seq >= 10');
    await tamper(t.knex, 'UPDATE audit_events SET seq = seq - 1000000 + 1 WHERE seq > 1000000');
    await forgeEvent(t, 10, (await row(t, 9)).hash);
    const r = await verifyAuditChain(t.knex);
    expect(r).toMatchObject({ ok: false, firstBad: { seq: 10, kind: 'inserted' } });
  });

  it('inserted row with a bogus hash', async () => {
    await tamper(t.knex, 'UPDATE audit_events SET seq = seq + 1000000 WHERE seq >= 5');
    await tamper(t.knex, 'UPDATE audit_events SET seq = seq - 1000000 + 1 WHERE seq > 1000000');
    await tamper(
      t.knex,
      `INSERT INTO audit_events (seq, time, type, actor, details, prev_hash, hash)
       VALUES (5, now(), 'auth.login', 'mallory', '{}', repeat('1', 64), repeat('2', 64))`,
    );
    expect((await verifyAuditChain(t.knex)).firstBad).toMatchObject({ seq: 5, kind: 'inserted' });
  });

  it('appended row past the head', async () => {
    await forgeEvent(t, 21, (await row(t, 20)).hash);
    expect((await verifyAuditChain(t.knex)).firstBad).toMatchObject({ seq: 21, kind: 'inserted' });
  });

  it('two rows swapped', async () => {
    await tamper(t.knex, 'UPDATE audit_events SET seq = 999999 WHERE seq = 8');
    await tamper(t.knex, 'UPDATE audit_events SET seq = 8 WHERE seq = 15');
    await tamper(t.knex, 'UPDATE audit_events SET seq = 15 WHERE seq = 999999');
    const r = await verifyAuditChain(t.knex);
    expect(r).toMatchObject({ ok: false, checked: 7, firstBad: { seq: 8, kind: 'reordered' } });
    expect(r.firstBad?.message).toMatch(/belongs after event 14 \(it was event 15\)/);
  });

  it('two neighbours swapped', async () => {
    await tamper(t.knex, 'UPDATE audit_events SET seq = 999999 WHERE seq = 4');
    await tamper(t.knex, 'UPDATE audit_events SET seq = 4 WHERE seq = 5');
    await tamper(t.knex, 'UPDATE audit_events SET seq = 5 WHERE seq = 999999');
    expect((await verifyAuditChain(t.knex)).firstBad).toMatchObject({ seq: 4, kind: 'reordered' });
  });
});
