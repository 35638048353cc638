// The application role set up by setupRoles: appends, reads and seals work; every way of
// changing the trail is refused by privilege (insufficient_privilege), triggers included.
import { randomBytes } from 'node:crypto';
import { describePrivilege, type Knex, openDatabase, users } from '@faxgate/store';
import { DEFAULT_DATABASE_URL } from '@faxgate/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAuditEvent } from './append.js';
import { AUDIT_TABLE_PRIVILEGES, grantAppRole, migrateAndGrant, setupRoles } from './roles.js';
import { sealAuditTrail } from './seal.js';
import { type AuditTestDb, auditTestDb } from './test-support/db.js';
import { verifyAuditChain } from './verify.js';
import { recordXfer } from './xferlog.js';

const tag = randomBytes(4).toString('hex');
const ownerRole = `fg_a_owner_${tag}`;
const appRole = `fg_a_app_${tag}`;

let t: AuditTestDb;
let app: Knex;
let owner: Knex;

function as(role: string): Knex {
  const u = new URL(t.db.url);
  u.username = role;
  u.password = '';
  return openDatabase(u.toString(), { poolMax: 2 });
}

const denied = (p: Promise<unknown>) => expect(p).rejects.toMatchObject({ code: '42501' });

beforeAll(async () => {
  t = await auditTestDb(); // migrated by the superuser: setup hands everything to the owner
  await setupRoles(t.knex, { database: t.db.name, ownerRole, appRole });
  owner = as(ownerRole);
  app = as(appRole);
  // Later migrations run as the owner and grant again.
  await migrateAndGrant(owner, appRole);
}, 60_000);

afterAll(async () => {
  await app?.destroy();
  await owner?.destroy();
  await t?.close();
  const root = openDatabase(process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL, { poolMax: 1 });
  try {
    await root.raw(`DROP ROLE IF EXISTS ${appRole}`);
    await root.raw(`DROP ROLE IF EXISTS ${ownerRole}`);
  } finally {
    await root.destroy();
  }
});

describe('application role', () => {
  it('appends, seals (with the owner rights) and verifies', async () => {
    await app.transaction(async (trx) => {
      const u = await users.add(trx, { name: `viaapp_${tag}` });
      await appendAuditEvent(trx, { type: 'admin.user_add', actor: 'root', subject: `user:${u.name}` });
      await recordXfer(trx, { type: 'SUBMIT', time: new Date(), jobid: '1' });
    });
    await sealAuditTrail(app);
    const r = await verifyAuditChain(app);
    expect(r.ok).toBe(true);
    expect(r.unsealed).toBe(0);
    expect(r.checked).toBeGreaterThanOrEqual(1);
  });

  it('cannot update, delete or truncate the audit tables', async () => {
    await denied(app.raw(`UPDATE audit_events SET actor = 'x'`));
    await denied(app.raw('DELETE FROM audit_events'));
    await denied(app.raw('TRUNCATE audit_events'));
    await denied(app.raw(`UPDATE xfer_log SET jobid = 'x'`));
    await denied(app.raw('DELETE FROM xfer_log'));
    await denied(app.raw('TRUNCATE xfer_log'));
    await denied(app.raw('UPDATE audit_head SET seq = seq + 1'));
    await denied(app.raw('DELETE FROM audit_head'));
    await denied(app.raw(`INSERT INTO audit_head (id, seq, hash) VALUES (2, 0, '')`));
  });

  it('cannot disable, drop or add a trigger, nor alter or drop an audit table', async () => {
    await denied(app.raw('ALTER TABLE audit_events DISABLE TRIGGER USER'));
    await denied(app.raw('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only'));
    await denied(app.raw('ALTER TABLE audit_head DISABLE TRIGGER ALL'));
    await denied(app.raw('DROP TRIGGER audit_events_append_only ON audit_events'));
    await denied(app.raw('ALTER TABLE xfer_log DISABLE TRIGGER USER'));
    await denied(app.raw('DROP TABLE audit_events'));
    await denied(app.raw(`SET session_replication_role = replica`));
    await denied(
      app.raw(
        `CREATE TRIGGER evil BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION faxgate_refuse_change()`,
      ),
    );
    await denied(app.raw(`CREATE FUNCTION evil() RETURNS int LANGUAGE sql AS 'SELECT 1'`));
  });

  it('is described as owning nothing and unable to disable the audit triggers', async () => {
    expect(await describePrivilege(app)).toMatchObject({
      superuser: false,
      ownsTables: [],
      canDisableAuditTriggers: false,
    });
    expect((await describePrivilege(owner)).canDisableAuditTriggers).toBe(true);
  });

  it('gets exactly the listed privileges on each audit table', async () => {
    const { rows } = await t.knex.raw(
      `SELECT table_name AS t, array_agg(privilege_type::text ORDER BY privilege_type) AS p
         FROM information_schema.role_table_grants WHERE grantee = ? AND table_name = ANY(?) GROUP BY 1`,
      [appRole, Object.keys(AUDIT_TABLE_PRIVILEGES)],
    );
    const got = Object.fromEntries((rows as Array<{ t: string; p: string[] }>).map((r) => [r.t, r.p]));
    const want = Object.fromEntries(
      Object.entries(AUDIT_TABLE_PRIVILEGES).map(([k, v]) => [k, [...v].sort()]),
    );
    expect(got).toEqual(want);
  });

  it('is granted on tables a later migration creates, once migrateAndGrant has run', async () => {
    await owner.raw('CREATE TABLE later_table (x int)');
    await denied(app.raw('SELECT * FROM later_table'));
    await grantAppRole(owner, appRole);
    expect((await app.raw('SELECT count(*)::int AS n FROM later_table')).rows[0].n).toBe(0);
    expect((await migrateAndGrant(owner, appRole)).grantedTo).toBe(appRole);
    expect((await migrateAndGrant(owner, ownerRole)).grantedTo).toBeNull();
  });

  it('grants from several daemons starting at once without colliding', async () => {
    const pools = [as(ownerRole), as(ownerRole), as(ownerRole)];
    try {
      await Promise.all(pools.flatMap((p) => [grantAppRole(p, appRole), migrateAndGrant(p, appRole)]));
    } finally {
      for (const p of pools) await p.destroy();
    }
    await denied(app.raw('DELETE FROM audit_events'));
  });

  it('refuses a hostile role name', async () => {
    await expect(grantAppRole(t.knex, 'x"; DROP TABLE users; --')).rejects.toThrow(/role name/);
  });
});
