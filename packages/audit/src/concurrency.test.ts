// Two processes append at the same time: one intact chain, no fork, no gap, nothing lost.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuditTestDb, auditTestDb } from './test-support/db.js';
import { runAppendWorkers } from './test-support/spawn-workers.js';
import { verifyAuditChain } from './verify.js';

describe('concurrent appends from two processes', () => {
  let t: AuditTestDb;
  beforeAll(async () => {
    t = await auditTestDb();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('2 × 5,000 events → one intact chain of 10,000', async () => {
    const { results } = await runAppendWorkers(t.db.url, { processes: 2, countEach: 5000, writersEach: 2 });
    expect(results.map((r) => r.appended)).toEqual([5000, 5000]);
    // Verify seals what the last busy commits left, then checks all of it.
    expect(await verifyAuditChain(t.knex, { batch: 3000 })).toEqual({
      ok: true,
      checked: 10_000,
      lastSeq: 10_000,
      unsealed: 0,
    });
    const { rows } = await t.knex.raw(
      `SELECT count(*) AS n, min(seq) AS lo, max(seq) AS hi, count(DISTINCT prev_hash) AS links,
              count(DISTINCT actor) AS actors FROM audit_events`,
    );
    expect(rows[0]).toEqual({ n: 10_000, lo: 1, hi: 10_000, links: 10_000, actors: 2 });
    // Both processes really interleaved.
    const { rows: switches } = await t.knex.raw(
      `SELECT count(*) AS n FROM (SELECT actor, lag(actor) OVER (ORDER BY seq) AS prev FROM audit_events) x
        WHERE prev IS NOT NULL AND actor <> prev`,
    );
    expect(switches[0].n).toBeGreaterThan(10);
  }, 180_000);
});
