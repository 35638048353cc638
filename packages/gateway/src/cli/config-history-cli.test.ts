// `faxgate config reload --reason` and `config history | show | diff | export` as a user
// would run them: the CLI through the real API on PostgreSQL. The admin who reloads is the
// version's author (a person), with the reason; a file read at start names the OS account;
// an auditor reads all of it; a user without config.read is refused (exit 2, access.denied).
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
import { queueSettings } from '../pipeline/settings.js';
import { applyLiveKeys } from '../reload/apply-live.js';
import { createConfigReloader } from '../reload/config-reload.js';
import { runFaxgate } from '../testing/run-cli.js';

let t: MigratedTestDb;
let dir: string;
let file: string;
let app: FastifyInstance;
let base: string;
let documents: DocumentLoader;
let startVersion: number;
const tokens: Record<string, string> = {};
const yaml = (blocklist: string[]) =>
  `logging:\n  level: error\nlockdown:\n  callerBlocklist: [${blocklist.map((b) => `"${b}"`).join(', ')}]\nnotifications:\n  webhooks:\n    - name: ops\n      url: https://hooks.example/fax?token=cli-s3cr3t\n      events: [fax.failed]\n`;

beforeAll(async () => {
  t = await migratedTestDb({ extra: auditMigrations });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-cfghist-'));
  file = path.join(dir, 'faxgate.yaml');
  fs.writeFileSync(file, yaml([]));
  const env = { FAXGATE_DATABASE_URL: t.db.url };
  const { config } = loadConfig({ path: file, env });
  // as the daemon's start records a file edited on the host
  startVersion = (
    await recordConfigVersion(t.knex, {
      config,
      author: 'gateway:faxgate@host',
      authorKind: 'os',
      comment: 'gateway start',
    })
  ).version;
  const reloader = createConfigReloader({
    load: { path: file, env },
    initial: config,
    db: t.knex,
    log: createGatewayLogger(config, 'test'),
    apply: async (next) => applyLiveKeys(config, next),
  });
  documents = createDocumentLoader({ workers: 1 });
  app = buildApi({
    probes: {},
    status: () => ({}) as never,
    services: {
      db: t.knex,
      config,
      settings: queueSettings(config),
      documents,
      reloadConfig: (actor, reason) => reloader.reload(actor, reason),
      logError: () => {},
    },
  });
  base = await listenApi(app, '127.0.0.1', 0);
  for (const [name, role] of [
    ['root', 'admin'],
    ['audrey', 'auditor'],
    ['otto', 'operator'],
  ] as const) {
    await users.add(t.knex, { name, roles: [role] });
    tokens[name] = (await credentials.issue(t.knex, { kind: 'token', user: name, name: 'test' })).secret;
  }
}, 60_000);
afterAll(async () => {
  await app?.close();
  await documents?.close();
  await t?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const cli = (user: string, args: string[]) =>
  runFaxgate(['config', ...args], {
    FAXGATE_API_URL: base,
    FAXGATE_TOKEN: tokens[user],
    FAXGATE_CONFIG: file,
    HOME: dir,
  });

describe('config history through the CLI', () => {
  let reloaded = 0;

  it('records a reload by the admin with the admin as author and the reason', async () => {
    fs.writeFileSync(file, yaml(['+49891111111']));
    const r = await cli('root', ['reload', '--reason', 'block the 0891 spam sender (ticket 4711)', '--json']);
    expect(r.code, r.stderr).toBe(0);
    reloaded = (JSON.parse(r.stdout) as { version: number }).version;
    const row = await t.knex('config_versions').where({ version: reloaded }).first();
    expect(row).toMatchObject({
      author: 'root',
      author_kind: 'user',
      reason: 'block the 0891 spam sender (ticket 4711)',
    });
    const ev = await t.knex('audit_events').where({ type: 'config.change' }).orderBy('id', 'desc').first();
    expect(ev.details).toMatchObject({
      authorKind: 'user',
      reason: 'block the 0891 spam sender (ticket 4711)',
    });
  });

  it('lists, shows, compares and exports for the auditor, secrets redacted', async () => {
    const h = await cli('audrey', ['history']);
    expect(h.code, h.stderr).toBe(0);
    const lines = h.stdout.trimEnd().split('\n');
    expect(lines[1]).toMatch(
      new RegExp(`^${reloaded}\\t.*\\troot\\tconfig reload .* — block the 0891 spam sender`),
    );
    expect(lines[2]).toMatch(
      new RegExp(
        `^${startVersion}\\t.*\\tgateway:faxgate@host \\(OS account, no faxgate user\\)\\tgateway start$`,
      ),
    );

    const s = await cli('audrey', ['show', String(reloaded)]);
    expect(s.code, s.stderr).toBe(0);
    expect(s.stdout).toContain('# author root');
    expect(s.stdout).toContain('reason: block the 0891 spam sender');
    expect(s.stdout).toContain('token=<redacted>');

    const d = await cli('audrey', ['diff', String(startVersion), String(reloaded)]);
    expect(d.code, d.stderr).toBe(0);
    expect(d.stdout).toContain('lockdown.callerBlocklist: [] -> ["+49891111111"]');
    expect(d.stdout).toMatch(/^\+\s+- "\+49891111111"$|^\+\s+- \+49891111111$/m);

    const e = await cli('audrey', ['export']);
    expect(e.code, e.stderr).toBe(0);
    const exported = JSON.parse(e.stdout) as { versions: Array<{ version: number; author: string }> };
    expect(exported.versions.map((v) => v.version)).toEqual([startVersion, reloaded]);
    for (const out of [h, s, d, e]) expect(out.stdout).not.toContain('cli-s3cr3t');
    expect(await cli('audrey', ['show', 'latest'])).toMatchObject({ code: 2 });
  });

  it('refuses an operator (exit 2) and records access.denied', async () => {
    for (const args of [['history'], ['show', '1'], ['diff', '1', '2'], ['export']]) {
      const r = await cli('otto', args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain('otto may not');
      const ev = await t.knex('audit_events').orderBy('id', 'desc').first();
      expect(ev).toMatchObject({ type: 'access.denied', actor: 'otto' });
      expect(ev.details).toMatchObject({ permission: 'config.read' });
    }
  });
});
