// `npm start` (`faxgate-demo`): the demo. Starts capi-sim and the gateway with the demo
// configuration, seeds the demo users and mailboxes, sends the sample PDF out, lets the
// simulator send a fax in, prints where to look and what happens, and runs until Ctrl-C
// (SIGINT) or SIGTERM.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { auditMigrations } from '@faxgate/audit';
import { type Simulator, startSimulator } from '@faxgate/capi-sim';
import {
  exitIfStopHangs,
  type FaxgateConfigInput,
  onStopSignals,
  type RunningGateway,
  redactUrl,
  STOP_MARGIN_MS,
  startGateway,
} from '@faxgate/gateway';
import { type Fax, type Knex, migrate, openDatabase } from '@faxgate/store';
import { stringify } from 'yaml';
import { DEMO_API_PORT, DEMO_CALL_GRACE_SECONDS, DEMO_HYLAFAX_PORT, demoConfig } from './config.js';
import { DemoInputError } from './errors.js';
import { portIsFree, refuseForeignQueue } from './preflight.js';
import { bannerLines, faxEventLine, formatNumber } from './print.js';
import { prepareDemoDatabase } from './roles.js';
import { faxIn, renderDocuments, sendSample } from './scenario.js';
import { seedDemo } from './seed.js';
import { type FaxWatch, lastFaxId, watchFaxes } from './watch.js';

/** Simulated line time × this ≈ 1 s for one of the demo's fine pages at 14,400 bit/s. */
export const DEFAULT_TIME_FACTOR = 0.1;
const TERMINAL_OUT: readonly string[] = ['done', 'failed', 'rejected'];

const say = (line: string) => process.stdout.write(`${line}\n`);

/** A number from the environment, or the default; bad input is an error naming the variable. */
function envNumber(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new DemoInputError(`$${name}: expected a number ${min}..${max}, got ${JSON.stringify(raw)}`);
  }
  return n;
}

interface Parts {
  sim?: Simulator;
  db?: Knex;
  gateway?: RunningGateway;
  watch?: FaxWatch;
  dir?: string;
}

/** What is being stopped right now, named when the stop takes too long. */
let stoppingNow = 'nothing';

async function closeAll(p: Parts): Promise<void> {
  const step = async (name: string, fn: () => Promise<unknown>) => {
    stoppingNow = name;
    try {
      await fn();
    } catch (e) {
      process.stderr.write(`faxgate demo: stopping ${name}: ${e instanceof Error ? e.message : String(e)}\n`);
    }
  };
  const { watch, gateway, sim, db } = p;
  if (watch) await step('the fax watch', () => watch.stop());
  if (gateway) await step('the gateway', () => gateway.stop());
  if (sim) await step('the simulator', () => sim.close());
  if (db) await step('the database pool', () => db.destroy());
  if (p.dir) fs.rmSync(p.dir, { recursive: true, force: true });
  stoppingNow = 'nothing';
}

/** Starts everything; `parts` collects what runs, so a stop at any point closes exactly that. */
async function start(parts: Parts, stopping: () => boolean): Promise<void> {
  const timeFactor = envNumber('FAXGATE_DEMO_TIME_FACTOR', DEFAULT_TIME_FACTOR, 0, 1);
  const wantedPort = envNumber('FAXGATE_DEMO_API_PORT', DEMO_API_PORT, 0, 65535);
  let apiPort = wantedPort;
  let apiNote: string | undefined;
  if (wantedPort !== 0 && !(await portIsFree('127.0.0.1', wantedPort))) {
    apiPort = 0;
    apiNote = `port ${wantedPort} is taken (another gateway?): the demo took a free port`;
  }
  const hylafaxPort = (await portIsFree('127.0.0.1', DEMO_HYLAFAX_PORT)) ? DEMO_HYLAFAX_PORT : 0;

  say(`faxgate demo: starting the simulated exchange (time factor ${timeFactor})`);
  parts.sim = await startSimulator({ host: '127.0.0.1', timeFactor });
  const sim = parts.sim;
  // The demo's private directory (its configuration file for the CLI and the gateway, its
  // spool and tmp), gone at exit.
  parts.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-demo-'));
  const dir = parts.dir;
  // Gone even if the stop hangs and the safety net exits the process.
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  const { input, config, envOverrides } = demoConfig({
    simPort: sim.port,
    apiPort,
    hylafaxPort,
    workDir: parts.dir,
  });

  const configFile = path.join(parts.dir, 'faxgate.yaml');
  const samplePdfFile = path.join(parts.dir, 'sample.pdf');

  say(`faxgate demo: database ${redactUrl(config.database.url)}: roles, migrations, demo users`);
  // The gateway runs as an application role that owns nothing (db setup), when it can.
  const prepared = await prepareDemoDatabase(config.database.url, parts.dir);
  say(`faxgate demo: ${prepared.note}`);
  const databaseUrl = prepared.kind === 'roles' ? prepared.appUrl : config.database.url;
  const fileInput: FaxgateConfigInput = {
    ...input,
    database:
      prepared.kind === 'roles'
        ? { url: prepared.appUrl, ownerUrlFile: prepared.ownerUrlFile }
        : { url: config.database.url, allowPrivileged: prepared.privileged !== null },
  };
  fs.writeFileSync(
    configFile,
    `# faxgate demo configuration (written by npm start, removed when it stops)\n${stringify(fileInput)}`,
    { mode: 0o600 },
  );
  parts.db = openDatabase(databaseUrl, {
    poolMax: 4,
    applicationName: 'faxgate-demo',
    preparedStatements: config.database.preparedStatements,
  });
  const db = parts.db;
  if (prepared.kind === 'given' && prepared.privileged) await migrate(db, auditMigrations);
  await refuseForeignQueue(db);
  const actor = `demo:${safeUserName()}`;
  const seeded = await seedDemo(db, actor);
  if (seeded.created.length) say(`faxgate demo: created ${seeded.created.join(', ')}`);
  const docs = await renderDocuments();
  const { samplePdf } = await import('./sample-pdf.js');
  fs.writeFileSync(samplePdfFile, samplePdf(), { mode: 0o600 });
  if (stopping()) return;

  const plan = { countryCode: config.routing.numbering.countryCode, areaCode: '30' };
  parts.watch = await watchFaxes({
    db,
    afterId: await lastFaxId(db),
    onChange: (f: Fax) => {
      const line = faxEventLine(f, (id) => parts.watch?.mailboxName(id) ?? String(id), plan);
      if (line) say(line);
    },
    onError: (e) => process.stderr.write(`faxgate demo: reading faxes: ${e.message}\n`),
  });
  const watch = parts.watch;

  if (stopping()) return;
  // The file's database.url wins over the one the demo was given in the environment.
  parts.gateway = await startGateway({
    path: configFile,
    env: { ...process.env, FAXGATE_DATABASE_URL: databaseUrl },
  });
  const gw = parts.gateway;
  if (!gw.pipeline) throw new Error('the send queue did not start');
  // The body is read: an unread response keeps its keep-alive connection busy, and the API's
  // close would wait for it.
  const restApi = await fetch(`${gw.address}/openapi.json`).then(
    async (r) => {
      await r.arrayBuffer();
      return r.ok;
    },
    () => false,
  );
  for (const line of bannerLines({
    apiAddress: gw.address,
    apiNote,
    hylafaxAddress: gw.hylafaxAddress,
    restApi,
    logins: seeded.logins,
    simAddress: `127.0.0.1:${sim.port}`,
    timeFactor,
    database: redactUrl(databaseUrl),
    redis: redactUrl(config.redis.url),
    redisPrefix: config.redis.keyPrefix,
    configFile,
    samplePdf: samplePdfFile,
    envOverrides,
  }))
    say(line);
  if (stopping()) return;

  // A fax each way, at the same time: the gateway keeps one B channel free for receiving.
  const sent = await sendSample({ db, config, pipeline: gw.pipeline, pages: docs.outgoing });
  say(
    `demo-user submitted fax ${sent.fax.id} (${docs.outgoing.length} pages, the sample PDF) to ${formatNumber(sent.fax.remoteNumber, plan)}`,
  );
  say(`the simulated fax machine ${formatNumber('+49891234567', plan)} calls +49 30 3001 (demo-in)`);
  const call = faxIn(sim, docs.incoming);
  const [out, inFax, record] = await Promise.all([
    watch.until(sent.fax.id, (f) => TERMINAL_OUT.includes(f.state)),
    watch.untilIncoming((f) => !f.internal && f.state === 'received'),
    call,
  ]);
  const perPage = (record.lineMs * timeFactor) / Math.max(1, record.pages) / 1000;
  say(
    `demo: both faxes are through (sent ${out.state}, received into ${watch.mailboxName(inFax.mailboxId)}; ` +
      `a page took about ${perPage.toFixed(1)} s on the simulated line). The gateway keeps running: try the CLI commands above.`,
  );
  say('Press Ctrl-C to stop.');
}

function safeUserName(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown';
  }
}

export async function runDemo(): Promise<void> {
  const parts: Parts = {};
  let started: Promise<void> | null = null;

  const stop = async () => {
    say(`faxgate demo: ${signals.received}: stopping`);
    exitIfStopHangs(
      () => `faxgate demo: shutdown took too long (still stopping ${stoppingNow}): exiting`,
      DEMO_CALL_GRACE_SECONDS * 1000 + STOP_MARGIN_MS,
    );
    // Waiting for the demo's faxes ends now; then the start, cut short, returns.
    await parts.watch?.stop().catch(() => {});
    stoppingNow = 'the start';
    await started?.catch(() => {}); // a start cut short by the stop is no error
    await closeAll(parts);
    say('faxgate demo: stopped');
    process.exitCode = 0;
  };
  const now = (signal: string) => {
    say(`faxgate demo: ${signal} again: disconnecting the calls in progress now`);
    parts.gateway?.stopNow();
  };
  const signals = onStopSignals(() => void stop(), now);

  started = start(parts, () => signals.received !== null);
  try {
    await started;
  } catch (e) {
    if (signals.received) return; // stopping: the parts are being closed
    process.stderr.write(`faxgate demo: cannot start: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = e instanceof DemoInputError ? 2 : 1;
    signals.mark('error');
    await closeAll(parts);
    signals.release();
  }
}
