// The main job as `npm start` runs it: a child process that migrates a fresh database,
// records the configuration, serves /health and /status, and exits cleanly on SIGINT.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { auditMigrations } from '@faxgate/audit';
import { migrationStatus, openDatabase } from '@faxgate/store';
import { createTestDatabase, type TestDatabase } from '@faxgate/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HealthReport } from './api/health.js';
import type { GatewayStatus } from './status.js';

const entry = path.join(path.dirname(fileURLToPath(import.meta.url)), 'main-job.ts');
let testDb: TestDatabase;
let dir: string;

beforeAll(async () => {
  testDb = await createTestDatabase('faxgate_main');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-main-'));
});
afterAll(async () => {
  await testDb?.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

function startMainJob(configYaml: string) {
  const configFile = path.join(dir, 'faxgate.yaml');
  fs.writeFileSync(configFile, configYaml);
  const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', entry], {
    env: { ...process.env, FAXGATE_CONFIG: configFile, FAXGATE_DATABASE_URL: testDb.url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  /** Resolves with the first match of `re` in stdout; rejects if the process exits first. */
  const waitFor = (re: RegExp) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const m = stdout.match(re);
        if (m) {
          child.stdout.off('data', check);
          resolve(m);
        }
      };
      child.stdout.on('data', check);
      check();
      exited.then(({ code }) => reject(new Error(`main job exited (${code}) early:\n${stdout}\n${stderr}`)));
    });
  return { child, exited, waitFor, output: () => ({ stdout, stderr }) };
}

describe('main job', () => {
  it('migrates, serves /health and /status, and stops cleanly on SIGINT', async () => {
    const job = startMainJob('api:\n  port: 0\nlogging:\n  level: warn\nlockdown:\n  mode: outgoing-only\n');
    const [, address] = await job.waitFor(/API: +(http:\/\/127\.0\.0\.1:\d+)/);
    await job.waitFor(/Press Ctrl-C to stop/);

    const health = await fetch(`${address}/health`);
    const body = (await health.json()) as HealthReport;
    expect(body.checks.database.ok).toBe(true);
    expect(body.checks.redis.ok).toBe(true);
    expect(health.status).toBe(200);

    const status = (await (await fetch(`${address}/status`)).json()) as GatewayStatus;
    expect(status).toMatchObject({ name: 'faxgate', lockdown: { mode: 'outgoing-only' }, api: { address } });
    expect(status.lines.controllers).toEqual([]);

    const db = openDatabase(testDb.url);
    try {
      const m = await migrationStatus(db, auditMigrations);
      expect(m.pending).toEqual([]);
      expect(m.applied.length).toBeGreaterThan(0);
      const versions = await db('config_versions').select('version', 'author', 'content');
      expect(versions).toHaveLength(1);
      expect(versions[0].content).toContain('mode: outgoing-only');
    } finally {
      await db.destroy();
    }

    job.child.kill('SIGINT');
    const { code, signal } = await job.exited;
    expect(job.output().stdout).toContain('faxgate: stopped');
    expect({ code, signal }).toEqual({ code: 0, signal: null });

    const db2 = openDatabase(testDb.url);
    try {
      const events = await db2('audit_events').orderBy('id').pluck('type');
      expect(events).toEqual(['config.change', 'system.start', 'system.stop']);
    } finally {
      await db2.destroy();
    }
  });

  it('on a restart finds the schema current and the configuration unchanged; stops on SIGTERM', async () => {
    const job = startMainJob('api:\n  port: 0\nlogging:\n  level: warn\nlockdown:\n  mode: outgoing-only\n');
    await job.waitFor(/Press Ctrl-C to stop/);
    expect(job.output().stdout).toContain('migrations: schema was up to date');
    expect(job.output().stdout).toContain('config version: 1 (unchanged');
    job.child.kill('SIGTERM');
    expect(await job.exited).toEqual({ code: 0, signal: null });
  });

  it('exits 2 naming the key when the configuration is invalid', async () => {
    const job = startMainJob('api:\n  port: "high"\n');
    const { code } = await job.exited;
    expect(job.output().stderr).toContain('api.port: expected an integer 0..65535, got "high"');
    expect(code).toBe(2);
  });
});
