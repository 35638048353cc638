// faxgate audit review | audit reviews | audit review-report and faxgate compliance report:
// the real CLI with a user's token against the API. A user without audit.read gets exit 2
// and an access.denied event; the compliance report exits 1 while a requirement is not met.
import { users } from '@faxgate/store';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { auditEvents, type CliApiFixture, cliApiFixture } from '../test-support/cli-fixture.js';

vi.setConfig({ testTimeout: 240_000 });
let f: CliApiFixture;

beforeAll(async () => {
  f = await cliApiFixture('logging:\n  level: warn\n', { queue: false });
  await users.add(f.db, { name: 'olga', roles: ['auditor'] });
  await users.add(f.db, { name: 'oskar', roles: ['operator'] });
}, 60_000);
afterAll(async () => {
  await f?.close();
});

const day = (offset: number) => new Date(Date.now() + offset * 24 * 3600_000).toISOString().slice(0, 10);

describe('faxgate audit review', () => {
  it('refuses an operator (exit 2), on record, and records nothing', async () => {
    for (const args of [
      ['audit', 'review', '--from', day(-7), '--to', day(0), '--note', 'x'],
      ['audit', 'reviews'],
      ['audit', 'review-report', '--from', day(-7), '--to', day(0)],
      ['compliance', 'report'],
    ]) {
      const r = await f.as('oskar', args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^faxgate: oskar may not /);
      expect((await auditEvents(f.db)).at(-1)).toMatchObject({ type: 'access.denied', actor: 'oskar' });
    }
    expect(await f.db('audit_reviews').count({ n: '*' })).toEqual([{ n: 0 }]);
  });

  it('records a review for an auditor, lists it and writes the period report as CSV', async () => {
    const bad = await f.as('olga', ['audit', 'review', '--from', 'last week', '--to', day(0), '--note', 'x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--from: expected an ISO 8601 date/);

    const r = await f.as('olga', [
      'audit',
      'review',
      '--from',
      day(-7),
      '--to',
      day(0),
      '--note',
      'checked the week',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^review \d+ recorded: .* by olga\n$/);
    const list = await f.as('olga', ['audit', 'reviews']);
    expect(list.stdout).toMatch(/^next log review due /);
    expect(list.stdout).toContain('\tolga\tchecked the week');
    const csv = await f.as('olga', [
      'audit',
      'review-report',
      '--from',
      day(-7),
      '--to',
      new Date().toISOString(),
      '--format',
      'csv',
    ]);
    expect(csv.code).toBe(0);
    expect(csv.stdout.split('\r\n')[0]).toBe(
      'section,time,direction,mailbox,actor,number,cause,count,detail',
    );
    expect(csv.stdout).toMatch(/\r\naccess-denied,[^,]+,,,oskar,/);
  });
});

describe('faxgate compliance report', () => {
  it('prints a verdict per requirement and exits 1 while one is not met; --json carries the evidence', async () => {
    const r = await f.as('olga', ['compliance', 'report']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^M 4\.59 +NOT MET +no lines configured/m);
    expect(r.stdout).toMatch(/^M 5\.25 +met /m);
    expect(r.stderr).toMatch(/^faxgate: \d+ requirement\(s\) not met\n$/);
    const j = await f.as('olga', ['compliance', 'report', '--json']);
    expect(j.code).toBe(1);
    const rep = JSON.parse(j.stdout) as {
      notMet: number;
      verdicts: Array<{ id: string; evidence: unknown }>;
    };
    expect(rep.verdicts).toHaveLength(25);
    expect(rep.notMet).toBeGreaterThan(0);
    const html = await f.as('olga', ['compliance', 'report', '--html']);
    expect(html.code).toBe(1);
    expect(html.stdout).toMatch(/^<!doctype html>/);
    expect((await f.as('olga', ['compliance', 'report', '--json', '--html'])).code).toBe(2);
  });
});
