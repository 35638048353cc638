// faxgate selftest | release through the API as a user runs them (PostgreSQL, the API): a
// failed selftest exits 1 and prints each check; a refused release exits 2 with the reason;
// an operator is refused both (exit 2) and the refusal is recorded (access.denied).
import fs from 'node:fs';
import path from 'node:path';
import { loadCheckpointKey } from '@faxgate/audit';
import { users } from '@faxgate/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliApiFixture, cliApiFixture } from '../test-support/cli-fixture.js';

let f: CliApiFixture;
let dir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'faxgate-pilot-cli-'));
  const key = path.join(dir, 'checkpoint.key');
  loadCheckpointKey(key, { create: true });
  f = await cliApiFixture(
    `logging:\n  level: warn\nmode: pilot\npilot:\n  testNumbers: ["+49305551000"]\naudit:\n  checkpointKeyFile: ${key}\n  checkpointDir: ${dir}/checkpoints\n`,
    { queue: false },
  );
  await users.add(f.db, { name: 'ada', roles: ['admin'] });
  await users.add(f.db, { name: 'otto', roles: ['operator'] });
}, 60_000);
afterAll(async () => {
  await f?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('faxgate selftest and release', () => {
  it('a failed selftest exits 1 naming the check; the release is refused (exit 2) with the reason', async () => {
    const s = await f.as('ada', ['selftest']);
    expect(s.code, s.stderr).toBe(1);
    expect(s.stdout).toMatch(/^selftest \d+ of node .* \(pilot\), .*: FAILED$/m);
    expect(s.stdout).toMatch(/^ {2}FAIL {4}database role: .* is a superuser/m);
    expect(s.stdout).toMatch(/^ {2}SKIPPED test call: pilot\.selftestMailbox is not set/m);
    expect(s.stdout).toMatch(/^signed with the audit checkpoint key [0-9a-f]{16}: /m);
    const r = await f.as('ada', ['release']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('failed (database role)');
  });

  it('refuses an operator (exit 2) and records access.denied', async () => {
    for (const args of [['selftest'], ['release']]) {
      const r = await f.as('otto', args);
      expect(r.code, args[0]).toBe(2);
      expect(r.stderr).toContain('otto may not');
      const ev = await f.db('audit_events').orderBy('id', 'desc').first('type', 'actor', 'details');
      expect(ev).toMatchObject({
        type: 'access.denied',
        actor: 'otto',
        details: { permission: 'config.manage' },
      });
    }
  });
});
