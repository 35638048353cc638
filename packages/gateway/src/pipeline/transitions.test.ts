// recoverCutOffCall is a compare-and-set on the state *and* the worker: a caller that saw the
// row under a dead worker must not mark a call that another process has dialled since.
import { auditMigrations } from '@faxgate/audit';
import { faxes, StateConflictError } from '@faxgate/store';
import { type MigratedTestDb, migratedTestDb } from '@faxgate/store/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type CallRecord, OUTCOME_UNKNOWN, recordCallEnd, recoverCutOffCall } from './transitions.js';
import type { Verdict } from './verdict.js';

let t: MigratedTestDb;
beforeAll(async () => {
  t = await migratedTestDb({ extra: auditMigrations });
});
afterAll(async () => t?.close());

// A distinct number each: one call per number is a unique index.
let nextNumber = 1000;
const runningUnder = (worker: string) =>
  faxes.insert(t.knex, {
    direction: 'out',
    state: 'running',
    remoteNumber: `+4930555${nextNumber++}`,
    dials: 2,
    line: 'c1',
    startedAt: new Date(),
    metadata: { worker },
  });

const eventTypes = async (faxId: number) =>
  (await t.knex('audit_events').where({ fax_id: faxId }).select('type')).map((e: { type: string }) => e.type);

it('leaves a call alone that a live worker took over since the caller looked', async () => {
  // Seen running under dead worker A; meanwhile resent and dialled again by worker B.
  const fax = await runningUnder('B');
  await expect(recoverCutOffCall(t.knex, fax.id, 'resend', 'gateway:test', 'A')).rejects.toBeInstanceOf(
    StateConflictError,
  );
  expect((await faxes.get(t.knex, fax.id)).state).toBe('running');
  expect(await eventTypes(fax.id)).toEqual([]);
});

it('recovers the call of the dead worker it names, with the event on record', async () => {
  const held = await runningUnder('A');
  expect(await recoverCutOffCall(t.knex, held.id, 'hold', 'gateway:test', 'A')).toMatchObject({
    state: 'suspended',
    cause: OUTCOME_UNKNOWN,
  });
  expect(await eventTypes(held.id)).toEqual(['job.suspend']);
  const resent = await runningUnder('A');
  expect(await recoverCutOffCall(t.knex, resent.id, 'resend', 'gateway:test', 'A')).toMatchObject({
    state: 'pending',
  });
  expect(await eventTypes(resent.id)).toEqual(['job.retry']);
});

const okCall = (): CallRecord => ({
  controller: 1,
  startedAt: new Date(Date.now() - 1000),
  endedAt: new Date(),
  pages: 1,
  connected: true,
  remoteStationId: 'REMOTE',
  rate: 14400,
  durationMs: 900,
  cause: { name: 'ok', class: 'ok', reason: 0, reasonB3: 0 },
});
// Done unless the row carries a stop request: what the worker's verdict looks at.
const decide = (row: { metadata: Record<string, unknown> }) => {
  const stoppedBy =
    typeof row.metadata.stopRequestedBy === 'string' ? row.metadata.stopRequestedBy : undefined;
  const verdict: Verdict = stoppedBy
    ? { kind: 'failed', code: 'stopped', reason: `stopped by ${stoppedBy}` }
    : { kind: 'done' };
  return { verdict, stoppedBy };
};

it('records a call end on the claimed row when nothing changed it, in one go with both events', async () => {
  const claimed = await runningUnder('A');
  const sql: string[] = [];
  const seen = (q: { sql: string }) => sql.push(q.sql);
  t.knex.on('query', seen);
  const { fax, verdict } = await recordCallEnd(
    t.knex,
    claimed.id,
    okCall(),
    'gateway:test',
    decide,
    claimed,
  ).finally(() => t.knex.off('query', seen));
  // BEGIN, the row, both events in one INSERT, the SEND record, COMMIT: no SELECT … FOR UPDATE.
  expect(sql).toHaveLength(5);
  expect(sql.some((q) => /for update/i.test(q))).toBe(false);
  expect(verdict.kind).toBe('done');
  expect(fax).toMatchObject({ state: 'done', pagesDone: 1, tries: 1, version: claimed.version + 1 });
  expect(await eventTypes(claimed.id)).toEqual(['send.end', 'send.done']);
  expect(await t.knex('xfer_log').where({ fax_id: claimed.id }).count({ n: '*' })).toEqual([{ n: 1 }]);
});

it('takes the verdict on the current row when the claimed one is outdated (a stop during the call)', async () => {
  const claimed = await runningUnder('A');
  await faxes.update(t.knex, claimed.id, { metadata: { ...claimed.metadata, stopRequestedBy: 'ada' } });
  const { fax, verdict } = await recordCallEnd(t.knex, claimed.id, okCall(), 'gateway:test', decide, claimed);
  expect(verdict).toMatchObject({ kind: 'failed', code: 'stopped' });
  expect(fax).toMatchObject({ state: 'failed', cause: 'stopped' });
  const events = await t.knex('audit_events').where({ fax_id: claimed.id }).orderBy('id');
  expect(events.map((e: { type: string; actor: string }) => [e.type, e.actor])).toEqual([
    ['send.end', 'gateway:test'],
    ['job.kill', 'ada'],
  ]);
});
