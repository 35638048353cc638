// 0103 on a database that already has a trail: the chain goes on where it was, and a
// rollback to 0102 seals what is pending first (0102's seal only runs at an event's own commit).
import { migrate, migrateDown, openDatabase } from '@faxgate/store';
import { createTestDatabase } from '@faxgate/store/testing';
import { describe, expect, it } from 'vitest';
import { appendAuditEvent } from './append.js';
import { auditMigrations } from './migrations/index.js';
import { countUnsealed } from './seal.js';
import { holdHead } from './test-support/hold-head.js';
import { verifyAuditChain } from './verify.js';

const before0103 = auditMigrations.filter((m) => m.name < '0103');
const upTo0103 = auditMigrations.filter((m) => m.name < '0104');

describe('0103_audit_batch_seal', () => {
  it('upgrades a trail sealed the old way and rolls back without leaving events unsealed', async () => {
    const db = await createTestDatabase();
    const knex = openDatabase(db.url, { poolMax: 3 });
    const append = (actor: string) =>
      knex.transaction((trx) => appendAuditEvent(trx, { type: 'auth.login', actor }));
    try {
      await migrate(knex, before0103);
      for (let i = 0; i < 3; i++) await append(`old-${i}`);
      expect((await migrate(knex, upTo0103)).applied).toEqual(['0103_audit_batch_seal']);
      for (let i = 0; i < 3; i++) await append(`new-${i}`);
      expect(await verifyAuditChain(knex, { seal: false })).toEqual({
        ok: true,
        checked: 6,
        lastSeq: 6,
        unsealed: 0,
      });

      const release = await holdHead(knex);
      await append('pending');
      await release();
      expect(await countUnsealed(knex)).toBe(1);
      expect((await migrateDown(knex, upTo0103)).applied).toEqual(['0103_audit_batch_seal']);
      expect(await countUnsealed(knex)).toBe(0);
      await append('old-again'); // 0102's seal at commit
      expect(await verifyAuditChain(knex, { seal: false })).toMatchObject({ ok: true, lastSeq: 8 });
    } finally {
      await knex.destroy();
      await db.drop();
    }
  });
});
