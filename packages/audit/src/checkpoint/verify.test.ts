// The attack of issue 13, done as a superuser, caught by checkpoints kept outside the
// database: a trail cut back with its head moved (truncated), an event altered with every
// later hash recomputed (rewritten), an edited checkpoint file (bad signature).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { appendAuditEvent } from '../append.js';
import { sealAuditTrail } from '../seal.js';
import { type AuditTestDb, auditTestDb } from '../test-support/db.js';
import { rewriteTrail, truncateTrail } from '../test-support/forge.js';
import { verifyAuditChain } from '../verify.js';
import { CHECKPOINT_LOCK_KEY, createCheckpoint } from './create.js';
import { checkpointsAsJsonLines, copyCheckpoints, readCheckpoints } from './files.js';
import { type CheckpointKey, loadCheckpointKey } from './keys.js';
import { verifyAgainstCheckpoints } from './verify.js';

let t: AuditTestDb;
let dir: string;
let key: CheckpointKey;
const lines: string[] = [];
const sink = { record: async (l: string) => void lines.push(l) };

const append = (n: number) =>
  t.knex.transaction(async (trx) => {
    for (let i = 0; i < n; i++) await appendAuditEvent(trx, { type: 'auth.login', actor: `u${i}` });
  });
const checkpoint = () => createCheckpoint(t.knex, { key, dir: path.join(dir, 'cp'), sink, actor: 'test' });
const verifyDir = async () => {
  const set = readCheckpoints(path.join(dir, 'cp'));
  return verifyAgainstCheckpoints(t.knex, set.checkpoints, set.publicKeys);
};

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-cp-'));
  key = loadCheckpointKey(path.join(dir, 'key', 'audit-checkpoint.key'), { create: true });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
beforeEach(async () => {
  t = await auditTestDb();
  fs.rmSync(path.join(dir, 'cp'), { recursive: true, force: true });
  lines.length = 0;
});
afterEach(async () => {
  await t?.close();
});

describe('checkpoints', () => {
  it('are written 0700/0644 with the public key beside them, logged, and recorded in the trail', async () => {
    await append(5);
    const r = await checkpoint();
    expect(r).toMatchObject({ written: true, checkpoint: { seq: 5, database: expect.any(String) } });
    if (!r.written) throw new Error('not written');
    expect(fs.statSync(path.join(dir, 'cp')).mode & 0o777).toBe(0o700);
    expect(fs.statSync(r.file).mode & 0o777).toBe(0o644);
    expect(fs.readFileSync(path.join(dir, 'cp', 'public-key.pem'), 'utf8')).toBe(key.publicPem);
    expect(lines).toEqual([
      expect.stringMatching(/^faxgate audit checkpoint seq=5 hash=[0-9a-f]{64} .*keyId=/),
    ]);
    await sealAuditTrail(t.knex);
    const ev = await t.knex('audit_events').where({ type: 'audit.checkpoint' }).first();
    expect(ev).toMatchObject({
      seq: 6,
      actor: 'test',
      details: { seq: 5, hash: r.checkpoint.hash, file: r.file },
    });
    const v = await verifyDir();
    expect(v).toMatchObject({ ok: true, matched: 1, checks: [{ status: 'ok', seq: 5 }] });
  });

  it('an empty trail has nothing to anchor; another node holding the lock makes it busy', async () => {
    expect(await checkpoint()).toEqual({ written: false, reason: 'empty' });
    await append(1);
    await t.knex.transaction(async (trx) => {
      await trx.raw('SELECT pg_advisory_xact_lock(?)', [CHECKPOINT_LOCK_KEY]);
      expect(await checkpoint()).toEqual({ written: false, reason: 'busy' });
    });
    expect(fs.existsSync(path.join(dir, 'cp'))).toBe(false);
  });

  it('truncated: last events deleted and the head moved back — the chain alone says intact', async () => {
    await append(10);
    await checkpoint(); // at seq 10 (its own event becomes 11)
    await sealAuditTrail(t.knex);
    await truncateTrail(t.knex, 7);
    expect(await verifyAuditChain(t.knex)).toMatchObject({ ok: true, lastSeq: 7 });
    const v = await verifyDir();
    expect(v.ok).toBe(false);
    expect(v.checks).toEqual([expect.objectContaining({ status: 'truncated', seq: 10 })]);
    expect(v.checks[0].message).toMatch(/truncated: the chain head is at 7, behind the checkpoint's 10/);
  });

  it('truncated and then appended past the checkpoint again: rewritten', async () => {
    await append(10);
    await checkpoint();
    await sealAuditTrail(t.knex);
    await truncateTrail(t.knex, 7);
    await append(6);
    await sealAuditTrail(t.knex);
    expect(await verifyAuditChain(t.knex)).toMatchObject({ ok: true, lastSeq: 13 });
    expect((await verifyDir()).checks).toEqual([expect.objectContaining({ status: 'rewritten', seq: 10 })]);
  });

  it('rewritten: one event altered and every later hash recomputed — the chain alone says intact', async () => {
    await append(10);
    await checkpoint();
    await append(3);
    await sealAuditTrail(t.knex);
    await rewriteTrail(t.knex, 4, `UPDATE audit_events SET actor = 'mallory' WHERE seq = 4`);
    expect(await verifyAuditChain(t.knex)).toMatchObject({ ok: true, lastSeq: 14 });
    const v = await verifyDir();
    expect(v.ok).toBe(false);
    expect(v.checks[0]).toMatchObject({ status: 'rewritten', seq: 10 });
    expect(v.checks[0].message).toMatch(/rewritten: event 10 has hash/);
  });

  it('a rewrite after the last checkpoint is not covered by it (documented limit)', async () => {
    await append(10);
    await checkpoint();
    await append(3);
    await sealAuditTrail(t.knex);
    await rewriteTrail(t.knex, 13, `UPDATE audit_events SET actor = 'mallory' WHERE seq = 13`);
    expect((await verifyDir()).ok).toBe(true);
  });

  it('an edited checkpoint file: bad signature; a damaged one is reported, not skipped', async () => {
    await append(3);
    const r = await checkpoint();
    if (!r.written) throw new Error('not written');
    const edited = JSON.parse(fs.readFileSync(r.file, 'utf8'));
    fs.writeFileSync(r.file, JSON.stringify({ ...edited, seq: 2 }));
    fs.writeFileSync(path.join(dir, 'cp', 'zz-damaged.json'), '{"format":');
    const v = await verifyDir();
    expect(v.ok).toBe(false);
    expect(v.checks.map((c) => c.status)).toEqual(['bad-signature', 'bad-signature']);
    expect(v.checks[0].message).toMatch(/signature does not match/);
    expect(v.checks[1].message).toMatch(/zz-damaged\.json: not a valid checkpoint/);
  });

  it('a checkpoint signed by a key not given: unknown key; one of another database: skipped', async () => {
    await append(3);
    await checkpoint();
    const set = readCheckpoints(path.join(dir, 'cp'));
    expect((await verifyAgainstCheckpoints(t.knex, set.checkpoints, new Map())).checks[0].status).toBe(
      'unknown-key',
    );
    const other = await auditTestDb();
    try {
      const v = await verifyAgainstCheckpoints(other.knex, set.checkpoints, set.publicKeys);
      expect(v).toMatchObject({ ok: true, matched: 0, checks: [{ status: 'other-database' }] });
    } finally {
      await other.close();
    }
  });

  it('an export (directory copy or JSON lines with the key) verifies on its own', async () => {
    await append(4);
    await checkpoint();
    await append(2);
    await checkpoint();
    const set = readCheckpoints(path.join(dir, 'cp'));
    const copy = path.join(dir, 'auditor');
    expect(copyCheckpoints(set, copy)).toEqual({ files: 2 });
    const fromCopy = readCheckpoints(copy);
    expect((await verifyAgainstCheckpoints(t.knex, fromCopy.checkpoints, fromCopy.publicKeys)).matched).toBe(
      2,
    );
    const jsonl = path.join(dir, 'auditor.jsonl');
    fs.writeFileSync(jsonl, checkpointsAsJsonLines(set));
    const fromLines = readCheckpoints(jsonl);
    expect(fromLines.checkpoints).toHaveLength(2);
    expect([...fromLines.publicKeys.keys()]).toEqual([key.keyId]);
    await truncateTrail(t.knex, 5);
    const v = await verifyAgainstCheckpoints(t.knex, fromLines.checkpoints, fromLines.publicKeys);
    expect(v.checks.map((c) => c.status)).toEqual(['ok', 'truncated']);
    fs.rmSync(copy, { recursive: true });
  });
});
