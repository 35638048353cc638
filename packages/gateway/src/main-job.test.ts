// The daemon's process (main-job.ts) as `npm run gateway` and the systemd unit run it, as a
// child process with $FAXGATE_CONFIG: it migrates a fresh database, records the
// configuration, serves /health and /status, and exits cleanly on SIGINT. (The demo, `npm
// start`, is @faxgate/demo and tested there.)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { auditMigrations } from '@faxgate/audit';
import { migrationStatus, openDatabase } from '@faxgate/store';
import { createTestDatabase, type TestDatabase } from '@faxgate/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HealthReport } from './api/health.js';
import { spawnJob } from './testing/spawn-job.js';

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
  // The daemon runs as the test database's superuser here: allowed explicitly.
  fs.writeFileSync(
    configFile,
    `database:\n  allowPrivileged: true\npaths: { spool: ${dir}/spool, tmp: ${dir}/tmp }\naudit: { checkpointDir: ${dir}/checkpoints, checkpointKeyFile: ${dir}/key/audit-checkpoint.key }\n${configYaml}`,
  );
  return spawnMainJob({ ...process.env, FAXGATE_CONFIG: configFile, FAXGATE_DATABASE_URL: testDb.url });
}

function spawnMainJob(env: NodeJS.ProcessEnv) {
  return spawnJob('main job', entry, env);
}

describe('main job', () => {
  it('migrates, serves /health and /status, and stops cleanly on SIGINT', async () => {
    const job = startMainJob('api:\n  port: 0\nlogging:\n  level: warn\nlockdown:\n  mode: outgoing-only\n');
    const [, address] = await job.waitFor(/API: +(http:\/\/127\.0\.0\.1:\d+)/);
    await job.waitFor(/Press Ctrl-C to stop/);

    const health = await fetch(`${address}/health`);
    const body = (await health.json()) as HealthReport;
    expect(body).toEqual({ status: 'ok', checks: { database: 'ok', redis: 'ok', disk: 'ok' } });
    expect(health.status).toBe(200);

    // The daemon prepared its spool and tmp: private to the service user (spool/dirs.ts).
    for (const d of ['spool', 'tmp']) expect(fs.statSync(path.join(dir, d)).mode & 0o777).toBe(0o700);

    // /status is behind login: without it, nothing about the database or the configuration.
    const status = await fetch(`${address}/status`);
    expect(status.status).toBe(401);
    expect(await status.text()).not.toMatch(/postgres|redis:/);

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
      // the daemon's checkpoint at stop is recorded last (the trail was empty at start: none then)
      expect(events).toEqual(['config.change', 'system.start', 'system.stop', 'audit.checkpoint']);
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
