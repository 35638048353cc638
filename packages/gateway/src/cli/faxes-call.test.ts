// faxgate send and stop against a running pipeline: the CLI (a child process, with alice's
// token) submits through the gateway API, the send worker in this process dials capi-sim, and
// `faxgate stop` reaches the call through the API and the Redis stop channel — the way an
// operator stops a fax the daemon is sending.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFaxDocument } from '@faxgate/fax-core';
import { credentials, faxes } from '@faxgate/store';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { validateConfig } from '../config/load.js';
import { type CliApi, startCliApi } from '../test-support/cli-fixture.js';
import {
  type PipelineFixture,
  startPipelineFixture,
  testPage,
  waitFor,
  waitTerminal,
} from '../test-support/pipeline-fixture.js';
import { runFaxgate } from '../testing/run-cli.js';

vi.setConfig({ testTimeout: 240_000 });

let fx: PipelineFixture;
let api: CliApi;
let dir: string;
let env: NodeJS.ProcessEnv;
let doc: string;

beforeAll(async () => {
  fx = await startPipelineFixture({});
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-cli-call-'));
  // The gateway's API on the fixture's pipeline: its queue, and its stop context (the worker here).
  // The API routes with the same plan as the fixture's router (its configuration has none).
  const { config } = validateConfig(
    {
      database: { url: fx.config.database.url },
      redis: { keyPrefix: fx.prefix },
      logging: { level: 'error' },
      routing: {
        numbering: { countryCode: '49', areaCode: '30', localNumberLength: 7, dialLocal: true },
        destinations: { deny: ['+49305559'] },
        inbound: { default: 'postoffice' },
      },
    },
    process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {},
  );
  api = await startCliApi(fx.db, config, {
    queue: fx.pipeline.queue,
    stopContext: fx.pipeline.stopContext,
  });
  const { secret } = await credentials.issue(fx.db, { kind: 'token', user: fx.userId, name: 'cli test' });
  env = {
    HOME: dir,
    XDG_CONFIG_HOME: path.join(dir, '.config'),
    FAXGATE_API_URL: api.base,
    FAXGATE_TOKEN: secret,
    FAXGATE_CONFIG: undefined,
    FAXGATE_DATABASE_URL: 'postgres://nobody@127.0.0.1:1/no_database_for_the_cli',
  };
  doc = path.join(dir, 'long.tif');
  fs.writeFileSync(doc, writeFaxDocument('tiff', [{ page: testPage(7, 1100) }, { page: testPage(8, 1100) }]));
});
afterAll(async () => {
  await api?.close();
  await fx?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('faxgate send and stop with a running worker', () => {
  it('sends through the worker, and stop disconnects the running call cleanly', async () => {
    fx.sim.setTimeFactor(0.05); // a page at 4800 bit/s now takes about a second
    try {
      const callEnded = fx.sim.waitForCall((c) => c.to === '5551001');
      const sent = await runFaxgate(['send', '-d', '5551001', '--json', doc], env);
      expect(sent.stderr).toBe('');
      expect(sent.code).toBe(0);
      const { id, enqueued } = JSON.parse(sent.stdout) as { id: number; enqueued: boolean };
      expect(enqueued).toBe(true);
      await waitFor('the call to start', async () => (await faxes.get(fx.db, id)).state === 'running');

      const stop = await runFaxgate(['stop', String(id)], env);
      expect(stop.stderr).toBe('');
      expect(stop.code).toBe(0);
      expect(stop.stdout).toMatch(/stop requested, the call is being disconnected/);
      expect(await waitTerminal(fx.db, id)).toMatchObject({ state: 'failed', cause: 'stopped' });
      const call = await callEnded;
      // Ended by us mid-document; capi-sim labels a DISCONNECT_B3 that cuts an SFF record in
      // half 'sff-error' (card.ts end()), one between records 'local-abort': timing decides.
      expect(['local-abort', 'sff-error']).toContain(call.outcome);
      expect(call.pages).toBeLessThan(2);
    } finally {
      fx.sim.setTimeFactor(0);
    }
  });
});
