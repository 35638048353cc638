// The send worker in pilot mode, with PostgreSQL, Redis and the simulator: a fax to a number
// that is not a test number — queued before the pilot, or by a path that did not route — is
// never dialled (failed, cause 'pilot'); a fax to the test number is dialled and sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submitFax } from '../pipeline/submit.js';
import {
  type PipelineFixture,
  startPipelineFixture,
  testPage,
  waitTerminal,
} from '../test-support/pipeline-fixture.js';

let f: PipelineFixture;

beforeAll(async () => {
  f = await startPipelineFixture({});
  // the worker reads this configuration object: the node is in its pilot from now on
  f.config.mode = 'pilot';
  f.config.pilot.testNumbers = ['+49305551000'];
}, 60_000);
afterAll(async () => {
  await f?.close();
});

const submit = (number: string) =>
  submitFax(
    { db: f.db, queue: f.pipeline.queue, router: f.router, settings: f.pipeline.settings },
    { actor: 'alice', mailboxId: f.outbox, number, pages: [testPage(3)] },
  );

describe('send worker in pilot mode', () => {
  it('never dials a number that is not a test number, and sends to the test number', async () => {
    const { fax: other } = await submit('5552000');
    const end = await waitTerminal(f.db, other.id);
    expect(end).toMatchObject({ state: 'failed', cause: 'pilot', dials: 0 });
    expect(end.causeText).toContain('pilot phase: only the test number +49305551000');
    expect(f.dialled).toEqual([]);

    const { fax: test } = await submit('5551000');
    const sent = await waitTerminal(f.db, test.id);
    expect(sent, `${sent.cause}: ${sent.causeText} (${sent.remoteNumber})`).toMatchObject({
      state: 'done',
      pagesDone: 1,
    });
    expect(f.dialled).toHaveLength(1);
    expect(f.dialled[0]).toMatch(/5551000$/);
  });
});
