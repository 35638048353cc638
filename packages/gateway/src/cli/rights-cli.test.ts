// faxgate rights review as an auditor runs it: the real CLI in a child process against the
// gateway API on a real PostgreSQL; a user without audit.read is refused (exit 2, access.denied).
import { grants, groups, mailboxes, users } from '@faxgate/store';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { auditEvents, type CliApiFixture, cliApiFixture } from '../test-support/cli-fixture.js';
import { rightsTable } from './commands/rights.js';

vi.setConfig({ testTimeout: 120_000 });

let f: CliApiFixture;

beforeAll(async () => {
  f = await cliApiFixture();
  await users.add(f.db, { name: 'alice', roles: ['user'] });
  await users.add(f.db, { name: 'audrey', roles: ['auditor'] });
  await mailboxes.add(f.db, { name: 'sales-in', kind: 'incoming', numbers: ['+49303001'] });
  await groups.add(f.db, { name: 'sales' });
  await groups.addMember(f.db, 'sales', 'alice');
  await grants.grant(f.db, { group: 'sales', mailbox: 'sales-in', right: 'in.read' });
});

afterAll(async () => {
  await f?.close();
});

describe('faxgate rights review', () => {
  it('prints the rights as CSV and as a table, and refuses a user without audit.read', async () => {
    const csv = await f.as('audrey', ['rights', 'review', '--csv']);
    expect(csv.code, csv.stderr).toBe(0);
    expect(csv.stdout.split('\n')).toContain('sales-in,incoming,in.read,alice,group,sales,,yes,');
    const table = await f.as('audrey', ['rights', 'review']);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^sales-in\s+in\.read\s+alice\s+group sales$/m);
    const refused = await f.as('alice', ['rights', 'review', '--json']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe('faxgate: alice may not review the rights\n');
    expect((await auditEvents(f.db)).at(-1)).toMatchObject({ type: 'access.denied', actor: 'alice' });
  });

  it('marks rights that are on record but void', () => {
    const lines = rightsTable([
      {
        mailbox: 'sales-in',
        mailboxKind: 'incoming',
        right: 'in.read',
        user: 'gone',
        via: 'user',
        group: null,
        role: null,
        effective: false,
        note: 'user disabled',
      },
    ]);
    expect(lines[0]).toMatch(/^Mailbox\s+Right\s+User\s+Through$/);
    expect(lines[1]).toMatch(
      /^sales-in\s+in\.read\s+gone\s+direct grant\s+\(not effective: user disabled\)$/,
    );
  });
});
