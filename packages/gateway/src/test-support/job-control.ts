// Helpers for the job-control tests (modify, delete, resubmit, settle): contexts from the
// pipeline fixture, a queued fax that waits an hour, a fax held as outcome-unknown the way
// the reconciler holds one, and the audit events of a fax.
import { type Fax, faxes, inTransaction } from '@faxgate/store';
import { submitFax } from '../pipeline/submit.js';
import { recoverCutOffCall } from '../pipeline/transitions.js';
import { type PipelineFixture, testPage } from './pipeline-fixture.js';

const HOUR = 3_600_000;

export function submitContext(fx: PipelineFixture) {
  return { db: fx.db, queue: fx.pipeline.queue, router: fx.router, settings: fx.pipeline.settings };
}

/** A fax to `number` that waits an hour (kill time in five), so no call can take it. */
export async function waitingFax(
  fx: PipelineFixture,
  number = '5551000',
  extra: { priority?: number; pages?: ReturnType<typeof testPage>[] } = {},
): Promise<Fax> {
  const now = Date.now();
  const { fax } = await submitFax(submitContext(fx), {
    actor: 'alice',
    mailboxId: fx.outbox,
    number,
    pages: extra.pages ?? [testPage(1), testPage(2)],
    priority: extra.priority,
    sendAt: new Date(now + HOUR),
    killTime: new Date(now + 5 * HOUR),
  });
  return fax;
}

/** Puts a queued fax into a call, then holds it as the reconciler does after a crash. */
export async function heldFax(fx: PipelineFixture, number = '5551000'): Promise<Fax> {
  const fax = await waitingFax(fx, number);
  await fx.pipeline.queue.getJob(`fax-${fax.id}`).then((j) => j?.remove());
  await inTransaction(fx.db, (trx) =>
    faxes.updateState(
      trx,
      fax.id,
      'running',
      { dials: 1, line: 'c1', startedAt: new Date(), metadata: { ...fax.metadata, worker: 'gone' } },
      { from: ['pending'] },
    ),
  );
  return recoverCutOffCall(fx.db, fax.id, 'hold', 'gateway:test', 'gone');
}

export async function eventsOf(
  fx: PipelineFixture,
  faxId: number,
): Promise<{ type: string; actor: string; details: Record<string, unknown> }[]> {
  return fx.db('audit_events').where({ fax_id: faxId }).orderBy('id').select('type', 'actor', 'details');
}
