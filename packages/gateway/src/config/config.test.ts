import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { diffConfig } from './diff.js';
import { ConfigError } from './errors.js';
import { loadConfig, validateConfig } from './load.js';
import { configDocument, redactConfig, redactUrl } from './redact.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-config-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const write = (name: string, text: string) => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, text);
  return f;
};
const problems = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('expected a ConfigError');
};

describe('configuration', () => {
  it('fills every default from an empty input', () => {
    const { config } = validateConfig({}, {});
    expect(config.api).toEqual({
      host: '127.0.0.1',
      port: 8025,
      sessionHours: 8,
      sessionIdleMinutes: 30,
      uploadMaxMegabytes: 20,
      uploadMaxFiles: 10,
      docs: true,
      trustedProxies: [],
    });
    expect(config.database.url).toBe('postgres://postgres@127.0.0.1:5432/postgres');
    expect(config.lockdown.mode).toBe('send-receive');
    expect(config.lines.controllers).toEqual([]);
  });

  it('uses built-in defaults when no file is given and the default path is absent', () => {
    const r = loadConfig({ env: {}, defaultPath: path.join(dir, 'absent.yaml') });
    expect(r.file).toBeNull();
    expect(r.config.api.port).toBe(8025);
  });

  it('reads the file named by FAXGATE_CONFIG', () => {
    const f = write('env.yaml', 'api:\n  port: 9001\n');
    expect(loadConfig({ env: { FAXGATE_CONFIG: f } }).config.api.port).toBe(9001);
  });

  it('names the key and the bad value', () => {
    expect(problems(() => validateConfig({ api: { port: 'abc' } }, {}))).toEqual([
      'api.port: expected an integer 0..65535, got "abc"',
    ]);
    expect(problems(() => validateConfig({ lockdown: { mode: 'receive-only' } }, {}))).toEqual([
      'lockdown.mode: expected one of send-receive, outgoing-only, got "receive-only"',
    ]);
  });

  it('rejects unknown keys at any level', () => {
    expect(problems(() => validateConfig({ api: { prot: 1 }, extra: true }, {})).sort()).toEqual([
      'api.prot: unknown key',
      'extra: unknown key',
    ]);
  });

  it('reports a missing explicit file and YAML syntax errors with their line', () => {
    expect(problems(() => loadConfig({ path: path.join(dir, 'nope.yaml'), env: {} }))).toEqual([
      'file not found',
    ]);
    const f = write('bad.yaml', 'api:\n  port: 1\n  port: 2\n');
    expect(problems(() => loadConfig({ path: f, env: {} }))[0]).toMatch(/^line 3, column 3: .*unique/i);
  });

  it('lets the environment override secrets, FAXGATE_* first, and never echoes a bad URL', () => {
    const f = write('db.yaml', 'database:\n  url: postgres://file@db/x\n');
    const r = loadConfig({
      path: f,
      env: { DATABASE_URL: 'postgres://generic@db/x', FAXGATE_DATABASE_URL: 'postgres://specific@db/x' },
    });
    expect(r.config.database.url).toBe('postgres://specific@db/x');
    expect(r.envOverrides).toEqual(['FAXGATE_DATABASE_URL']);
    const p = problems(() => validateConfig({}, { REDIS_URL: 'http://u:hunter2@x' }));
    expect(p).toEqual(['redis.url (from $REDIS_URL): expected a redis: or rediss:// URL']);
    expect(p.join()).not.toContain('hunter2');
  });

  it('redacts passwords and the session secret', () => {
    expect(redactUrl('postgres://u:s3cret@h:5432/db')).toBe('postgres://u:<redacted>@h:5432/db');
    const { config } = validateConfig(
      {},
      { DATABASE_URL: 'postgres://u:s3cret@h/db', FAXGATE_SESSION_SECRET: 'x'.repeat(40) },
    );
    const doc = configDocument(config);
    expect(doc).not.toContain('s3cret');
    expect(doc).not.toContain('x'.repeat(40));
    expect(redactConfig(config).api.sessionSecret).toBe('<redacted>');
  });

  it('diffs by key path', () => {
    expect(
      diffConfig({ api: { port: 1, host: 'a' } }, { api: { port: 2, host: 'a' }, x: { y: [1] } }),
    ).toEqual([
      { path: 'api.port', from: 1, to: 2 },
      { path: 'x.y', to: [1] },
    ]);
  });
});

describe('infra/faxgate.example.yaml', () => {
  it('is valid and shows exactly the defaults', () => {
    const example = path.resolve(
      path.dirname(new URL(import.meta.url).pathname),
      '../../../../infra/faxgate.example.yaml',
    );
    const r = loadConfig({ path: example, env: {} });
    expect(r.config).toEqual(validateConfig({}, {}).config);
  });
});
