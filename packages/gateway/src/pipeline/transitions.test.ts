// recoverCutOffCall is a compare-and-set on the state *and* the worker: a caller that saw the
// row under a dead worker must not mark a call that another process has dialled since.
import { auditMigrations } from '@faxgate/audit';
import { faxes, StateConflictError } from '@faxgate/store';
import { type MigratedTestDb, migratedTestDb } from '@faxgate/store/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { OUTCOME_UNKNOWN, recoverCutOffCall } from './transitions.js';

let t: MigratedTestDb;
beforeAll(async () => {
  t = await migratedTestDb({ extra: auditMigrations });
});
afterAll(async () => t?.close());

const runningUnder = (worker: string) =>
  faxes.insert(t.knex, {
    direction: 'out',
    state: 'running',
    remoteNumber: '+49305551000',
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
