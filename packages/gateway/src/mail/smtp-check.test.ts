// The relay health check against a real relay (smtp-server: STARTTLS + AUTH) and the checks
// runner on real PostgreSQL: passes with TLS and login; a wrong password fails at AUTH, an
// untrusted certificate at connect/STARTTLS, a stopped relay at connect — each raising the
// alert check.smtp, cleared when the relay answers again; the password never in the detail.
import { writeFileSync } from 'node:fs';
import { auditMigrations } from '@faxgate/audit';
import type { Knex } from '@faxgate/store';
import { type MigratedTestDb, migratedTestDb } from '@faxgate/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHealthChecks } from '../checks/runner.js';
import { mailSchema, type SmtpConfig } from './config.js';
import { smtpCheck } from './smtp-check.js';
import { startTestRelay, type TestRelay } from './test-support/relay.js';

let t: MigratedTestDb;
let db: Knex;
let relay: TestRelay;
let smtp: SmtpConfig;

beforeAll(async () => {
  t = await migratedTestDb({ extra: [...auditMigrations], poolMax: 4 });
  db = t.knex;
  relay = await startTestRelay();
  smtp = mailSchema.parse({
    smtp: { port: relay.port, caFile: relay.caFile, user: relay.user, passwordFile: relay.passwordFile },
  }).smtp;
});
afterAll(async () => {
  await relay?.close();
  await t?.close();
});

const run = (cfg: SmtpConfig) =>
  runHealthChecks(db, [smtpCheck(() => cfg)], { actor: 'gateway:test', timeoutMs: 10_000, historyDays: 30 });

async function alert() {
  return db('alerts').where({ key: 'check.smtp' }).first();
}

describe('smtp health check', () => {
  it('passes with STARTTLS and AUTH', async () => {
    const [r] = await run(smtp);
    expect(r).toMatchObject({ name: 'smtp', ok: true });
    expect(r.detail).toBe(`127.0.0.1:${relay.port}: connected with TLS, logged in as faxgate, RSET answered`);
  });

  it('fails at AUTH with a wrong password, raising check.smtp, and clears when it passes again', async () => {
    const wrong = `${relay.passwordFile}.wrong`;
    writeFileSync(wrong, 'not-the-password\n', { mode: 0o600 });
    const [r] = await run({ ...smtp, passwordFile: wrong });
    expect(r.ok).toBe(false);
    expect(r.detail).toMatch(/: AUTH failed: .*535/);
    expect(r.detail).not.toContain('not-the-password');
    expect(await alert()).toMatchObject({ severity: 'critical' });
    const raised = await db('audit_events').where({ type: 'alert.raised' }).orderBy('id', 'desc').first();
    expect(raised.details).toMatchObject({ key: 'check.smtp' });
    const [ok] = await run(smtp);
    expect(ok.ok).toBe(true);
    const cleared = await db('audit_events').where({ type: 'alert.cleared' }).orderBy('id', 'desc').first();
    expect(cleared.details).toMatchObject({ key: 'check.smtp' });
  });

  it('fails on an untrusted certificate and on a relay that is down', async () => {
    const [untrusted] = await run({ ...smtp, caFile: undefined });
    expect(untrusted.ok).toBe(false);
    expect(untrusted.detail).toMatch(/certificate/);
    await relay.stop();
    try {
      const [down] = await run(smtp);
      expect(down.ok).toBe(false);
      expect(down.detail).toMatch(/connect failed: .*ECONNREFUSED/);
    } finally {
      await relay.start();
    }
  });
});
