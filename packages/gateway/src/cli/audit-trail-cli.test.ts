// faxgate audit trail as an auditor runs it: the real CLI against the gateway API on a real
// PostgreSQL; filters and paging; a user without audit.read is refused (exit 2, access.denied).
import { appendAuditEvent } from '@faxgate/audit';
import { users } from '@faxgate/store';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { auditEvents, type CliApiFixture, cliApiFixture } from '../test-support/cli-fixture.js';

vi.setConfig({ testTimeout: 120_000 });

let f: CliApiFixture;

beforeAll(async () => {
  f = await cliApiFixture();
  await users.add(f.db, { name: 'alice', roles: ['user'] });
  await users.add(f.db, { name: 'audrey', roles: ['auditor'] });
  await f.db.transaction(async (trx) => {
    for (const i of [1, 2, 3])
      await appendAuditEvent(trx, { type: 'job.retry', actor: 'olga', subject: `fax:${i}`, details: { i } });
  });
});

afterAll(async () => {
  await f?.close();
});

describe('faxgate audit trail', () => {
  it('prints the filtered events newest first in pages, and refuses a user without audit.read', async () => {
    const page = await f.as('audrey', [
      'audit',
      'trail',
      '--actor',
      'olga',
      '--type',
      'job.*',
      '--limit',
      '2',
    ]);
    expect(page.code, page.stderr).toBe(0);
    const lines = page.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/job\.retry\s+olga\s+fax:3/);
    const next = /--before (\d+)/.exec(page.stderr)?.[1];
    expect(next).toBeDefined();
    const rest = await f.as('audrey', [
      'audit',
      'trail',
      '--actor',
      'olga',
      '--before',
      String(next),
      '--json',
    ]);
    expect(JSON.parse(rest.stdout)).toMatchObject({ items: [{ subject: 'fax:1' }], next: null });
    const refused = await f.as('alice', ['audit', 'trail']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe('faxgate: alice may not read the audit trail\n');
    expect((await auditEvents(f.db)).at(-1)).toMatchObject({ type: 'access.denied', actor: 'alice' });
  });
});
