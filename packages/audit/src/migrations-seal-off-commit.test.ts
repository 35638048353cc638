// 0104 on a trail sealed at commit (0103): the chain goes on where it was, commits stop
// sealing, the batch seal chains them; rolled back, commits seal again.
import { migrate, migrateDown, openDatabase } from '@faxgate/store';
import { createTestDatabase } from '@faxgate/store/testing';
import { describe, expect, it } from 'vitest';
import { appendAuditEvent, sealedEvent } from './append.js';
import { auditMigrations } from './migrations/index.js';
import { countUnsealed, sealAuditTrail } from './seal.js';
import { verifyAuditChain } from './verify.js';

describe('0104_audit_seal_off_commit', () => {
  it('upgrades a trail sealed at commit, seals in batches after, and rolls back to sealing at commit', async () => {
    const db = await createTestDatabase();
    const knex = openDatabase(db.url, { poolMax: 3 });
    const upTo0104 = auditMigrations.filter((m) => m.name < '0105');
    const append = (actor: string) =>
      knex.transaction((trx) => appendAuditEvent(trx, { type: 'auth.login', actor }));
    try {
      await migrate(
        knex,
        auditMigrations.filter((m) => m.name < '0104'),
      );
      for (let i = 0; i < 3; i++) await append(`old-${i}`);
      expect(await countUnsealed(knex)).toBe(0); // 0103 sealed them at commit
      expect((await migrate(knex, upTo0104)).applied).toEqual(['0104_audit_seal_off_commit']);
      const e = await append('new');
      expect(await sealedEvent(knex, e.id)).toBeNull();
      expect(await sealAuditTrail(knex)).toEqual({ sealed: 1, busy: false });
      expect(await sealedEvent(knex, e.id)).toEqual({
        seq: 4,
        hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
      for (let i = 0; i < 25; i++) await append(`batch-${i}`);
      expect(await sealAuditTrail(knex, { batch: 10 })).toEqual({ sealed: 25, busy: false });
      expect(await verifyAuditChain(knex, { seal: false })).toEqual({
        ok: true,
        checked: 29,
        lastSeq: 29,
        unsealed: 0,
      });

      await append('pending');
      expect((await migrateDown(knex, upTo0104)).applied).toEqual(['0104_audit_seal_off_commit']);
      const again = await append('sealed-at-commit');
      expect(await sealedEvent(knex, again.id)).toEqual({ seq: 31, hash: expect.any(String) }); // the pending one first
      expect(await verifyAuditChain(knex, { seal: false })).toMatchObject({
        ok: true,
        lastSeq: 31,
        unsealed: 0,
      });
    } finally {
      await knex.destroy();
      await db.drop();
    }
  });
});
