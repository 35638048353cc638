// A database of its own, a config file and a `faxgate` runner bound to both, for CLI tests.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '@faxgate/store';
import { createTestDatabase, type TestDatabase } from '@faxgate/store/testing';
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
export async function snapshot(db: CliFixture['db']): Promise<Record<string, string>> {
  const { rows } = await db.raw(
    `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE 'faxgate_migrations%' ORDER BY tablename`,
  );
  const out: Record<string, string> = {};
  for (const { tablename } of rows as Array<{ tablename: string }>) {
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
