// GET /api/v1/lockdown/report and GET /api/v1/audit/checkpoints over real HTTP (PostgreSQL):
// audit.read only (403 + access.denied otherwise); the report read now and recorded; the
// signed checkpoints with the public key as JSON lines, the export recorded.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCheckpoint, loadCheckpointKey } from '@faxgate/audit';
import { afterAll, describe, expect, it } from 'vitest';
import { client, useApiFixture } from '../../test-support/api-fixture.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-auditor-'));
const checkpointDir = path.join(dir, 'checkpoints');
const checkpointKeyFile = path.join(dir, 'key', 'audit-checkpoint.key');
const f = useApiFixture({ audit: { checkpointDir, checkpointKeyFile } });

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function lastEvent() {
  return f.db('audit_events').orderBy('id', 'desc').first('type', 'actor', 'subject', 'details');
}

describe('auditor reports through the API', () => {
  it('refuses roles without audit.read with 403 and access.denied', async () => {
    for (const user of ['alice', 'op', 'po']) {
      for (const p of ['/lockdown/report', '/audit/checkpoints']) {
        const r = await client(f, user)(`/api/v1${p}`);
        expect(r.status, `${user} ${p}`).toBe(403);
        expect(await lastEvent()).toMatchObject({ type: 'access.denied', actor: user });
      }
    }
  });

  it('answers the lockdown report as JSON and as text, recorded as lockdown.report', async () => {
    const r = await client(f, 'audi')('/api/v1/lockdown/report');
    expect(r.status).toBe(200);
    const report = (await r.json()) as { ok: boolean; violations: unknown[]; warnings: unknown[] };
    expect(typeof report.ok).toBe('boolean');
    expect(Array.isArray(report.violations)).toBe(true);
    expect(await lastEvent()).toMatchObject({ type: 'lockdown.report', details: { ok: report.ok } });
    const text = await client(f, 'admin')('/api/v1/lockdown/report?format=text');
    expect(text.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect((await text.text()).length).toBeGreaterThan(0);
  });

  it('answers the checkpoints as JSON lines with the public key, recorded as audit.export', async () => {
    const none = await client(f, 'audi')('/api/v1/audit/checkpoints');
    expect(none.status).toBe(404); // no checkpoint written yet
    const key = loadCheckpointKey(checkpointKeyFile, { create: true });
    const made = await createCheckpoint(f.db, { key, dir: checkpointDir, actor: 'test' });
    expect(made.written).toBe(true);
    const r = await client(f, 'audi')('/api/v1/audit/checkpoints');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    const lines = (await r.text())
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(lines)).toContain(key.keyId);
    expect(await lastEvent()).toMatchObject({
      type: 'audit.export',
      actor: 'audi',
      subject: 'audit-checkpoints',
      details: { checkpoints: 1, left_out: 0 },
    });
  });
});
