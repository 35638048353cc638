// audit verify through the CLI, against a real PostgreSQL (audit and log export, which go
// through the gateway API with a user's token, are in export-cli.test.ts).
import { appendAuditEvent } from '@faxgate/audit';
import { groups, users } from '@faxgate/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, type CliFixture, cliFixture } from '../test-support/cli-fixture.js';
import { recordSampleSend } from '../test-support/send-record.js';

let f: CliFixture;

async function ok(args: string[]) {
  const r = await f.run(args);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r;
}

beforeAll(async () => {
  f = await cliFixture();
  await ok(['db', 'migrate']);
  await users.add(f.db, { name: 'olga', roles: ['auditor'] });
  await users.add(f.db, { name: 'uwe', roles: ['user'] });
  // a change with its audit event, as the API records it (the event the tamper test alters)
  await f.db.transaction(async (trx) => {
    await groups.add(trx, { name: 'sales' });
    await appendAuditEvent(trx, { type: 'admin.group_add', actor: 'test', subject: 'group:sales' });
  });
  await recordSampleSend(f.db, 'uwe');
});
afterAll(async () => {
  await f?.close();
});

describe('faxgate audit verify', () => {
  it('exits 0 on an intact chain and records the check', async () => {
    const r = await ok(['audit', 'verify']);
    expect(r.stdout).toMatch(/audit trail intact: \d+ events checked/);
    expect((await auditEvents(f.db)).at(-1)).toMatchObject({ type: 'audit.verify' });
  });

  it('exits 1 naming the first altered event when a superuser changed a row', async () => {
    const { rows } = await f.db.raw(`SELECT seq FROM audit_events WHERE type = 'admin.group_add'`);
    const seq = rows[0].seq as number;
    await f.db.transaction(async (trx) => {
      await trx.raw('ALTER TABLE audit_events DISABLE TRIGGER USER');
      await trx.raw(`UPDATE audit_events SET actor = 'somebody-else' WHERE seq = ?`, [seq]);
      for (const t of ['unsealed', 'append_only', 'no_truncate']) {
        await trx.raw(`ALTER TABLE audit_events ENABLE ALWAYS TRIGGER audit_events_${t}`);
      }
    });
    const r = await f.run(['audit', 'verify']);
    expect(r.stderr).toMatch(new RegExp(`audit trail BROKEN at event ${seq} \\(altered\\)`));
    expect(r.code).toBe(1);
    const json = await f.run(['audit', 'verify', '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, firstBad: { seq, kind: 'altered' } });
  });
});
