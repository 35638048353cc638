// Pilot phase and release over real HTTP on PostgreSQL and Redis (issue 17 item 4): the pilot
// banner (X-Faxgate-Mode, /status), a number that is not a test number refused at submission,
// the signed selftest, and the release's refusals — wrong role (403 + access.denied), four
// eyes, a failed and a stale selftest — then the release itself.
import { createPublicKey } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadCheckpointKey } from '@faxgate/audit';
import { credentials, users } from '@faxgate/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordConfigVersion } from '../../config/record.js';
import { ReleaseRefusedError, releaseNode } from '../../pilot/release.js';
import { verifySelftest } from '../../pilot/selftest.js';
import { client, faxForm, testTiff, useApiFixture } from '../../test-support/api-fixture.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-pilot-'));
const keyFile = path.join(dir, 'checkpoint.key');
const TEST_NUMBER = '+49305550100';
const f = useApiFixture({
  mode: 'pilot',
  pilot: { testNumbers: [TEST_NUMBER] },
  audit: { checkpointKeyFile: keyFile, checkpointDir: path.join(dir, 'checkpoints') },
});

beforeAll(async () => {
  loadCheckpointKey(keyFile, { create: true });
  await users.add(f.db, { name: 'admin2', roles: ['admin'] });
  f.tokens.admin2 = (await credentials.issue(f.db, { kind: 'token', user: 'admin2', name: 'test' })).secret;
  // admin changed the configuration last (through the API, as a person)
  await recordConfigVersion(f.db, { config: f.config, author: 'admin', reason: 'pilot set up' });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function lastEvent() {
  return f.db('audit_events').orderBy('id', 'desc').first('type', 'actor', 'subject', 'details');
}
const post = (user: string, p: string, json: unknown = {}) =>
  client(f, user)(`/api/v1${p}`, { method: 'POST', json });
const submit = (number: string) =>
  client(f, 'alice')('/api/v1/faxes', {
    method: 'POST',
    body: faxForm({ number }, [{ name: 'fax.tif', data: testTiff() }]),
  });

describe('pilot phase', () => {
  it('says pilot in every answer and in /status', async () => {
    const r = await client(f, 'alice')('/api/v1/me');
    expect(r.status).toBe(200);
    expect(r.headers.get('x-faxgate-mode')).toBe('pilot');
    const s = await client(f, 'op')('/status');
    expect(s.headers.get('x-faxgate-mode')).toBe('pilot');
    expect(await s.json()).toMatchObject({ mode: 'pilot' });
  });

  it('refuses a number that is not a test number at submission, on record; a test number is accepted', async () => {
    const r = await submit('030 5551000');
    expect(r.status).toBe(422);
    const body = (await r.json()) as { error: { message: string; details: { rule: string } } };
    expect(body.error.details.rule).toBe('pilot');
    expect(body.error.message).toContain(`pilot phase: only the test number ${TEST_NUMBER} may be dialled`);
    expect(await lastEvent()).toMatchObject({ type: 'policy.reject', details: { rule: 'pilot' } });
    const ok = await submit('030 5550100');
    expect(ok.status).toBe(201);
  });

  it('refuses selftest and release to roles without config.manage (403 + access.denied)', async () => {
    for (const user of ['audi', 'op', 'po', 'alice']) {
      for (const p of ['/selftest', '/release']) {
        const r = await post(user, p);
        expect(r.status, `${user} ${p}`).toBe(403);
        expect(await lastEvent()).toMatchObject({
          type: 'access.denied',
          actor: user,
          details: { permission: 'config.manage' },
        });
      }
    }
    expect((await client(f, 'alice')('/api/v1/selftest/latest')).status).toBe(403);
  });

  it('without the checkpoint key no selftest is run (409, naming the key) and nothing is stored', async () => {
    fs.renameSync(keyFile, `${keyFile}.away`);
    try {
      const r = await post('admin', '/selftest');
      expect(r.status).toBe(409);
      expect(((await r.json()) as { error: { message: string } }).error.message).toContain(keyFile);
      expect(await f.db('selftest_reports').first()).toBeUndefined();
    } finally {
      fs.renameSync(`${keyFile}.away`, keyFile);
    }
  });

  it('a failed selftest (superuser role) is signed and stored, and refuses the release', async () => {
    const r = await post('admin', '/selftest');
    expect(r.status).toBe(200);
    const s = (await r.json()) as {
      id: number;
      signed: string;
      signature: string;
      keyId: string;
      report: { passed: boolean; checks: Array<{ name: string; status: string }> };
    };
    expect(s.report.passed).toBe(false);
    expect(s.report.checks.find((c) => c.name === 'database role')?.status).toBe('fail');
    expect(s.report.checks.find((c) => c.name === 'audit verify')?.status).toBe('pass');
    expect(s.report.checks.find((c) => c.name === 'render')?.status).toBe('pass');
    expect(s.report.checks.find((c) => c.name === 'test call')?.status).toBe('skipped');
    const key = loadCheckpointKey(keyFile);
    expect(s.keyId).toBe(key.keyId);
    expect(verifySelftest(s.signed, s.signature, createPublicKey(key.publicPem))).toBe(true);
    expect(
      verifySelftest(s.signed.replace('"passed":false', '"passed":true'), s.signature, key.publicKey),
    ).toBe(false);
    expect(await lastEvent()).toMatchObject({
      type: 'config.selftest',
      actor: 'admin',
      details: { passed: false },
    });
    // evidence: the application cannot change a report
    await expect(f.db('selftest_reports').where({ id: s.id }).update({ passed: true })).rejects.toThrow(
      /append-only/,
    );

    const rel = await post('admin2', '/release');
    expect(rel.status).toBe(409);
    expect(((await rel.json()) as { error: { details: { reason: string } } }).error.details.reason).toBe(
      'selftest-failed',
    );
  });

  it('refuses the admin who changed the configuration last, and a stale selftest; releases with another admin', async () => {
    f.config.database.allowPrivileged = true; // the test database's role is a superuser
    const st = await post('admin', '/selftest');
    expect(((await st.json()) as { report: { passed: boolean } }).report.passed).toBe(true);

    const own = await post('admin', '/release');
    expect(own.status).toBe(409);
    const ownBody = (await own.json()) as { error: { message: string; details: { reason: string } } };
    expect(ownBody.error.details.reason).toBe('four-eyes');
    expect(ownBody.error.message).toContain('admin made the last configuration change');

    const later = new Date(Date.now() + 25 * 3_600_000);
    await expect(
      releaseNode({ db: f.db, config: f.config, actor: 'admin2', now: later }),
    ).rejects.toMatchObject({
      reason: 'selftest-stale',
    });
    await expect(
      releaseNode({ db: f.db, config: f.config, actor: 'admin2', now: later }),
    ).rejects.toBeInstanceOf(ReleaseRefusedError);

    const rel = await post('admin2', '/release', { note: 'pilot week passed' });
    expect(rel.status).toBe(200);
    expect(await rel.json()).toMatchObject({
      releasedBy: 'admin2',
      lastChangedBy: 'admin',
      mode: 'production',
    });
    expect(await lastEvent()).toMatchObject({
      type: 'config.release',
      actor: 'admin2',
      details: { lastChangedBy: 'admin', note: 'pilot week passed' },
    });
    const me = await client(f, 'alice')('/api/v1/me');
    expect(me.headers.get('x-faxgate-mode')).toBeNull();
    expect(await (await client(f, 'op')('/status')).json()).toMatchObject({ mode: 'production' });
    expect((await submit('030 5551000')).status).toBe(201);
    const again = await post('admin2', '/release');
    expect(again.status).toBe(409);
  });
});
