// The application role: appends and reads work, changes are refused by privilege.
import { randomBytes } from 'node:crypto';
import { openDatabase, users } from '@faxgate/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAuditEvent } from './append.js';
import { grantAppRole } from './roles.js';
import { type AuditTestDb, auditTestDb } from './test-support/db.js';
import { verifyAuditChain } from './verify.js';
import { recordXfer } from './xferlog.js';

describe('application role', () => {
  let t: AuditTestDb;
  const role = `faxgate_app_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  beforeAll(async () => {
    t = await auditTestDb();
    await t.knex.raw(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
    await grantAppRole(t.knex, role);
  });
  afterAll(async () => {
    await t?.close();
    const { openDatabase: open } = await import('@faxgate/store');
    const admin = open(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres', {
      poolMax: 1,
    });
    await admin.raw(`DROP ROLE IF EXISTS ${role}`);
    await admin.destroy();
  });

  it('appends (sealed with the owner rights) but cannot change the trail', async () => {
    const url = new URL(t.db.url);
    url.username = role;
    url.password = password;
    const app = openDatabase(url.toString(), { poolMax: 1 });
    try {
      await app.transaction(async (trx) => {
        const u = await users.add(trx, { name: 'viaapp' });
        await appendAuditEvent(trx, { type: 'admin.user_add', actor: 'root', subject: `user:${u.name}` });
        await recordXfer(trx, { type: 'SUBMIT', time: new Date(), jobid: '1' });
      });
      await expect(app.raw(`UPDATE audit_events SET actor = 'x'`)).rejects.toThrow(/permission denied/);
      await expect(app.raw('DELETE FROM xfer_log')).rejects.toThrow(/permission denied/);
      await expect(app.raw('TRUNCATE audit_events')).rejects.toThrow(/permission denied/);
      await expect(app.raw('UPDATE audit_head SET seq = seq + 1')).rejects.toThrow(/permission denied/);
      await expect(app.raw('ALTER TABLE audit_events DISABLE TRIGGER USER')).rejects.toThrow(/must be owner/);
      expect(await verifyAuditChain(app)).toEqual({ ok: true, checked: 1, lastSeq: 1, unsealed: 0 });
    } finally {
      await app.destroy();
    }
  });

  it('refuses a hostile role name', async () => {
    await expect(grantAppRole(t.knex, 'x"; DROP TABLE users; --')).rejects.toThrow(/role name/);
  });
});
