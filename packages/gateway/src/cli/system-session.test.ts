// The offline "system" session: where the owner credentials may come from and when they are refused.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '@faxgate/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../config/load.js';
import { OwnerCredentialsError } from './errors.js';
import { readOwnerUrl, runSystemSession, systemActor } from './system-session.js';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-system-session-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const configWith = (database: Record<string, unknown>) => validateConfig({ database }, {}).config;

function ownerFile(name: string, content: string, mode: number): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, content);
  fs.chmodSync(f, mode);
  return f;
}

describe('readOwnerUrl', () => {
  it('prefers database.ownerUrl', () => {
    const r = readOwnerUrl(
      configWith({ ownerUrl: 'postgres://o:pw@db/x', ownerUrlFile: '/nonexistent/owner.url' }),
    );
    expect(r).toEqual({ url: 'postgres://o:pw@db/x', source: 'database.ownerUrl' });
  });

  it('refuses an ownerUrl written in a world-readable configuration file, not one from the environment', () => {
    const config = configWith({ ownerUrl: 'postgres://o:pw@db/x' });
    const open = ownerFile('faxgate.yaml', 'database: {}\n', 0o644);
    expect(() => readOwnerUrl(config, { file: open, envOverrides: [] })).toThrow(
      `refusing database.ownerUrl in ${open}: the file is readable by every OS user`,
    );
    expect(readOwnerUrl(config, { file: open, envOverrides: ['FAXGATE_DATABASE_OWNER_URL'] }).url).toBe(
      'postgres://o:pw@db/x',
    );
    fs.chmodSync(open, 0o640);
    expect(readOwnerUrl(config, { file: open, envOverrides: [] }).source).toBe('database.ownerUrl');
  });

  it('reads the first line of a private file', () => {
    const f = ownerFile('ok.url', 'postgres://owner:secret@127.0.0.1/faxgate\n', 0o600);
    expect(readOwnerUrl(configWith({ ownerUrlFile: f }))).toEqual({
      url: 'postgres://owner:secret@127.0.0.1/faxgate',
      source: f,
    });
  });

  it('refuses a world-readable file, naming it and its mode', () => {
    const f = ownerFile('open.url', 'postgres://owner:secret@127.0.0.1/faxgate\n', 0o644);
    expect(() => readOwnerUrl(configWith({ ownerUrlFile: f }))).toThrow(OwnerCredentialsError);
    expect(() => readOwnerUrl(configWith({ ownerUrlFile: f }))).toThrow(
      /readable by every OS user \(mode 644\)/,
    );
  });

  it('names a missing file and how to create it', () => {
    const f = path.join(dir, 'missing.url');
    expect(() => readOwnerUrl(configWith({ ownerUrlFile: f }))).toThrow(
      new RegExp(`${f.replace(/[.]/g, '\\.')} does not exist.*db setup --write-owner-url`),
    );
  });

  it('refuses content that is not a postgres URL without echoing it', () => {
    const f = ownerFile('bad.url', 'hunter2-not-a-url\n', 0o600);
    let message = '';
    try {
      readOwnerUrl(configWith({ ownerUrlFile: f }));
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/expected a postgres:\/\/ URL/);
    expect(message).not.toContain('hunter2');
  });

  it('gives exit code 2', () => {
    const f = path.join(dir, 'missing2.url');
    try {
      readOwnerUrl(configWith({ ownerUrlFile: f }));
      expect.unreachable();
    } catch (e) {
      expect((e as OwnerCredentialsError).exitCode).toBe(2);
    }
  });
});

describe('runSystemSession', () => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase('faxgate_syss');
  });
  afterAll(async () => testDb?.drop());

  it('connects with the owner URL and names the actor system:<os user>', async () => {
    const f = ownerFile('db.url', `${testDb.url}\n`, 0o600);
    const loaded = { config: configWith({ ownerUrlFile: f }), file: null, envOverrides: [] };
    const r = await runSystemSession(loaded, async (s) => {
      const { rows } = await s.db.raw('SELECT current_database() AS d');
      return { d: rows[0].d as string, actor: s.actor, source: s.ownerUrlSource };
    });
    expect(r).toEqual({ d: testDb.name, actor: systemActor(), source: f });
    expect(systemActor()).toBe(`system:${os.userInfo().username}`);
  });
});
