// The demo's two faxes: the demo user sends the sample PDF to a simulated remote fax
// machine (through submitFax, the path the CLI and the API take), and the simulator calls
// in with a one-page fax to the demo user's number.
import type { Simulator } from '@faxgate/capi-sim';
import type { BilevelPage } from '@faxgate/fax-core';
import { type FaxgateConfig, type OutgoingPipeline, type SubmitResult, submitFax } from '@faxgate/gateway';
import { createRouter } from '@faxgate/router';
import { type Knex, mailboxes } from '@faxgate/store';
import { DEMO_CALLER, DEMO_REMOTE_FAX } from './config.js';
import { incomingPdf, samplePdf } from './sample-pdf.js';

export interface DemoDocuments {
  outgoing: BilevelPage[];
  incoming: BilevelPage[];
}

/** Renders both demo PDFs in the sandboxed render pool (one worker, closed afterwards). */
export async function renderDocuments(): Promise<DemoDocuments> {
  const { createRenderPool } = await import('@faxgate/fax-core/render');
  const pool = createRenderPool({ workers: 1 });
  try {
    const outgoing = (await pool.render(samplePdf(), { resolution: 'fine' })).pages;
    const incoming = (await pool.render(incomingPdf(DEMO_CALLER.tsi), { resolution: 'fine' })).pages;
    return { outgoing, incoming };
  } finally {
    await pool.close();
  }
}

/** The demo user submits the sample to the simulated remote fax machine. */
export async function sendSample(opts: {
  db: Knex;
  config: FaxgateConfig;
  pipeline: OutgoingPipeline;
  pages: BilevelPage[];
}): Promise<SubmitResult> {
  const boxes = (await mailboxes.list(opts.db)).map((m) => ({
    id: m.id,
    name: m.name,
    kind: m.kind,
    numbers: m.numbers,
  }));
  const out = await mailboxes.get(opts.db, 'demo-out');
  return submitFax(
    {
      db: opts.db,
      queue: opts.pipeline.queue,
      router: createRouter(opts.config.routing, boxes),
      settings: opts.pipeline.settings,
    },
    {
      actor: 'demo-user',
      mailboxId: out.id,
      number: DEMO_REMOTE_FAX,
      pages: opts.pages,
      subject: 'faxgate demo',
    },
  );
}

/** The simulated remote fax machine calls the demo user's number; resolves when the call is over. */
export function faxIn(sim: Simulator, pages: BilevelPage[]) {
  return sim.injectCall({
    from: DEMO_CALLER.number,
    to: DEMO_CALLER.calls,
    csi: DEMO_CALLER.tsi,
    document: pages,
  });
}
