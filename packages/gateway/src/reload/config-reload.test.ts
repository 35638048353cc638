// `faxgate config reload` through the API against a real PostgreSQL: a live change is applied
// and recorded with the caller as author; a bad file and a key that needs a restart change
// nothing and say why (400 / 409, CLI exit 2); a user without config.manage is refused and
// audited (access.denied); SIGHUP's actor is recorded the same way.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { auditMigrations } from '@faxgate/audit';
import { credentials, users } from '@faxgate/store';
import { type MigratedTestDb, migratedTestDb } from '@faxgate/store/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi, listenApi } from '../api/server.js';
import { loadConfig } from '../config/load.js';
import { recordConfigVersion } from '../config/record.js';
import { createDocumentLoader, type DocumentLoader } from '../documents/load-pages.js';
import { createGatewayLogger } from '../logger.js';
import { type QueueSettings, queueSettings } from '../pipeline/settings.js';
import { runFaxgate } from '../testing/run-cli.js';
import { applyLiveKeys, applyLiveQueueSettings } from './apply-live.js';
import { type ConfigReloader, createConfigReloader } from './config-reload.js';

let t: MigratedTestDb;
let dir: string;
let file: string;
let app: FastifyInstance;
let base: string;
let documents: DocumentLoader;
let reloader: ConfigReloader;
let settings: QueueSettings;
const tokens: Record<string, string> = {};
const yaml = (blocklist: string[], port = 8025) =>
  `logging:\n  level: error\napi:\n  port: ${port}\nlockdown:\n  callerBlocklist: [${blocklist.map((b) => `"${b}"`).join(', ')}]\n`;

beforeAll(async () => {
  t = await migratedTestDb({ extra: auditMigrations });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-reload-'));
  file = path.join(dir, 'faxgate.yaml');
  fs.writeFileSync(file, yaml([]));
  const env = { FAXGATE_DATABASE_URL: t.db.url };
  const { config } = loadConfig({ path: file, env });
  const log = createGatewayLogger(config, 'test');
  await recordConfigVersion(t.knex, { config, author: 'gateway:test', comment: 'start' }); // as the daemon's start does
  reloader = createConfigReloader({
    load: { path: file, env },
    initial: config,
    db: t.knex,
    log,
    apply: async (next) => {
      applyLiveKeys(config, next);
      applyLiveQueueSettings(settings, next);
    },
  });
  settings = queueSettings(config);
  documents = createDocumentLoader({ workers: 1 });
  app = buildApi({
    probes: {},
    status: () => ({}) as never,
    services: {
      db: t.knex,
      config,
      settings,
      documents,
      reloadConfig: (actor) => reloader.reload(actor),
      logError: () => {},
    },
  });
  base = await listenApi(app, '127.0.0.1', 0);
  for (const [name, role] of [
    ['root', 'admin'],
    ['joe', 'user'],
  ] as const) {
    await users.add(t.knex, { name, roles: [role] });
    tokens[name] = (await credentials.issue(t.knex, { kind: 'token', user: name, name: 'test' })).secret;
  }
});
afterAll(async () => {
  await app?.close();
  await documents?.close();
  await t?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const reload = (user: string) =>
  fetch(`${base}/api/v1/config/reload`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tokens[user]}` },
  });
const cli = (user: string) =>
  runFaxgate(['config', 'reload'], {
    FAXGATE_API_URL: base,
    FAXGATE_TOKEN: tokens[user],
    FAXGATE_CONFIG: file,
    HOME: dir,
  });

describe('config reload', () => {
  it('applies a live key and records the version with the caller as author', async () => {
    fs.writeFileSync(file, yaml(['+49891111111']));
    const r = await reload('root');
    expect(r.status).toBe(200);
    const body = (await r.json()) as { version: number };
    expect(body).toMatchObject({ outcome: 'applied', changes: ['lockdown.callerBlocklist'] });
    expect(reloader.current().lockdown.callerBlocklist).toEqual(['+49891111111']);
    const v = await t.knex('config_versions').where({ version: body.version }).first();
    expect(v.author).toBe('root');
    const ev = await t.knex('audit_events').where({ type: 'config.change' }).orderBy('id', 'desc').first();
    expect(ev.actor).toBe('root');
    expect(ev.details.changes.map((c: { path: string }) => c.path)).toEqual(['lockdown.callerBlocklist']);
    // Nothing changed since: unchanged, nothing recorded.
    expect(await (await reload('root')).json()).toMatchObject({ outcome: 'unchanged' });
  });

  it('a bad file leaves the running configuration and names the key (400; CLI exit 2)', async () => {
    const before = await t.knex('config_versions').count<{ count: string }[]>('* as count');
    fs.writeFileSync(file, `${yaml(['+49891111111'])}queue:\n  maxDials: many\n`);
    const r = await reload('root');
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: { message: string } }).error.message).toContain('queue.maxDials');
    const c = await cli('root');
    expect(c.code).toBe(2);
    expect(c.stderr).toContain('queue.maxDials');
    expect(reloader.current().lockdown.callerBlocklist).toEqual(['+49891111111']);
    expect(await t.knex('config_versions').count<{ count: string }[]>('* as count')).toEqual(before);
  });

  it('a key that needs a restart: nothing applied, the key named (409; CLI exit 2)', async () => {
    fs.writeFileSync(file, yaml(['+49892222222'], 8026));
    const r = await reload('root');
    expect(r.status).toBe(409);
    expect(((await r.json()) as { error: { details: unknown } }).error.details).toMatchObject({
      restartKeys: ['api.port'],
      changes: ['api.port', 'lockdown.callerBlocklist'],
    });
    expect(reloader.current().lockdown.callerBlocklist).toEqual(['+49891111111']); // not half-applied
    const c = await cli('root');
    expect(c.code).toBe(2);
    expect(c.stderr).toContain('api.port');
  });

  it('refuses a user without config.manage (403, CLI exit 2) and records access.denied', async () => {
    fs.writeFileSync(file, yaml(['+49893333333']));
    const r = await reload('joe');
    expect(r.status).toBe(403);
    const c = await cli('joe');
    expect(c.code).toBe(2);
    const denied = await t.knex('audit_events').where({ type: 'access.denied', actor: 'joe' });
    expect(denied.length).toBe(2);
    expect(denied[0].details).toMatchObject({ permission: 'config.manage', via: 'api' });
    expect(reloader.current().lockdown.callerBlocklist).toEqual(['+49891111111']);
  });

  it('the sending window applies live: the settings the worker reads change in place', async () => {
    fs.writeFileSync(
      file,
      `${yaml(['+49893333333'])}queue:\n  timeOfDay: Mon-Fri 0800-1800\n  maxDials: 5\n`,
    );
    const r = await reloader.reload('root');
    expect(r).toMatchObject({
      outcome: 'applied',
      changes: ['lockdown.callerBlocklist', 'queue.maxDials', 'queue.timeOfDay'],
    });
    expect(settings.timeOfDay?.text).toBe('Mon-Fri 0800-1800');
    expect(settings.maxDials).toBe(5);
    fs.writeFileSync(file, yaml(['+49893333333'])); // back to the defaults for the next test
    expect(await reloader.reload('root')).toMatchObject({ outcome: 'applied' });
    expect(settings.timeOfDay).toBeUndefined();
  });

  it('SIGHUP reloads as system:SIGHUP', async () => {
    fs.writeFileSync(file, yaml(['+49894444444']));
    const r = await reloader.reload('system:SIGHUP');
    expect(r).toMatchObject({ outcome: 'applied', changes: ['lockdown.callerBlocklist'] });
    const ev = await t.knex('audit_events').where({ type: 'config.change' }).orderBy('id', 'desc').first();
    expect(ev.actor).toBe('system:SIGHUP');
  });
});
