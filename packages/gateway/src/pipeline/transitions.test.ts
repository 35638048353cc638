// recoverCutOffCall is a compare-and-set on the state *and* the worker: a caller that saw the
// row under a dead worker must not mark a call that another process has dialled since.
import { auditMigrations, decodeXferParams, xferDcsText } from '@faxgate/audit';
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
  (await t.knex('audit_events').where({ fax_id: faxId }).orderBy('id').select('type')).map(
    (e: { type: string }) => e.type,
  );

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

it('records a call end on the claimed row when nothing changed it, in one statement', async () => {
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
  // One statement: the row, both events and the SEND record; no transaction block, no lock read.
  expect(sql).toHaveLength(1);
  expect(sql[0]).toMatch(/^WITH changed AS \(update "faxes"/);
  expect(verdict.kind).toBe('done');
  expect(fax).toMatchObject({ state: 'done', pagesDone: 1, tries: 1, version: claimed.version + 1 });
  expect(fax.causeText).toBe('1 page confirmed');
  expect(await eventTypes(claimed.id)).toEqual(['send.end', 'send.done']);
  expect(await t.knex('xfer_log').where({ fax_id: claimed.id }).count({ n: '*' })).toEqual([{ n: 1 }]);
  // params: HylaFAX's packed session word (the call trained at 14,400), the DCS beside it
  const [rec] = await t.knex('xfer_log').where({ fax_id: claimed.id });
  expect(decodeXferParams(rec.params)).toMatchObject({
    form: 'packed',
    bitRate: 14400,
    resolution: 'standard',
  });
  expect(rec.dcs).toBe(xferDcsText(rec.params));
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

it('writes the same row, events and SEND record on either path', async () => {
  const fast = await runningUnder('A');
  const locked = await runningUnder('A');
  const call = okCall();
  await recordCallEnd(t.knex, fast.id, call, 'gateway:test', decide, fast);
  await recordCallEnd(t.knex, locked.id, call, 'gateway:test', decide);
  const written = async (id: number) => {
    const fax = await faxes.get(t.knex, id);
    const events = await t.knex('audit_events').where({ fax_id: id }).orderBy('id');
    const [xfer] = await t.knex('xfer_log').where({ fax_id: id });
    const { id: _x, fax_id: _f, jobid: _j, commid, dest: _d, recorded_at: _r, ...record } = xfer;
    return {
      fax: { state: fax.state, tries: fax.tries, pagesDone: fax.pagesDone, cause: fax.cause, line: fax.line },
      events: events.map((e: { type: string; actor: string; details: unknown }) => [
        e.type,
        e.actor,
        e.details,
      ]),
      record: { ...record, commid: commid.replace(/^\d+/, 'N') },
    };
  };
  const a = await written(fast.id);
  expect(a.events).toHaveLength(2);
  expect(a.record).toMatchObject({ type: 'SEND', npages: 1, result_code: 'ok', remote_station: 'REMOTE' });
  expect(a).toEqual(await written(locked.id));
});
