// The forgeries issue 13 names, done as a database superuser would: cut the trail back and
// move the head with it, or alter an event and re-hash everything after it. Afterwards the
// database is consistent in itself — only checkpoints kept outside it can tell.
import type { Knex } from '@faxgate/store';
import { tamper } from './db.js';

const GENESIS = '0'.repeat(64);

async function setHead(trx: Knex | Knex.Transaction, seq: number, hash: string): Promise<void> {
  await trx.raw('ALTER TABLE audit_head DISABLE TRIGGER USER');
  await trx.raw('UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1', [seq, hash]);
  for (const trigger of ['audit_head_forward_only', 'audit_head_no_truncate']) {
    await trx.raw(`ALTER TABLE audit_head ENABLE ALWAYS TRIGGER ${trigger}`);
  }
}

/** Deletes every event after `keepSeq` and moves the head back to it. */
export async function truncateTrail(knex: Knex, keepSeq: number): Promise<void> {
  await tamper(knex, 'DELETE FROM audit_events WHERE seq > ?', [keepSeq]);
  await knex.transaction(async (trx) => {
    const { rows } = await trx.raw('SELECT hash FROM audit_events WHERE seq = ?', [keepSeq]);
    await setHead(trx, keepSeq, keepSeq === 0 ? GENESIS : rows[0].hash);
  });
}

/** Runs `alter` (SQL on audit_events, triggers off), then recomputes every hash from `fromSeq` on and the head. */
export async function rewriteTrail(knex: Knex, fromSeq: number, alter: string): Promise<void> {
  if (!Number.isSafeInteger(fromSeq) || fromSeq < 1) throw new Error('fromSeq must be a positive integer');
  await tamper(knex, alter);
  await tamper(
    knex,
    `DO $$
     DECLARE e audit_events; h text; n text;
     BEGIN
       SELECT coalesce((SELECT hash FROM audit_events WHERE seq = ${fromSeq - 1}), repeat('0', 64)) INTO h;
       FOR e IN SELECT * FROM audit_events WHERE seq >= ${fromSeq} ORDER BY seq LOOP
         n := encode(sha256(decode(h, 'hex') || convert_to(faxgate_audit_canonical(e, e.seq), 'UTF8')), 'hex');
         UPDATE audit_events SET prev_hash = h, hash = n WHERE id = e.id;
         h := n;
       END LOOP;
     END $$`,
  );
  await knex.transaction(async (trx) => {
    const { rows } = await trx.raw(
      'SELECT seq, hash FROM audit_events WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1',
    );
    await setHead(trx, Number(rows[0].seq), rows[0].hash);
  });
}
