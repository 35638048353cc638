import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { appendAuditEvent, appendAuditEvents } from './append.js';
import { canonicalEvent, canonicalJson, chainHash, GENESIS_HASH } from './canonical.js';
import { type AuditTestDb, auditTestDb, tamper } from './test-support/db.js';
import { verifyAuditChain } from './verify.js';

describe('canonical encoding', () => {
  it('sorts keys recursively, no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' }, u: undefined })).toBe(
      '{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });
  it('is byte for byte what the README documents', () => {
    const c = canonicalEvent({
      seq: 1,
      time: '2026-11-27T21:04:01.123Z',
      type: 'admin.user_add',
      actor: 'root',
      actorId: null,
      subject: 'user:alice',
      mailboxId: null,
      faxId: 7,
      details: { roles: ['user'], name: 'alice' },
    });
    expect(c).toBe(
      '{"seq":1,"time":"2026-11-27T21:04:01.123Z","type":"admin.user_add","actor":"root","actor_id":null,' +
        '"subject":"user:alice","mailbox_id":null,"fax_id":7,"details":{"name":"alice","roles":["user"]}}',
    );
    expect(chainHash(GENESIS_HASH, c)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('audit chain in PostgreSQL', () => {
  let t: AuditTestDb;
  beforeAll(async () => {
    t = await auditTestDb();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('appends in the caller transaction, hashes as documented, verifies', async () => {
    const first = await t.knex.transaction((trx) =>
      appendAuditEvent(trx, {
        type: 'admin.user_add',
        actor: 'root',
        subject: 'user:alice',
        details: {
          name: 'alice',
          nested: { b: 2, a: [1, 'ü', null] },
          when: new Date('2026-01-01T00:00:00Z'),
        },
      }),
    );
    expect(first.seq).toBe(1);
    // The hash PostgreSQL computed equals the documented formula computed here.
    const expected = chainHash(
      GENESIS_HASH,
      canonicalEvent({
        seq: 1,
        time: first.time.toISOString(),
        type: 'admin.user_add',
        actor: 'root',
        actorId: null,
        subject: 'user:alice',
        mailboxId: null,
        faxId: null,
        details: { name: 'alice', nested: { b: 2, a: [1, 'ü', null] }, when: '2026-01-01T00:00:00.000Z' },
      }),
    );
    expect(first.hash).toBe(expected);
    // Rolled back: no event, no gap.
    await expect(
      t.knex.transaction(async (trx) => {
        await appendAuditEvent(trx, { type: 'auth.login', actor: 'alice' });
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    const [second] = await appendAuditEvents(t.knex, [{ type: 'auth.login', actor: 'alice', actorId: 1 }]);
    expect(second.seq).toBe(2);
    await appendAuditEvent(t.knex, { type: 'log.read', actor: 'bob' }, { strategy: 'advisory' });
    expect(await verifyAuditChain(t.knex, { batch: 2 })).toEqual({ ok: true, checked: 3, lastSeq: 3 });
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
    await expect(t.knex.raw('DELETE FROM audit_events WHERE seq = 1')).rejects.toThrow(/append-only/);
    await expect(t.knex.raw('TRUNCATE audit_events')).rejects.toThrow(/append-only/);
    await expect(
      t.knex.transaction(async (trx) => {
        await trx.raw('SET LOCAL session_replication_role = replica');
        await trx.raw(`UPDATE audit_events SET actor = 'mallory' WHERE seq = 1`);
      }),
    ).rejects.toThrow(/append-only/);
    await expect(t.knex.raw('UPDATE audit_head SET seq = 0')).rejects.toThrow(/only moves forward/);
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
    const { rows } = await t.knex.raw('SELECT * FROM audit_events WHERE seq = 7');
    const row = rows[0];
    const forged = chainHash(
      row.prev_hash,
      canonicalEvent({
        seq: 7,
        time: row.time.toISOString(),
        type: row.type,
        actor: 'mallory',
        actorId: null,
        subject: null,
        mailboxId: null,
        faxId: row.fax_id,
        details: row.details,
      }),
    );
    await tamper(t.knex, `UPDATE audit_events SET actor = 'mallory', hash = ? WHERE seq = 7`, [forged]);
    const r = await verifyAuditChain(t.knex);
    expect(r.firstBad).toMatchObject({ seq: 7, kind: 'altered' });
  });

  it('a time change below the millisecond', async () => {
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
    const { rows } = await t.knex.raw('SELECT hash FROM audit_events WHERE seq = 9');
    const time = '2026-11-27T12:00:00.000Z';
    const details = { page: 0 };
    const hash = chainHash(
      rows[0].hash,
      canonicalEvent({
        seq: 10,
        time,
        type: 'send.page',
        actor: 'system',
        actorId: null,
        subject: null,
        mailboxId: null,
        faxId: 1,
        details,
      }),
    );
    await tamper(
      t.knex,
      `INSERT INTO audit_events (seq, time, type, actor, fax_id, details, prev_hash, hash)
       VALUES (10, ?, 'send.page', 'system', 1, ?::jsonb, ?, ?)`,
      [time, JSON.stringify(details), rows[0].hash, hash],
    );
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
    const { rows } = await t.knex.raw('SELECT hash FROM audit_events WHERE seq = 20');
    const time = '2026-11-27T12:00:00.000Z';
    const hash = chainHash(
      rows[0].hash,
      canonicalEvent({
        seq: 21,
        time,
        type: 'auth.login',
        actor: 'mallory',
        actorId: null,
        subject: null,
        mailboxId: null,
        faxId: null,
        details: {},
      }),
    );
    await tamper(
      t.knex,
      `INSERT INTO audit_events (seq, time, type, actor, details, prev_hash, hash) VALUES (21, ?, 'auth.login', 'mallory', '{}', ?, ?)`,
      [time, rows[0].hash, hash],
    );
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
