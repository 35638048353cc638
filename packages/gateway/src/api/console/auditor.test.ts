// GET /api/v1/console/auditor/integrity over real HTTP and PostgreSQL: audit.read only (403 +
// access.denied otherwise); the last recorded audit.verify, the chain head and the signed
// checkpoints checked now — a damaged checkpoint file shows as failed; the read is recorded.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { appendAuditEvent, createCheckpoint, loadCheckpointKey } from '@faxgate/audit';
import { afterAll, describe, expect, it } from 'vitest';
import { client, useApiFixture } from '../../test-support/api-fixture.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-console-auditor-'));
const checkpointDir = path.join(dir, 'checkpoints');
const checkpointKeyFile = path.join(dir, 'key', 'audit-checkpoint.key');
const f = useApiFixture({ audit: { checkpointDir, checkpointKeyFile } });

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Integrity {
  head: { seq: number; hash: string; unsealed: number };
  stale: boolean;
  lastVerify: null | { ok: boolean; checked: number | null; actor: string; firstBad: unknown };
  checkpoints: {
    exists: boolean;
    count: number;
    matched: number;
    ok: boolean;
    failedCount: number;
    latestSeq: number | null;
  };
}

const integrity = async (user: string) => {
  const r = await client(f, user)('/api/v1/console/auditor/integrity');
  expect(r.status).toBe(200);
  return (await r.json()) as Integrity;
};

describe('GET /api/v1/console/auditor/integrity', () => {
  it('refuses roles without audit.read with 403 and access.denied', async () => {
    for (const user of ['alice', 'op', 'po']) {
      const r = await client(f, user)('/api/v1/console/auditor/integrity');
      expect(r.status, user).toBe(403);
      const last = await f.db('audit_events').orderBy('id', 'desc').first('type', 'actor', 'details');
      expect(last).toMatchObject({
        type: 'access.denied',
        actor: user,
        details: { permission: 'audit.read' },
      });
    }
  });

  it('says stale without a recorded verify, then shows the newest audit.verify', async () => {
    const before = await integrity('audi');
    expect(before.lastVerify).toBeNull();
    expect(before.stale).toBe(true);
    expect(before.checkpoints.exists).toBe(false);
    await f.db.transaction((trx) =>
      appendAuditEvent(trx, {
        type: 'audit.verify',
        actor: 'gateway',
        subject: 'audit_events',
        details: {
          ok: false,
          scheduled: true,
          checked: 41,
          firstBad: { seq: 42, kind: 'altered', message: 'x' },
        },
      }),
    );
    const after = await integrity('admin');
    expect(after.lastVerify).toMatchObject({
      ok: false,
      checked: 41,
      actor: 'gateway',
      firstBad: { seq: 42 },
    });
    expect(after.stale).toBe(false);
    expect(after.head.seq).toBeGreaterThanOrEqual(before.head.seq);
    const read = await f.db('audit_events').where({ type: 'audit.read', subject: 'audit-integrity' });
    expect(read.map((e: { actor: string }) => e.actor)).toEqual(['audi', 'admin']);
  });

  it('checks the signed checkpoints now: matched, and a damaged file fails', async () => {
    const key = loadCheckpointKey(checkpointKeyFile, { create: true });
    const made = await createCheckpoint(f.db, { key, dir: checkpointDir, actor: 'test' });
    if (!made.written) throw new Error(`no checkpoint: ${made.reason}`);
    const good = await integrity('audi');
    expect(good.checkpoints).toMatchObject({ exists: true, count: 1, matched: 1, ok: true, failedCount: 0 });
    expect(good.checkpoints.latestSeq).toBe(made.checkpoint.seq);
    const text = fs.readFileSync(made.file, 'utf8');
    fs.writeFileSync(made.file, text.replace(made.checkpoint.hash, '0'.repeat(made.checkpoint.hash.length)));
    const bad = await integrity('audi');
    expect(bad.checkpoints).toMatchObject({ count: 1, matched: 0, ok: false, failedCount: 1 });
  });
});
