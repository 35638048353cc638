// CLI tests: a database of its own, a config file and a `faxgate` runner bound to both
// (cliFixture, for the system commands that open the database); and cliApiFixture, the same
// with the gateway's HTTP API running on that database, a private HOME for the CLI's token
// file, and runners that act as a faxgate user by their API token (user-level commands).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { auditMigrations } from '@faxgate/audit';
import { credentials, migrate, openDatabase } from '@faxgate/store';
import { createTestDatabase, type TestDatabase } from '@faxgate/store/testing';
import { Redis } from 'ioredis';
import { buildApi, listenApi } from '../api/server.js';
import { loadConfig } from '../config/load.js';
import type { FaxgateConfig } from '../config/schema.js';
import { createDocumentLoader } from '../documents/load-pages.js';
import { openSendQueue, type SendQueue, stopChannel } from '../pipeline/queue.js';
import { queueSettings } from '../pipeline/settings.js';
import type { StopContext } from '../pipeline/stop.js';
import { type CliResult, runFaxgate } from '../testing/run-cli.js';

export interface CliFixture {
  testDb: TestDatabase;
  db: ReturnType<typeof openDatabase>;
  dir: string;
  configFile: string;
  env: NodeJS.ProcessEnv;
  run(args: string[], input?: string): Promise<CliResult>;
  close(): Promise<void>;
}

export async function cliFixture(configYaml = 'logging:\n  level: warn\n'): Promise<CliFixture> {
  const testDb = await createTestDatabase('faxgate_gw');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-cli-'));
  const configFile = path.join(dir, 'faxgate.yaml');
  fs.writeFileSync(configFile, configYaml);
  // FAXGATE_DATABASE_URL outranks a DATABASE_URL the test runner may have set. The system
  // commands (db migrate, audit verify offline) run as the owner: here the test superuser.
  const env = {
    FAXGATE_DATABASE_URL: testDb.url,
    FAXGATE_DATABASE_OWNER_URL: testDb.url,
    FAXGATE_CONFIG: configFile,
  };
  const db = openDatabase(testDb.url, { poolMax: 2 });
  return {
    testDb,
    db,
    dir,
    configFile,
    env,
    run: (args, input) => runFaxgate(args, env, input),
    async close() {
      await db.destroy();
      await testDb.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A fingerprint of every row of every table (migration bookkeeping excluded): equal
 * snapshots mean nothing was changed — no row added, removed or altered.
 */
export async function snapshot(
  db: CliFixture['db'],
  /** Tables left out, e.g. credentials (a token's last use is noted on every request). */
  ignore: readonly string[] = [],
): Promise<Record<string, string>> {
  const { rows } = await db.raw(
    `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE 'faxgate_migrations%' ORDER BY tablename`,
  );
  const out: Record<string, string> = {};
  for (const { tablename } of rows as Array<{ tablename: string }>) {
    if (ignore.includes(tablename)) continue;
    const r = await db.raw(
      `SELECT count(*)::int AS n, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS h FROM "${tablename}" t`,
    );
    out[tablename] = `${r.rows[0].n}:${r.rows[0].h}`;
  }
  return out;
}

export interface AuditRow {
  id: number;
  type: string;
  actor: string;
  subject: string | null;
  details: Record<string, unknown>;
}

/** Every audit event so far, in append order (read straight from the table). */
export async function auditEvents(db: CliFixture['db']): Promise<AuditRow[]> {
  return db('audit_events').orderBy('id').select('id', 'type', 'actor', 'subject', 'details');
}

export interface CliApi {
  base: string;
  close(): Promise<void>;
}

/**
 * The gateway's API on `db` with `config`, listening on a free loopback port: with a send
 * queue and a Redis stop channel of its own unless `queue: false` (then an accepted fax
 * waits for the reconciler, as when Redis is down), or with the given ones.
 */
export async function startCliApi(
  db: CliFixture['db'],
  config: FaxgateConfig,
  opts: { queue?: SendQueue | false; stopContext?: StopContext } = {},
): Promise<CliApi> {
  const ownQueue = opts.queue === undefined ? openSendQueue(config) : undefined;
  const queue = opts.queue === false ? undefined : (opts.queue ?? ownQueue);
  const publisher = opts.stopContext || !queue ? undefined : new Redis(config.redis.url);
  const documents = createDocumentLoader({ workers: 1 });
  const errors: string[] = [];
  const app = buildApi({
    probes: {},
    status: () => ({}) as never,
    services: {
      db,
      config,
      queue,
      stopContext: opts.stopContext ?? { db, queue, publisher, stopChannel: stopChannel(config) },
      settings: queueSettings(config),
      documents,
      logError: (m) => errors.push(m),
    },
  });
  const base = await listenApi(app, '127.0.0.1', 0);
  return {
    base,
    async close() {
      await app.close();
      await documents.close();
      await ownQueue?.close();
      publisher?.disconnect();
      if (errors.length) throw new Error(`the API logged internal errors:\n${errors.join('\n')}`);
    },
  };
}

export interface CliApiFixture extends CliFixture {
  config: FaxgateConfig;
  /** The API's base URL (given to the CLI as $FAXGATE_API_URL). */
  base: string;
  /** HOME of the CLI runs; the token file is home/.config/faxgate/token. */
  home: string;
  tokenFile: string;
  /** An API token of `user`, issued in the store (once per user). */
  token(user: string): Promise<string>;
  /** Runs the CLI with `user`'s token in $FAXGATE_TOKEN. */
  as(user: string, args: string[], input?: string, env?: NodeJS.ProcessEnv): Promise<CliResult>;
  /** Runs the CLI with no token at all (`run` does the same). */
  anon(args: string[], input?: string, env?: NodeJS.ProcessEnv): Promise<CliResult>;
}

/** Environment of a CLI run that must not reach the database: a URL that cannot connect. */
const NO_DATABASE = 'postgres://nobody@127.0.0.1:1/no_database_for_the_cli';

export async function cliApiFixture(
  configYaml = 'logging:\n  level: warn\n',
  opts: { queue?: false } = {},
): Promise<CliApiFixture> {
  const f = await cliFixture(configYaml);
  await migrate(f.db, auditMigrations);
  const serverEnv: NodeJS.ProcessEnv = { FAXGATE_DATABASE_URL: f.testDb.url };
  if (process.env.REDIS_URL) serverEnv.REDIS_URL = process.env.REDIS_URL;
  const { config } = loadConfig({ path: f.configFile, env: serverEnv });
  const api = await startCliApi(f.db, config, { queue: opts.queue });
  const home = path.join(f.dir, 'home');
  fs.mkdirSync(home, { mode: 0o700 });
  const env: NodeJS.ProcessEnv = {
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    FAXGATE_CONFIG: f.configFile,
    FAXGATE_API_URL: api.base,
    FAXGATE_TOKEN: undefined,
    FAXGATE_DATABASE_URL: NO_DATABASE,
    DATABASE_URL: NO_DATABASE,
  };
  const tokens = new Map<string, string>();
  const token = async (user: string) => {
    let t = tokens.get(user);
    if (!t) {
      t = (await credentials.issue(f.db, { kind: 'token', user, name: 'cli test' })).secret;
      tokens.set(user, t);
    }
    return t;
  };
  const anon = (args: string[], input?: string, extra: NodeJS.ProcessEnv = {}) =>
    runFaxgate(args, { ...env, ...extra }, input);
  return {
    ...f,
    env,
    config,
    base: api.base,
    home,
    tokenFile: path.join(home, '.config', 'faxgate', 'token'),
    token,
    run: (args, input) => anon(args, input),
    anon,
    as: async (user, args, input, extra = {}) =>
      anon(args, input, { FAXGATE_TOKEN: await token(user), ...extra }),
    async close() {
      await api.close();
      await f.close();
    },
  };
}
